/// A·Bᵀ with at most 16 columns over many rows (a classifier layer at evaluation batch sizes,
/// [batch, features]·[classes, features]ᵀ): op(B) is packed once as [K][16] (columns past n
/// are 0), and 8 rows of C at a time accumulate in 8 registers of 16 lanes — one lane per
/// column — with one fma per k step: `c[r] += a[r][p] · b[p]`, the rows of A read in place and
/// broadcast. No lane ever needs a horizontal sum, which is what bounds `dotProducts`.
///
/// Each element is summed over k in order with one fma per step, whatever block or thread
/// computes it; `Gemm.sgemm` picks this path by shape only (`minRows` and more, so training
/// batches keep the dot-product path), so results do not depend on the thread count.
enum GemmNarrow {
    static let width = 16
    /// Rows from which the packed path pays for itself (and evaluation batches reach).
    static let minRows = 512
    static let rowsPerItem = 64

    static func product(m: Int, n: Int, k: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int,
                        b: UnsafePointer<Float>, ldb: Int, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int,
                        epilogue: GemmEpilogue?, pool: ThreadPool) {
        precondition(n <= width, "the narrow product has at most \(width) columns, got \(n)")
        let packed = UnsafeMutableRawPointer.allocate(byteCount: k * width * 4, alignment: 64)
        defer { packed.deallocate() }
        let bp = packed.bindMemory(to: Float.self, capacity: k * width)
        bp.initialize(repeating: 0, count: k * width)
        for j in 0..<n { for p in 0..<k { bp[p * width + j] = b[j * ldb + p] } }
        pool.parallelFor(Gemm.ceilDiv(m, rowsPerItem)) { item in
            let i0 = item * rowsPerItem, i1 = min(m, i0 + rowsPerItem)
            var i = i0
            while i + 8 <= i1 {
                rows8(a + i * lda, lda: lda, UnsafePointer(bp), k: k, alpha: alpha, beta: beta, c: c + i * ldc, ldc: ldc, n: n)
                i += 8
            }
            while i < i1 {
                rows1(a + i * lda, UnsafePointer(bp), k: k, alpha: alpha, beta: beta, c: c + i * ldc, n: n)
                i += 1
            }
            epilogue?.apply(c, ldc: ldc, i0: i0, rows: i1 - i0, j0: 0, cols: n)
        }
    }

    /// Eight rows of C.
    @inline(__always)
    static func rows8(_ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, k: Int, alpha: Float, beta: Float,
                      c: UnsafeMutablePointer<Float>, ldc: Int, n: Int) {
        var s0 = SIMD16<Float>(), s1 = SIMD16<Float>(), s2 = SIMD16<Float>(), s3 = SIMD16<Float>()
        var s4 = SIMD16<Float>(), s5 = SIMD16<Float>(), s6 = SIMD16<Float>(), s7 = SIMD16<Float>()
        let rb = UnsafeRawPointer(b)
        let a0 = a, a1 = a + lda, a2 = a1 + lda, a3 = a2 + lda, a4 = a3 + lda, a5 = a4 + lda, a6 = a5 + lda, a7 = a6 + lda
        for p in 0..<k {
            let w = rb.load(fromByteOffset: p &* 64, as: SIMD16<Float>.self)
            s0 = s0.addingProduct(SIMD16(repeating: a0[p]), w)
            s1 = s1.addingProduct(SIMD16(repeating: a1[p]), w)
            s2 = s2.addingProduct(SIMD16(repeating: a2[p]), w)
            s3 = s3.addingProduct(SIMD16(repeating: a3[p]), w)
            s4 = s4.addingProduct(SIMD16(repeating: a4[p]), w)
            s5 = s5.addingProduct(SIMD16(repeating: a5[p]), w)
            s6 = s6.addingProduct(SIMD16(repeating: a6[p]), w)
            s7 = s7.addingProduct(SIMD16(repeating: a7[p]), w)
        }
        store(s0, alpha: alpha, beta: beta, c, n: n)
        store(s1, alpha: alpha, beta: beta, c + ldc, n: n)
        store(s2, alpha: alpha, beta: beta, c + 2 * ldc, n: n)
        store(s3, alpha: alpha, beta: beta, c + 3 * ldc, n: n)
        store(s4, alpha: alpha, beta: beta, c + 4 * ldc, n: n)
        store(s5, alpha: alpha, beta: beta, c + 5 * ldc, n: n)
        store(s6, alpha: alpha, beta: beta, c + 6 * ldc, n: n)
        store(s7, alpha: alpha, beta: beta, c + 7 * ldc, n: n)
    }

    /// One row of C (the rows past the last full block of 8).
    @inline(__always)
    static func rows1(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, k: Int, alpha: Float, beta: Float,
                      c: UnsafeMutablePointer<Float>, n: Int) {
        var s = SIMD16<Float>()
        let rb = UnsafeRawPointer(b)
        for p in 0..<k { s = s.addingProduct(SIMD16(repeating: a[p]), rb.load(fromByteOffset: p &* 64, as: SIMD16<Float>.self)) }
        store(s, alpha: alpha, beta: beta, c, n: n)
    }

    /// c[j] = α·s[j] (+ β·c[j]) for the n valid lanes.
    @inline(__always)
    static func store(_ s: SIMD16<Float>, alpha: Float, beta: Float, _ c: UnsafeMutablePointer<Float>, n: Int) {
        for j in 0..<n {
            var v = alpha * s[j]
            if beta != 0 { v += beta * c[j] }
            c[j] = v
        }
    }
}
