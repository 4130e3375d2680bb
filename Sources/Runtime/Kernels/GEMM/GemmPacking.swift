import RuntimeIntrinsics

/// Packing of op(A) and op(B) blocks into the micro-panel layouts the micro-kernel reads.
///
/// Packed A: panels of 8 rows; panel p holds `depth` steps of 8 values, `dst[p*8*depth + k*8 + r]`.
/// Packed B: panels of 32 columns; panel q holds `depth` steps of 32 values,
/// `dst[q*32*depth + k*32 + c]`. Rows/columns past the edge are zero so the kernel needs no masks.
/// Transposes are absorbed here: the loops always read the source along its contiguous axis.
enum GemmPacking {
    static func packA(transA: Bool, a: UnsafePointer<Float>, lda: Int, rowStart: Int, rows: Int,
                      kStart: Int, depth: Int, into dst: UnsafeMutablePointer<Float>) {
        let mr = GemmMicroKernel.mr
        var r0 = 0
        while r0 < rows {
            let panel = dst + r0 * depth
            let valid = min(mr, rows - r0)
            if transA {
                // A is [K, M]: the 8 values of one k step are contiguous in the source.
                for kk in 0..<depth {
                    let src = a + (kStart + kk) * lda + rowStart + r0
                    let out = panel + kk * mr
                    for r in 0..<valid { out[r] = src[r] }
                    for r in valid..<mr { out[r] = 0 }
                }
            } else {
                // A is [M, K]: a full panel is 8×8 blocks transposed in registers; the rest walks
                // each row contiguously and scatters with stride 8.
                var k0 = 0
                if valid == mr {
                    let src = a + (rowStart + r0) * lda + kStart
                    while k0 + 8 <= depth {
                        regula_transpose8x8(src + k0, lda, panel + k0 * mr, mr)
                        k0 += 8
                    }
                }
                for r in 0..<valid {
                    let src = a + (rowStart + r0 + r) * lda + kStart
                    for kk in k0..<depth { panel[kk * mr + r] = src[kk] }
                }
                if valid < mr {
                    for kk in 0..<depth { for r in valid..<mr { panel[kk * mr + r] = 0 } }
                }
            }
            r0 += mr
        }
    }

    static func packB(transB: Bool, b: UnsafePointer<Float>, ldb: Int, colStart: Int, cols: Int,
                      kStart: Int, depth: Int, into dst: UnsafeMutablePointer<Float>) {
        let nr = GemmMicroKernel.nr
        var c0 = 0
        while c0 < cols {
            let panel = dst + c0 * depth
            let valid = min(nr, cols - c0)
            if transB {
                // B is [N, K]: 8×8 blocks transposed in registers, eight columns of op(B) (rows of
                // B) at a time; the rest walks each row of B contiguously.
                let blocked = valid / 8 * 8, kBlocked = depth / 8 * 8
                var cc = 0
                while cc < blocked {
                    let src = b + (colStart + c0 + cc) * ldb + kStart
                    var k0 = 0
                    while k0 < kBlocked {
                        regula_transpose8x8(src + k0, ldb, panel + k0 * nr + cc, nr)
                        k0 += 8
                    }
                    cc += 8
                }
                for cc in 0..<valid {
                    let src = b + (colStart + c0 + cc) * ldb + kStart
                    for kk in (cc < blocked ? kBlocked : 0)..<depth { panel[kk * nr + cc] = src[kk] }
                }
                if valid < nr {
                    for kk in 0..<depth { for cc in valid..<nr { panel[kk * nr + cc] = 0 } }
                }
            } else {
                // B is [K, N]: one k step is a contiguous run of 32 columns.
                for kk in 0..<depth {
                    let src = b + (kStart + kk) * ldb + colStart + c0
                    let out = panel + kk * nr
                    out.update(from: src, count: valid)
                    if valid < nr { (out + valid).update(repeating: 0, count: nr - valid) }
                }
            }
            c0 += nr
        }
    }

    /// Drops the steps of one packed A panel (`depth` steps of 8 values) whose 8 values are all
    /// zero (either sign), moving the kept ones to the front in order and writing `32·k` of each
    /// into `offsets` (its row in a packed B panel). Returns how many steps are kept. (The full
    /// panels of a row-major A skip while they pack: `regula_pack8_skipping_zero_steps`.)
    static func skipZeroSteps(_ panel: UnsafeMutablePointer<Float>, depth: Int, offsets: UnsafeMutablePointer<Int32>) -> Int {
        let mr = GemmMicroKernel.mr, nr = GemmMicroKernel.nr
        var kept = 0
        for step in 0..<depth where !regula_is_zero8(panel + step * mr) {
            if kept != step { (panel + kept * mr).update(from: panel + step * mr, count: mr) }
            offsets[kept] = Int32(step * nr)
            kept += 1
        }
        return kept
    }
}
