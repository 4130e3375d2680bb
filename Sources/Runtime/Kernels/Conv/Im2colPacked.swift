/// im2col written straight into the GEMM's packed operand layouts, so a convolution's patch
/// matrix is produced once, already in the order the micro-kernel reads (instead of im2col
/// followed by a packing copy).
///
/// `x` is one image's group, [Cg, H, W]; the patch matrix col is [P = Cg·KH·KW, S = OH·OW] as in
/// `Im2col`. `asB` writes col as op(B) (k = P rows, n = S columns: the forward product W·col);
/// `asTransposedB` writes colᵀ as op(B) (k = S, n = P: the weight gradient dy·colᵀ).
enum Im2colPacked {
    /// Calls `body(row, firstColumn, count, source, stride)` for every run of one row of col;
    /// `source == nil` means a run of zeros (padding).
    @inline(__always)
    static func forEachRun(_ s: Conv2dShape, _ x: UnsafePointer<Float>,
                           _ body: (Int, Int, Int, UnsafePointer<Float>?, Int) -> Void) {
        let (h, w, oh, ow) = (s.height, s.width, s.outH, s.outW)
        var row = 0
        for c in 0..<s.groupIn {
            let plane = x + c * h * w
            for kh in 0..<s.kernelH {
                for kw in 0..<s.kernelW {
                    let (dx, owLo, owHi) = Im2col.columnRange(s, kw: kw)
                    for y in 0..<oh {
                        let ih = y * s.strideH - s.padH + kh * s.dilationH
                        let first = y * ow
                        if ih < 0 || ih >= h { body(row, first, ow, nil, 0); continue }
                        if owLo > 0 { body(row, first, owLo, nil, 0) }
                        if owHi > owLo { body(row, first + owLo, owHi - owLo, plane + ih * w + dx + owLo * s.strideW, s.strideW) }
                        if ow > owHi { body(row, first + owHi, ow - owHi, nil, 0) }
                    }
                    row += 1
                }
            }
        }
    }

    // The packed-B geometry of `Gemm` (32-column panels, K blocks of 256), repeated here as
    // literals so the hot loops need no cross-file calls in non-WMO (debug) builds.
    static let nr = 32, kc = 256

    /// Offset of op(B) element (row, col) in the packed layout of a k×n operand (`Gemm.packedOffsetB`).
    @inline(__always)
    static func offset(row r: Int, col: Int, np: Int, k: Int) -> Int {
        let block = r / kc, kb = min(kc, k - block * kc)
        return block * kc * np + (col / nr) * nr * kb + (r - block * kc) * nr + col % nr
    }

    /// Zeroes the columns past `n` in the last 32-wide panel of a packed k×n op(B) (the
    /// micro-kernel reads whole panels) and returns the padded width.
    static func zeroPanelTail(_ packed: UnsafeMutablePointer<Float>, n: Int, k: Int) -> Int {
        let np = (n + nr - 1) / nr * nr
        if n % nr != 0 {
            for r in 0..<k { (packed + offset(row: r, col: n, np: np, k: k)).update(repeating: 0, count: nr - n % nr) }
        }
        return np
    }

    /// col as a packed op(B) with k = P, n = S (`Gemm.packedCountB(n: S, k: P)` floats).
    static func asB(_ s: Conv2dShape, _ x: UnsafePointer<Float>, _ packed: UnsafeMutablePointer<Float>) {
        let n = s.outH * s.outW, k = s.patch
        let np = zeroPanelTail(packed, n: n, k: k)
        forEachRun(s, x) { r, first, count, src, stride in
            // Split the run at panel edges; inside a panel the destination is contiguous.
            var done = 0
            while done < count {
                let col = first + done
                let seg = min(count - done, nr - col % nr)
                let dst = packed + offset(row: r, col: col, np: np, k: k)
                if let src {
                    let from = src + done * stride
                    if stride == 1 { for i in 0..<seg { dst[i] = from[i] } } else { for i in 0..<seg { dst[i] = from[i * stride] } }
                } else {
                    for i in 0..<seg { dst[i] = 0 }
                }
                done += seg
            }
        }
    }

    /// colᵀ as a packed op(B) with k = S, n = P (`Gemm.packedCountB(n: P, k: S)` floats).
    static func asTransposedB(_ s: Conv2dShape, _ x: UnsafePointer<Float>, _ packed: UnsafeMutablePointer<Float>) {
        let k = s.outH * s.outW, n = s.patch
        let np = zeroPanelTail(packed, n: n, k: k)
        forEachRun(s, x) { p, first, count, src, stride in
            // Consecutive rows of op(B) are `nr` floats apart inside a K block.
            var done = 0
            while done < count {
                let row = first + done
                let seg = min(count - done, kc - row % kc)
                let dst = packed + offset(row: row, col: p, np: np, k: k)
                if let src {
                    let from = src + done * stride
                    for i in 0..<seg { dst[i * nr] = from[i * stride] }
                } else {
                    for i in 0..<seg { dst[i * nr] = 0 }
                }
                done += seg
            }
        }
    }
}
