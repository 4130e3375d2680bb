/// im2col / col2im for one image and one group.
///
/// `x` points at the group's first channel of one image, [Cg, H, W]; `col` is [Cg·KH·KW, OH·OW]
/// with row `(c·KH + kh)·KW + kw` and column `oh·OW + ow` holding x[c, oh·sh − ph + kh·dh,
/// ow·sw − pw + kw·dw] (0 outside the image). Rows are filled by runs: for stride 1 each output
/// row is one contiguous copy between the clamped borders, which keeps im2col memory-bound.
enum Im2col {
    /// For kernel column `kw`: the input column `dx` that output column 0 reads (before the
    /// stride), and the output columns [lo, hi) whose input column `o·sw + dx` lies inside [0, W).
    /// Every im2col variant splits a row into zeros, this in-image run, and zeros.
    @inline(__always)
    static func columnRange(_ s: Conv2dShape, kw: Int) -> (dx: Int, lo: Int, hi: Int) {
        let dx = kw * s.dilationW - s.padW
        let lo = dx >= 0 ? 0 : min(s.outW, (-dx + s.strideW - 1) / s.strideW)
        let hi = max(lo, min(s.outW, s.width - dx > 0 ? (s.width - dx - 1) / s.strideW + 1 : 0))
        return (dx, lo, hi)
    }

    static func im2col(_ s: Conv2dShape, _ x: UnsafePointer<Float>, _ col: UnsafeMutablePointer<Float>) {
        let (h, w, oh, ow) = (s.height, s.width, s.outH, s.outW)
        var row = col
        for c in 0..<s.groupIn {
            let plane = x + c * h * w
            for kh in 0..<s.kernelH {
                for kw in 0..<s.kernelW {
                    let (dx, owLo, owHi) = columnRange(s, kw: kw)
                    for y in 0..<oh {
                        let out = row + y * ow
                        let ih = y * s.strideH - s.padH + kh * s.dilationH
                        if ih < 0 || ih >= h {
                            out.update(repeating: 0, count: ow)
                            continue
                        }
                        let src = plane + ih * w + dx
                        for o in 0..<owLo { out[o] = 0 }
                        if s.strideW == 1 {
                            (out + owLo).update(from: src + owLo, count: owHi - owLo)
                        } else {
                            for o in owLo..<owHi { out[o] = src[o * s.strideW] }
                        }
                        for o in owHi..<ow { out[o] = 0 }
                    }
                    row += oh * ow
                }
            }
        }
    }

    /// x[c, ih, iw] += col[...] for every column entry that maps inside the image (the adjoint of im2col).
    static func col2im(_ s: Conv2dShape, _ col: UnsafePointer<Float>, _ x: UnsafeMutablePointer<Float>) {
        let (h, w, oh, ow) = (s.height, s.width, s.outH, s.outW)
        var row = col
        for c in 0..<s.groupIn {
            let plane = x + c * h * w
            for kh in 0..<s.kernelH {
                for kw in 0..<s.kernelW {
                    let (dx, owLo, owHi) = columnRange(s, kw: kw)
                    for y in 0..<oh {
                        let ih = y * s.strideH - s.padH + kh * s.dilationH
                        if ih < 0 || ih >= h { continue }
                        let src = row + y * ow
                        let dst = plane + ih * w + dx
                        if s.strideW == 1 {
                            for o in owLo..<owHi { dst[o] += src[o] }
                        } else {
                            for o in owLo..<owHi { dst[o * s.strideW] += src[o] }
                        }
                    }
                    row += oh * ow
                }
            }
        }
    }
}
