import RuntimeIntrinsics

/// Max pooling forward (recording the arg-max) and backward.
///
/// Layouts: x is [N, C, H, W], y and `indices` are [N, C, OH, OW]; `indices` holds the arg-max as
/// an offset `h·W + w` inside its input plane (PyTorch's `return_indices` convention). Padding
/// acts as −∞; ties keep the first maximum in row-major window order; NaN propagates (the last NaN
/// of a window wins, as in PyTorch's `val > max || isnan(val)` rule). The window bounds are
/// clipped once per output and the update is branch-free, so the loop does not mispredict.
/// Planes (n, c) are independent work items. Backward scatters dy to the recorded positions in
/// window order, so overlapping windows accumulate deterministically.
public enum MaxPool2d {
    public static func forward(_ s: Pool2dShape, x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>,
                               indices: UnsafeMutablePointer<Int32>, pool: ThreadPool = .default) {
        s.validate()
        let (h, w, oh, ow) = (s.height, s.width, s.outH, s.outW)
        if s.kernelH == 2 && s.kernelW == 2 && s.strideH == 2 && s.strideW == 2 && s.padH == 0 && s.padW == 0
            && s.dilationH == 1 && s.dilationW == 1 && 2 * oh <= h && 2 * ow <= w {
            pool.parallelFor(s.planes) { p in
                pool2x2(xp: x + p * h * w, w: w, oh: oh, ow: ow, yp: y + p * oh * ow, ip: indices + p * oh * ow,
                        readable: (s.planes - p) * h * w)
            }
            return
        }
        pool.parallelFor(s.planes) { p in
            let xp = x + p * h * w, yp = y + p * oh * ow, ip = indices + p * oh * ow
            for i in 0..<oh {
                // Taps inside the image, computed once per output row/column instead of tested per tap.
                let (kh0, kh1) = taps(i * s.strideH - s.padH, k: s.kernelH, d: s.dilationH, size: h)
                for j in 0..<ow {
                    let (kw0, kw1) = taps(j * s.strideW - s.padW, k: s.kernelW, d: s.dilationW, size: w)
                    let ih0 = i * s.strideH - s.padH, iw0 = j * s.strideW - s.padW
                    // PyTorch's rule: start at −∞ with the first tap's index; take v if v > best or v is NaN.
                    let first = kh0 < kh1 && kw0 < kw1 ? (ih0 + kh0 * s.dilationH) * w + iw0 + kw0 * s.dilationW : -1
                    var best = -Float.infinity, arg = first, sum: Float = 0
                    for kh in kh0..<max(kh0, kh1) {
                        let rowStart = (ih0 + kh * s.dilationH) * w + iw0
                        for kw in kw0..<max(kw0, kw1) {
                            let at = rowStart + kw * s.dilationW
                            let v = xp[at]
                            let take = v > best
                            best = take ? v : best
                            arg = take ? at : arg
                            sum += v
                        }
                    }
                    if sum.isNaN {   // a NaN (or +∞ and −∞) in the window: redo with the exact rule
                        best = -.infinity; arg = first
                        for kh in kh0..<max(kh0, kh1) {
                            for kw in kw0..<max(kw0, kw1) {
                                let at = (ih0 + kh * s.dilationH) * w + iw0 + kw * s.dilationW
                                if xp[at] > best || xp[at].isNaN { best = xp[at]; arg = at }
                            }
                        }
                    }
                    yp[i * ow + j] = best
                    ip[i * ow + j] = Int32(arg)
                }
            }
        }
    }

    /// The common 2×2, stride-2 window with every window inside the image. The taps are compared
    /// with selects (no data-dependent branches); a window whose sum is NaN (a NaN input, or
    /// +∞ and −∞) is redone with the exact NaN rule, which costs nothing on ordinary data.
    /// `readable` floats from `xp` on may be loaded (the rest of the batch's planes): a vector
    /// may read past its row, and its lanes beyond the row are not kept.
    static func pool2x2(xp: UnsafePointer<Float>, w: Int, oh: Int, ow: Int, yp: UnsafeMutablePointer<Float>,
                        ip: UnsafeMutablePointer<Int32>, readable: Int) {
        for i in 0..<oh {
            // 16 outputs at a time: the even and odd columns of two input rows are the four taps.
            // A narrower rest (all of MNIST's 14- and 7-wide rows) is one vector too; its lanes past
            // the row are stored only where the next row's outputs will overwrite them (inside
            // this plane), else the row's lanes are stored one by one.
            var j = 0
            while j < ow {
                let at = 2 * i * w + 2 * j, o = i * ow + j, n = min(16, ow - j)
                guard at + w + 32 <= readable else { break }
                if o + 16 <= oh * ow {
                    guard regula_max_pool_2x2_16(xp + at, xp + at + w, Int32(at), Int32(w), yp + o, ip + o) != 0 else { break }
                } else {
                    var best = SIMD16<Float>(), arg = SIMD16<Int32>()
                    let ok = withUnsafeMutableBytes(of: &best) { b in
                        withUnsafeMutableBytes(of: &arg) { a in
                            regula_max_pool_2x2_16(xp + at, xp + at + w, Int32(at), Int32(w),
                                                   b.baseAddress!.assumingMemoryBound(to: Float.self),
                                                   a.baseAddress!.assumingMemoryBound(to: Int32.self))
                        }
                    }
                    guard ok != 0 else { break }
                    for l in 0..<n { yp[o + l] = best[l]; ip[o + l] = arg[l] }
                }
                j += n
            }
            for j in j..<ow {
                let at = 2 * i * w + 2 * j
                let a = xp[at], b = xp[at + 1], c = xp[at + w], d = xp[at + w + 1]
                var best = a, arg = at
                let tb = b > best
                best = tb ? b : best; arg = tb ? at + 1 : arg
                let tc = c > best
                best = tc ? c : best; arg = tc ? at + w : arg
                let td = d > best
                best = td ? d : best; arg = td ? at + w + 1 : arg
                if (a + b + c + d).isNaN {
                    best = -.infinity; arg = at
                    for t in [at, at + 1, at + w, at + w + 1] where xp[t] > best || xp[t].isNaN { best = xp[t]; arg = t }
                }
                yp[i * ow + j] = best
                ip[i * ow + j] = Int32(arg)
            }
        }
    }

    /// Kernel taps kk in lo..<hi whose input coordinate start + kk·d lies in 0..<size.
    @inline(__always)
    static func taps(_ start: Int, k: Int, d: Int, size: Int) -> (Int, Int) {
        let lo = start >= 0 ? 0 : (-start + d - 1) / d
        let hi = size - 1 - start >= 0 ? min(k, (size - 1 - start) / d + 1) : 0
        return (lo, hi)
    }

    /// dx = scatter-add of dy at the recorded arg-max positions (dx is overwritten). With
    /// `reluOutput` (the pooled input is y = relu(·)), the ReLU's backward dx·[y > 0] is applied in
    /// the same pass: contributions at positions with y ≤ 0 (or NaN) add +0, which gives exactly
    /// the two passes' result.
    public static func backward(_ s: Pool2dShape, dy: UnsafePointer<Float>, indices: UnsafePointer<Int32>,
                                dx: UnsafeMutablePointer<Float>, reluOutput: UnsafePointer<Float>? = nil,
                                pool: ThreadPool = .default) {
        let plane = s.height * s.width, outPlane = s.outH * s.outW
        if s.kernelH == 2 && s.kernelW == 2 && s.strideH == 2 && s.strideW == 2 && s.padH == 0 && s.padW == 0
            && s.dilationH == 1 && s.dilationW == 1 && 2 * s.outH == s.height && 2 * s.outW == s.width {
            pool.parallelFor(s.planes) { p in
                backward2x2(dyp: dy + p * outPlane, ip: indices + p * outPlane, dxp: dx + p * plane,
                            y: reluOutput.map { $0 + p * plane }, w: s.width, oh: s.outH, ow: s.outW,
                            readableOutputs: (s.planes - p) * outPlane)
            }
            return
        }
        pool.parallelFor(s.planes) { p in
            let dxp = dx + p * plane, dyp = dy + p * outPlane, ip = indices + p * outPlane
            dxp.update(repeating: 0, count: plane)
            if let y = reluOutput.map({ $0 + p * plane }) {
                for o in 0..<outPlane where ip[o] >= 0 {
                    let k = Int(ip[o])
                    dxp[k] += y[k] > 0 ? dyp[o] : 0   // a select: the sign of y is data, not a branch
                }
            } else {
                for o in 0..<outPlane where ip[o] >= 0 { dxp[Int(ip[o])] += dyp[o] }
            }
        }
    }

    /// The backward of 2×2, stride-2 windows that tile the plane exactly: every input position is
    /// in one window, so dx is written once, 16 windows at a time, instead of zeroed and scattered
    /// into. Each position gets `0 + dy` when it is its window's arg-max (and y > 0 with
    /// `reluOutput`) and +0 otherwise: the scatter's values bit for bit, −0 and NaN included.
    /// Vectors may read past a row (`readableOutputs` outputs from `dyp` on, so as many input
    /// rows from `y`); a vector's columns past its row are stored only where a later store of
    /// this plane overwrites them, else the vector is stored one element at a time.
    static func backward2x2(dyp: UnsafePointer<Float>, ip: UnsafePointer<Int32>, dxp: UnsafeMutablePointer<Float>,
                            y: UnsafePointer<Float>?, w: Int, oh: Int, ow: Int, readableOutputs: Int) {
        let zero = SIMD16<Float>(), one = SIMD32<Float>(repeating: 1)
        for i in 0..<oh {
            var j = 0
            while j < ow {
                let n = min(16, ow - j), o = i * ow + j, at = 2 * i * w + 2 * j
                let direct = o + 16 <= readableOutputs
                var g = SIMD16<Float>(), arg = SIMD16<Int32>(repeating: -1)
                var yTop = one, yBottom = one
                if direct {
                    g = UnsafeRawPointer(dyp + o).loadUnaligned(as: SIMD16<Float>.self)
                    arg = UnsafeRawPointer(ip + o).loadUnaligned(as: SIMD16<Int32>.self)
                    if let y {
                        yTop = UnsafeRawPointer(y + at).loadUnaligned(as: SIMD32<Float>.self)
                        yBottom = UnsafeRawPointer(y + at + w).loadUnaligned(as: SIMD32<Float>.self)
                    }
                } else {
                    for l in 0..<n { g[l] = dyp[o + l]; arg[l] = ip[o + l] }
                    if let y { for l in 0..<2 * n { yTop[l] = y[at + l]; yBottom[l] = y[at + w + l] } }
                }
                g += zero   // 0 + dy, as the scatter adds into zeros (−0 becomes +0)
                let a = SIMD16<Int32>(repeating: Int32(at)) &+ SIMD16<Int32>(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30)
                let c = a &+ Int32(w)
                let top = interleave(regula_select_at_positive(arg, a, yTop.evenHalf, g),
                                     regula_select_at_positive(arg, a &+ 1, yTop.oddHalf, g))
                let bottom = interleave(regula_select_at_positive(arg, c, yBottom.evenHalf, g),
                                        regula_select_at_positive(arg, c &+ 1, yBottom.oddHalf, g))
                // The top row's columns past the row land in the next row, which the bottom store
                // rewrites only when this is the row's first vector.
                if (j == 0 || 2 * j + 32 <= w) && at + w + 32 <= 2 * oh * w {
                    UnsafeMutableRawPointer(dxp + at).storeBytes(of: top, as: SIMD32<Float>.self)
                    UnsafeMutableRawPointer(dxp + at + w).storeBytes(of: bottom, as: SIMD32<Float>.self)
                } else {
                    for l in 0..<2 * n { dxp[at + l] = top[l]; dxp[at + w + l] = bottom[l] }
                }
                j += n
            }
        }
    }

    /// (e₀, o₀, e₁, o₁, …): the even and odd columns put back in order.
    @inline(__always)
    static func interleave(_ e: SIMD16<Float>, _ o: SIMD16<Float>) -> SIMD32<Float> {
        SIMD32(e[0], o[0], e[1], o[1], e[2], o[2], e[3], o[3], e[4], o[4], e[5], o[5], e[6], o[6], e[7], o[7],
               e[8], o[8], e[9], o[9], e[10], o[10], e[11], o[11], e[12], o[12], e[13], o[13], e[14], o[14], e[15], o[15])
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
