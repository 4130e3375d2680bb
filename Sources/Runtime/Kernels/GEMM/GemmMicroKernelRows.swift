/// 8×32 micro-kernels that read one operand straight from rows of an activation instead of a
/// packed panel: the inner loops of the implicit-GEMM convolution (`Conv2dImplicit`).
///
/// A stride-1 convolution over a zero-padded image is a GEMM whose patch matrix rows are shifted
/// views of the padded planes: row p = (c, kh, kw) of the patch matrix is the padded plane of
/// channel c read from offset kh·Wp + kw. Reading those rows in place (one offset per k step)
/// replaces the im2col copy, which moved nine times the activation per 3×3 convolution.
///
/// Rounding contract: as `GemmMicroKernel.kernel8x32`, every element is accumulated from 0 over k
/// in order with one fma per step, then combined as `acc + s·C`.
extension GemmMicroKernel {
    /// acc[r, c] = Σ_k a[k·8 + r] · b[offsets[k] + c] (a packed 8-row A panel, B rows read in
    /// place: 32 contiguous floats from `b + offsets[k]`); then C = acc + s·C.
    @inline(never)
    static func kernel8x32ShiftedB(_ kc: Int, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
                                   _ offsets: UnsafePointer<Int>, _ c: UnsafeMutablePointer<Float>, _ ldc: Int, s: Float) {
        var c00 = SIMD16<Float>(), c01 = SIMD16<Float>()
        var c10 = SIMD16<Float>(), c11 = SIMD16<Float>()
        var c20 = SIMD16<Float>(), c21 = SIMD16<Float>()
        var c30 = SIMD16<Float>(), c31 = SIMD16<Float>()
        var c40 = SIMD16<Float>(), c41 = SIMD16<Float>()
        var c50 = SIMD16<Float>(), c51 = SIMD16<Float>()
        var c60 = SIMD16<Float>(), c61 = SIMD16<Float>()
        var c70 = SIMD16<Float>(), c71 = SIMD16<Float>()
        var pa = a
        let base = UnsafeRawPointer(b)
        for k in 0..<kc {
            let pb = base + offsets[k] * 4
            let b0 = pb.loadUnaligned(as: SIMD16<Float>.self)
            let b1 = pb.loadUnaligned(fromByteOffset: 64, as: SIMD16<Float>.self)
            var av = SIMD16<Float>(repeating: pa[0])
            c00.addProduct(av, b0); c01.addProduct(av, b1)
            av = SIMD16<Float>(repeating: pa[1])
            c10.addProduct(av, b0); c11.addProduct(av, b1)
            av = SIMD16<Float>(repeating: pa[2])
            c20.addProduct(av, b0); c21.addProduct(av, b1)
            av = SIMD16<Float>(repeating: pa[3])
            c30.addProduct(av, b0); c31.addProduct(av, b1)
            av = SIMD16<Float>(repeating: pa[4])
            c40.addProduct(av, b0); c41.addProduct(av, b1)
            av = SIMD16<Float>(repeating: pa[5])
            c50.addProduct(av, b0); c51.addProduct(av, b1)
            av = SIMD16<Float>(repeating: pa[6])
            c60.addProduct(av, b0); c61.addProduct(av, b1)
            av = SIMD16<Float>(repeating: pa[7])
            c70.addProduct(av, b0); c71.addProduct(av, b1)
            pa += 8
        }
        store(c00, c01, c, 1, s)
        store(c10, c11, c + ldc, 1, s)
        store(c20, c21, c + 2 * ldc, 1, s)
        store(c30, c31, c + 3 * ldc, 1, s)
        store(c40, c41, c + 4 * ldc, 1, s)
        store(c50, c51, c + 5 * ldc, 1, s)
        store(c60, c61, c + 6 * ldc, 1, s)
        store(c70, c71, c + 7 * ldc, 1, s)
    }

    /// acc[r, c] = Σ_k a_r[k] · b[k·32 + c] (the 8 A rows read in place from `a + offsets[r]`, a
    /// packed 32-column B panel); then C = acc + s·C.
    @inline(never)
    static func kernel8x32ShiftedA(_ kc: Int, _ a: UnsafePointer<Float>, _ offsets: UnsafePointer<Int>,
                                   _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>, _ ldc: Int, s: Float) {
        var c00 = SIMD16<Float>(), c01 = SIMD16<Float>()
        var c10 = SIMD16<Float>(), c11 = SIMD16<Float>()
        var c20 = SIMD16<Float>(), c21 = SIMD16<Float>()
        var c30 = SIMD16<Float>(), c31 = SIMD16<Float>()
        var c40 = SIMD16<Float>(), c41 = SIMD16<Float>()
        var c50 = SIMD16<Float>(), c51 = SIMD16<Float>()
        var c60 = SIMD16<Float>(), c61 = SIMD16<Float>()
        var c70 = SIMD16<Float>(), c71 = SIMD16<Float>()
        let a0 = a + offsets[0], a1 = a + offsets[1], a2 = a + offsets[2], a3 = a + offsets[3]
        let a4 = a + offsets[4], a5 = a + offsets[5], a6 = a + offsets[6], a7 = a + offsets[7]
        var pb = UnsafeRawPointer(b)
        for k in 0..<kc {
            let b0 = pb.load(as: SIMD16<Float>.self)
            let b1 = pb.load(fromByteOffset: 64, as: SIMD16<Float>.self)
            var av = SIMD16<Float>(repeating: a0[k])
            c00.addProduct(av, b0); c01.addProduct(av, b1)
            av = SIMD16<Float>(repeating: a1[k])
            c10.addProduct(av, b0); c11.addProduct(av, b1)
            av = SIMD16<Float>(repeating: a2[k])
            c20.addProduct(av, b0); c21.addProduct(av, b1)
            av = SIMD16<Float>(repeating: a3[k])
            c30.addProduct(av, b0); c31.addProduct(av, b1)
            av = SIMD16<Float>(repeating: a4[k])
            c40.addProduct(av, b0); c41.addProduct(av, b1)
            av = SIMD16<Float>(repeating: a5[k])
            c50.addProduct(av, b0); c51.addProduct(av, b1)
            av = SIMD16<Float>(repeating: a6[k])
            c60.addProduct(av, b0); c61.addProduct(av, b1)
            av = SIMD16<Float>(repeating: a7[k])
            c70.addProduct(av, b0); c71.addProduct(av, b1)
            pb += 128
        }
        store(c00, c01, c, 1, s)
        store(c10, c11, c + ldc, 1, s)
        store(c20, c21, c + 2 * ldc, 1, s)
        store(c30, c31, c + 3 * ldc, 1, s)
        store(c40, c41, c + 4 * ldc, 1, s)
        store(c50, c51, c + 5 * ldc, 1, s)
        store(c60, c61, c + 6 * ldc, 1, s)
        store(c70, c71, c + 7 * ldc, 1, s)
    }
}
