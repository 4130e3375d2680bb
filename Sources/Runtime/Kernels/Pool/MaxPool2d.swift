/// Max pooling forward (recording the arg-max) and backward.
///
/// Layouts: x is [N, C, H, W], y and `indices` are [N, C, OH, OW]; `indices` holds the arg-max as
/// an offset `h·W + w` inside its input plane (PyTorch's `return_indices` convention). Padding
/// acts as −∞; ties keep the first maximum in row-major window order; NaN propagates (PyTorch).
/// Planes (n, c) are independent work items. Backward scatters dy to the recorded positions in
/// window order, so overlapping windows accumulate deterministically.
public enum MaxPool2d {
    public static func forward(_ s: Pool2dShape, x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>,
                               indices: UnsafeMutablePointer<Int32>, pool: ThreadPool = .default) {
        s.validate()
        let (h, w, oh, ow) = (s.height, s.width, s.outH, s.outW)
        pool.parallelFor(s.planes) { p in
            let xp = x + p * h * w, yp = y + p * oh * ow, ip = indices + p * oh * ow
            for i in 0..<oh {
                for j in 0..<ow {
                    var best = -Float.infinity, arg = -1
                    for kh in 0..<s.kernelH {
                        let ih = i * s.strideH - s.padH + kh * s.dilationH
                        if ih < 0 || ih >= h { continue }
                        for kw in 0..<s.kernelW {
                            let iw = j * s.strideW - s.padW + kw * s.dilationW
                            if iw < 0 || iw >= w { continue }
                            let v = xp[ih * w + iw]
                            if v > best || v.isNaN && !best.isNaN || arg < 0 { best = v; arg = ih * w + iw }
                            if v.isNaN { break }
                        }
                    }
                    yp[i * ow + j] = best
                    ip[i * ow + j] = Int32(arg)
                }
            }
        }
    }

    /// dx = scatter-add of dy at the recorded arg-max positions (dx is overwritten).
    public static func backward(_ s: Pool2dShape, dy: UnsafePointer<Float>, indices: UnsafePointer<Int32>,
                                dx: UnsafeMutablePointer<Float>, pool: ThreadPool = .default) {
        let plane = s.height * s.width, outPlane = s.outH * s.outW
        pool.parallelFor(s.planes) { p in
            let dxp = dx + p * plane, dyp = dy + p * outPlane, ip = indices + p * outPlane
            dxp.update(repeating: 0, count: plane)
            for o in 0..<outPlane where ip[o] >= 0 { dxp[Int(ip[o])] += dyp[o] }
        }
    }
}

/// Average pooling (PyTorch `AvgPool2d`): the divisor is the window clipped to the padded input
/// when `countIncludePad` (the default) and the window clipped to the image otherwise.
/// Layouts as `MaxPool2d`; planes are parallel work items.
public enum AvgPool2d {
    /// Window bounds of output index `o` along one axis: (start, end) clipped to the image, and
    /// the size of the window clipped to the padded input.
    @inline(__always)
    static func window(_ o: Int, size: Int, k: Int, stride: Int, pad: Int) -> (Int, Int, Int) {
        let start = o * stride - pad
        let end = min(start + k, size + pad)
        let padded = end - start
        return (max(start, 0), min(end, size), padded)
    }

    public static func forward(_ s: Pool2dShape, x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>,
                               countIncludePad: Bool = true, pool: ThreadPool = .default) {
        s.validate()
        precondition(s.dilationH == 1 && s.dilationW == 1, "avg pool has no dilation")
        let (h, w, oh, ow) = (s.height, s.width, s.outH, s.outW)
        pool.parallelFor(s.planes) { p in
            let xp = x + p * h * w, yp = y + p * oh * ow
            for i in 0..<oh {
                let (h0, h1, ph) = window(i, size: h, k: s.kernelH, stride: s.strideH, pad: s.padH)
                for j in 0..<ow {
                    let (w0, w1, pw) = window(j, size: w, k: s.kernelW, stride: s.strideW, pad: s.padW)
                    var sum: Float = 0
                    for ih in h0..<max(h0, h1) { for iw in w0..<max(w0, w1) { sum += xp[ih * w + iw] } }
                    let divisor = countIncludePad ? ph * pw : max(h1 - h0, 0) * max(w1 - w0, 0)
                    yp[i * ow + j] = divisor > 0 ? sum / Float(divisor) : 0
                }
            }
        }
    }

    /// dx[window] += dy / divisor (dx is overwritten).
    public static func backward(_ s: Pool2dShape, dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>,
                                countIncludePad: Bool = true, pool: ThreadPool = .default) {
        let (h, w, oh, ow) = (s.height, s.width, s.outH, s.outW)
        pool.parallelFor(s.planes) { p in
            let dxp = dx + p * h * w, dyp = dy + p * oh * ow
            dxp.update(repeating: 0, count: h * w)
            for i in 0..<oh {
                let (h0, h1, ph) = window(i, size: h, k: s.kernelH, stride: s.strideH, pad: s.padH)
                for j in 0..<ow {
                    let (w0, w1, pw) = window(j, size: w, k: s.kernelW, stride: s.strideW, pad: s.padW)
                    let divisor = countIncludePad ? ph * pw : max(h1 - h0, 0) * max(w1 - w0, 0)
                    if divisor == 0 { continue }
                    let g = dyp[i * ow + j] / Float(divisor)
                    for ih in h0..<max(h0, h1) { for iw in w0..<max(w0, w1) { dxp[ih * w + iw] += g } }
                }
            }
        }
    }
}
