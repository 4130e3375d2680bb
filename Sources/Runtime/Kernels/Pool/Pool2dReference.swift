/// Naive twins of the pooling kernels in Float64: every output enumerates its whole (padded)
/// window and asks of each tap whether it is inside the image, rather than clipping bounds.
public enum Pool2dReference {
    public static func maxForward(_ s: Pool2dShape, x: [Double]) -> [Double] {
        var y = [Double](repeating: 0, count: s.outputCount)
        for p in 0..<s.planes { for i in 0..<s.outH { for j in 0..<s.outW {
            var best = -Double.infinity
            for kh in 0..<s.kernelH { for kw in 0..<s.kernelW {
                let ih = i * s.strideH - s.padH + kh * s.dilationH, iw = j * s.strideW - s.padW + kw * s.dilationW
                if ih >= 0 && ih < s.height && iw >= 0 && iw < s.width { best = max(best, x[(p * s.height + ih) * s.width + iw]) }
            } }
            y[(p * s.outH + i) * s.outW + j] = best
        } } }
        return y
    }

    public static func avgForward(_ s: Pool2dShape, x: [Double], countIncludePad: Bool) -> [Double] {
        var y = [Double](repeating: 0, count: s.outputCount)
        for p in 0..<s.planes { for i in 0..<s.outH { for j in 0..<s.outW {
            var sum = 0.0, inside = 0, padded = 0
            for kh in 0..<s.kernelH { for kw in 0..<s.kernelW {
                let ih = i * s.strideH - s.padH + kh, iw = j * s.strideW - s.padW + kw
                // A tap counts toward the divisor if it lies within the padded input.
                if ih < s.height + s.padH && iw < s.width + s.padW { padded += 1 }
                if ih >= 0 && ih < s.height && iw >= 0 && iw < s.width { sum += x[(p * s.height + ih) * s.width + iw]; inside += 1 }
            } }
            let d = countIncludePad ? padded : inside
            y[(p * s.outH + i) * s.outW + j] = d > 0 ? sum / Double(d) : 0
        } } }
        return y
    }
}
