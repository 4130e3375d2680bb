/// Naive twin of `Conv2d`: the direct seven-loop definition in Float64, one output (or input or
/// weight) element at a time. Same layouts and semantics (cross-correlation, zero padding).
public enum Conv2dReference {
    /// Input coordinate read by output (oh, ow) at kernel tap (kh, kw), or nil when in the padding.
    static func source(_ s: Conv2dShape, _ oh: Int, _ ow: Int, _ kh: Int, _ kw: Int) -> (Int, Int)? {
        let ih = oh * s.strideH - s.padH + kh * s.dilationH
        let iw = ow * s.strideW - s.padW + kw * s.dilationW
        return (ih >= 0 && ih < s.height && iw >= 0 && iw < s.width) ? (ih, iw) : nil
    }

    public static func forward(_ s: Conv2dShape, x: [Double], weight: [Double], bias: [Double]?) -> [Double] {
        var y = [Double](repeating: 0, count: s.outputCount)
        for n in 0..<s.batch { for oc in 0..<s.outChannels {
            let g = oc / s.groupOut
            for oh in 0..<s.outH { for ow in 0..<s.outW {
                var sum = bias?[oc] ?? 0
                for ci in 0..<s.groupIn { for kh in 0..<s.kernelH { for kw in 0..<s.kernelW {
                    guard let (ih, iw) = source(s, oh, ow, kh, kw) else { continue }
                    let c = g * s.groupIn + ci
                    sum += x[((n * s.inChannels + c) * s.height + ih) * s.width + iw]
                        * weight[((oc * s.groupIn + ci) * s.kernelH + kh) * s.kernelW + kw]
                } } }
                y[((n * s.outChannels + oc) * s.outH + oh) * s.outW + ow] = sum
            } }
        } }
        return y
    }

    /// (dx, dweight, dbias) for upstream gradient dy.
    public static func backward(_ s: Conv2dShape, x: [Double], weight: [Double], dy: [Double]) -> ([Double], [Double], [Double]) {
        var dx = [Double](repeating: 0, count: s.inputCount)
        var dw = [Double](repeating: 0, count: s.weightCount)
        var db = [Double](repeating: 0, count: s.outChannels)
        for n in 0..<s.batch { for oc in 0..<s.outChannels {
            let g = oc / s.groupOut
            for oh in 0..<s.outH { for ow in 0..<s.outW {
                let gy = dy[((n * s.outChannels + oc) * s.outH + oh) * s.outW + ow]
                db[oc] += gy
                for ci in 0..<s.groupIn { for kh in 0..<s.kernelH { for kw in 0..<s.kernelW {
                    guard let (ih, iw) = source(s, oh, ow, kh, kw) else { continue }
                    let xi = ((n * s.inChannels + g * s.groupIn + ci) * s.height + ih) * s.width + iw
                    let wi = ((oc * s.groupIn + ci) * s.kernelH + kh) * s.kernelW + kw
                    dx[xi] += gy * weight[wi]
                    dw[wi] += gy * x[xi]
                } } }
            } }
        } }
        return (dx, dw, db)
    }
}
