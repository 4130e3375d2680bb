/// Single-precision GEMM: `C = α·op(A)·op(B) + β·C`, all row-major.
///
/// Layouts: op(A) is [M, K] — `A` is stored [M, K] (`transA == false`, `A[m*lda + k]`) or [K, M]
/// (`transA == true`, `A[k*lda + m]`); op(B) is [K, N] — `B` is stored [K, N] or, transposed,
/// [N, K]; `C` is [M, N] with row stride `ldc`. `β == 0` means C is not read (it may hold NaN).
///
/// How it is fast (the BLIS/GotoBLAS scheme, sized for Zen 4: 32 KB L1d, 1 MB L2 per core):
/// * C is cut into tiles (up to 128 × 512). Each tile is an independent work item for the
///   thread pool, so both cores work on disjoint parts of C and no sum is ever split between
///   threads — the result is bit-identical for any thread count.
/// * Within a tile, K is walked in blocks of `kc = 256` (a constant, so the summation order of
///   every element is fixed). For each block the tile's rows of op(A) are packed into 8-row
///   micro-panels (`a[k*8 + r]`, 8 KB each, L1-resident) and its columns of op(B) into 32-column
///   micro-panels (`b[k*32 + c]`, 32 KB each, streamed from L2). Packing also absorbs the
///   transposes, so the micro-kernel sees one layout whatever the op.
/// * `GemmMicroKernel.kernel8x32` does the FMAs from registers; edges (M % 8, N % 32) go through a
///   scratch tile with the same arithmetic.
/// * An optional `GemmEpilogue` (bias, activation, saved pre-activation) runs on each finished
///   tile while it is still in cache, instead of another pass over C.
public enum Gemm {
    static let kc = 256
    static let tileM = 128
    static let tileN = 512

    public static func sgemm(transA: Bool = false, transB: Bool = false,
                             m: Int, n: Int, k: Int, alpha: Float = 1,
                             a: UnsafePointer<Float>, lda: Int,
                             b: UnsafePointer<Float>, ldb: Int,
                             beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int,
                             epilogue: GemmEpilogue? = nil, pool: ThreadPool = .default) {
        precondition(m >= 0 && n >= 0 && k >= 0, "gemm sizes must be non-negative: m \(m), n \(n), k \(k)")
        precondition(lda >= (transA ? m : k) && ldb >= (transB ? k : n) && ldc >= n, "gemm leading dimension too small")
        if m == 0 || n == 0 { return }
        if k == 0 || alpha == 0 {
            scale(m: m, n: n, beta: beta, c: c, ldc: ldc)
            epilogue?.apply(c, ldc: ldc, i0: 0, rows: m, j0: 0, cols: n)
            return
        }
        let mr = GemmMicroKernel.mr, nr = GemmMicroKernel.nr
        // Tile sizes: start from the cache-sized tile, then split until every thread has at least
        // two items (for small/skinny products such as an MLP layer at batch 128).
        var tm = min(tileM, roundUp(m, mr))
        var tn = min(tileN, roundUp(n, nr))
        let wanted = pool.threads > 1 ? 2 * pool.threads : 1
        while ceilDiv(m, tm) * ceilDiv(n, tn) < wanted {
            if tn >= 2 * nr && (tn >= tm || tm < 2 * mr) {
                tn = roundUp(tn / 2, nr)
            } else if tm >= 2 * mr {
                tm = roundUp(tm / 2, mr)
            } else {
                break
            }
        }
        let tilesM = ceilDiv(m, tm), tilesN = ceilDiv(n, tn)
        let kcMax = min(kc, k)
        let aFloats = roundUp(tm, mr) * kcMax
        let bFloats = roundUp(tn, nr) * kcMax
        let scratchFloats = mr * nr
        pool.parallelFor(tilesM * tilesN) { t in
            let i0 = (t / tilesN) * tm, j0 = (t % tilesN) * tn
            let mt = min(tm, m - i0), nt = min(tn, n - j0)
            let buffer = UnsafeMutableRawPointer.allocate(
                byteCount: (aFloats + bFloats + scratchFloats) * 4, alignment: 64)
            defer { buffer.deallocate() }
            let packA = buffer.bindMemory(to: Float.self, capacity: aFloats + bFloats + scratchFloats)
            let packB = packA + aFloats
            let scratch = packB + bFloats
            var p0 = 0
            while p0 < k {
                let kb = min(kc, k - p0)
                let s: Float = p0 == 0 ? beta : 1
                GemmPacking.packA(transA: transA, a: a, lda: lda, rowStart: i0, rows: mt, kStart: p0, depth: kb, into: packA)
                GemmPacking.packB(transB: transB, b: b, ldb: ldb, colStart: j0, cols: nt, kStart: p0, depth: kb, into: packB)
                var jr = 0
                while jr < nt {
                    let cols = min(nr, nt - jr)
                    let bp = packB + jr * kb
                    var ir = 0
                    while ir < mt {
                        let rows = min(mr, mt - ir)
                        let ap = packA + ir * kb
                        let cp = c + (i0 + ir) * ldc + j0 + jr
                        if rows == mr && cols == nr {
                            GemmMicroKernel.kernel8x32(kb, ap, bp, cp, ldc, alpha: alpha, s: s)
                        } else {
                            GemmMicroKernel.kernelEdge(kb, ap, bp, cp, ldc, rows: rows, cols: cols,
                                                       alpha: alpha, s: s, scratch: scratch)
                        }
                        ir += mr
                    }
                    jr += nr
                }
                p0 += kb
            }
            epilogue?.apply(c, ldc: ldc, i0: i0, rows: mt, j0: j0, cols: nt)
        }
    }

    /// C = β·C (β == 0 writes zeros without reading C).
    static func scale(m: Int, n: Int, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        for i in 0..<m {
            let row = c + i * ldc
            if beta == 0 {
                row.update(repeating: 0, count: n)
            } else if beta != 1 {
                for j in 0..<n { row[j] *= beta }
            }
        }
    }

    @inline(__always) static func ceilDiv(_ a: Int, _ b: Int) -> Int { (a + b - 1) / b }
    @inline(__always) static func roundUp(_ a: Int, _ b: Int) -> Int { ceilDiv(a, b) * b }
}
