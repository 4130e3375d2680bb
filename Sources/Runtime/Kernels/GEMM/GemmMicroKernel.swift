/// The 8×32 register-blocked inner kernels of `Gemm.sgemm` and of the implicit-GEMM convolution.
///
/// Layouts: `a` is one packed A micro-panel, `kc` steps of 8 row values (`a[k*8 + r]`); `b` is one
/// packed B micro-panel, `kc` steps of 32 column values (`b[k*32 + c]`), 64-byte aligned.
/// The 8×32 tile of C is held in 16 `SIMD16<Float>` accumulators (16 of the 32 zmm registers);
/// per k step it loads two B vectors, broadcasts 8 A values and issues 16 fused multiply-adds,
/// so loads stay well below the FMA rate. With `-target-cpu native` on AVX-512 machines the loop
/// body compiles to `vbroadcastss` + `vfmadd231ps zmm` (checked with objdump).
///
/// Rounding contract (what makes thread counts irrelevant): every element is accumulated from 0
/// over k in order with one fma per step; the result combine `α·acc + s·C` is the same in the
/// full-tile and edge paths.
enum GemmMicroKernel {
    static let mr = 8
    static let nr = 32

    /// acc = Σ_k a[k,r]·b[k,c]; then C[r, c] = α·acc + s·C[r, c] (C not read when `s == 0`).
    @inline(never)
    static func kernel8x32(_ kc: Int, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
                           _ c: UnsafeMutablePointer<Float>, _ ldc: Int, alpha: Float, s: Float) {
        var tile = Tile()
        var pa = a
        var pb = UnsafeRawPointer(b)
        for _ in 0..<kc {
            tile.add(pa[0], pa[1], pa[2], pa[3], pa[4], pa[5], pa[6], pa[7],
                     pb.load(as: SIMD16<Float>.self), pb.load(fromByteOffset: 64, as: SIMD16<Float>.self))
            pa += 8
            pb += 128
        }
        tile.store(c, ldc, alpha, s)
    }

    /// acc = Σ over the kept steps j of a[j·8 + r]·b[offsets[j] + c] (a packed A panel with its
    /// all-zero steps dropped, `offsets[j]` = 32·k of the step it kept, into a packed B panel);
    /// then C = α·acc + s·C. Sums the kept steps in order, as `kernel8x32` sums all of them.
    @inline(never)
    static func kernel8x32Gathered(_ count: Int, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
                                   _ offsets: UnsafePointer<Int32>, _ c: UnsafeMutablePointer<Float>, _ ldc: Int,
                                   alpha: Float, s: Float) {
        var tile = Tile()
        var pa = a
        let base = UnsafeRawPointer(b)
        for j in 0..<count {
            let pb = base + Int(offsets[j]) * 4
            tile.add(pa[0], pa[1], pa[2], pa[3], pa[4], pa[5], pa[6], pa[7],
                     pb.load(as: SIMD16<Float>.self), pb.load(fromByteOffset: 64, as: SIMD16<Float>.self))
            pa += 8
        }
        tile.store(c, ldc, alpha, s)
    }

    /// The implicit-GEMM convolution (`Conv2dImplicit`) reads one operand straight from rows of
    /// a zero-padded image instead of a packed panel: patch row p = (c, kh, kw) is the padded
    /// plane of channel c read from offset kh·Wp + kw, so there is no im2col copy.

    /// acc[r, c] = Σ_k a[k·8 + r] · b[offsets[k] + c] (a packed 8-row A panel, B rows read in
    /// place: 32 contiguous floats from `b + offsets[k]`); then C = acc + s·C.
    @inline(never)
    static func kernel8x32ShiftedB(_ kc: Int, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
                                   _ offsets: UnsafePointer<Int>, _ c: UnsafeMutablePointer<Float>, _ ldc: Int, s: Float) {
        var tile = Tile()
        var pa = a
        let base = UnsafeRawPointer(b)
        for k in 0..<kc {
            let pb = base + offsets[k] * 4
            tile.add(pa[0], pa[1], pa[2], pa[3], pa[4], pa[5], pa[6], pa[7],
                     pb.loadUnaligned(as: SIMD16<Float>.self), pb.loadUnaligned(fromByteOffset: 64, as: SIMD16<Float>.self))
            pa += 8
        }
        tile.store(c, ldc, 1, s)
    }

    /// acc[r, c] = Σ_k a_r[k] · b[k·32 + c] (the 8 A rows read in place from `a + offsets[r]`, a
    /// packed 32-column B panel); then C = acc + s·C.
    @inline(never)
    static func kernel8x32ShiftedA(_ kc: Int, _ a: UnsafePointer<Float>, _ offsets: UnsafePointer<Int>,
                                   _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>, _ ldc: Int, s: Float) {
        var tile = Tile()
        let a0 = a + offsets[0], a1 = a + offsets[1], a2 = a + offsets[2], a3 = a + offsets[3]
        let a4 = a + offsets[4], a5 = a + offsets[5], a6 = a + offsets[6], a7 = a + offsets[7]
        var pb = UnsafeRawPointer(b)
        for k in 0..<kc {
            tile.add(a0[k], a1[k], a2[k], a3[k], a4[k], a5[k], a6[k], a7[k],
                     pb.load(as: SIMD16<Float>.self), pb.load(fromByteOffset: 64, as: SIMD16<Float>.self))
            pb += 128
        }
        tile.store(c, ldc, 1, s)
    }

    /// The 8×32 accumulator tile: 16 `SIMD16<Float>`, kept in registers by every kernel above
    /// (they live in this file so that even per-file debug builds inline it).
    struct Tile {
        var c00 = SIMD16<Float>(), c01 = SIMD16<Float>()
        var c10 = SIMD16<Float>(), c11 = SIMD16<Float>()
        var c20 = SIMD16<Float>(), c21 = SIMD16<Float>()
        var c30 = SIMD16<Float>(), c31 = SIMD16<Float>()
        var c40 = SIMD16<Float>(), c41 = SIMD16<Float>()
        var c50 = SIMD16<Float>(), c51 = SIMD16<Float>()
        var c60 = SIMD16<Float>(), c61 = SIMD16<Float>()
        var c70 = SIMD16<Float>(), c71 = SIMD16<Float>()

        /// One k step: row r of the tile += a_r · (b0, b1), one fma per lane.
        @inline(__always)
        mutating func add(_ a0: Float, _ a1: Float, _ a2: Float, _ a3: Float, _ a4: Float, _ a5: Float, _ a6: Float,
                          _ a7: Float, _ b0: SIMD16<Float>, _ b1: SIMD16<Float>) {
            var av = SIMD16<Float>(repeating: a0)
            c00.addProduct(av, b0); c01.addProduct(av, b1)
            av = SIMD16<Float>(repeating: a1)
            c10.addProduct(av, b0); c11.addProduct(av, b1)
            av = SIMD16<Float>(repeating: a2)
            c20.addProduct(av, b0); c21.addProduct(av, b1)
            av = SIMD16<Float>(repeating: a3)
            c30.addProduct(av, b0); c31.addProduct(av, b1)
            av = SIMD16<Float>(repeating: a4)
            c40.addProduct(av, b0); c41.addProduct(av, b1)
            av = SIMD16<Float>(repeating: a5)
            c50.addProduct(av, b0); c51.addProduct(av, b1)
            av = SIMD16<Float>(repeating: a6)
            c60.addProduct(av, b0); c61.addProduct(av, b1)
            av = SIMD16<Float>(repeating: a7)
            c70.addProduct(av, b0); c71.addProduct(av, b1)
        }

        /// C[r, c] = α·acc + s·C[r, c] for the 8 rows (C not read when `s == 0`).
        @inline(__always)
        func store(_ c: UnsafeMutablePointer<Float>, _ ldc: Int, _ alpha: Float, _ s: Float) {
            Tile.storeRow(c00, c01, c, alpha, s)
            Tile.storeRow(c10, c11, c + ldc, alpha, s)
            Tile.storeRow(c20, c21, c + 2 * ldc, alpha, s)
            Tile.storeRow(c30, c31, c + 3 * ldc, alpha, s)
            Tile.storeRow(c40, c41, c + 4 * ldc, alpha, s)
            Tile.storeRow(c50, c51, c + 5 * ldc, alpha, s)
            Tile.storeRow(c60, c61, c + 6 * ldc, alpha, s)
            Tile.storeRow(c70, c71, c + 7 * ldc, alpha, s)
        }

        @inline(__always)
        static func storeRow(_ x0: SIMD16<Float>, _ x1: SIMD16<Float>, _ c: UnsafeMutablePointer<Float>,
                             _ alpha: Float, _ s: Float) {
            let raw = UnsafeMutableRawPointer(c)
            var r0 = alpha * x0, r1 = alpha * x1
            if s != 0 {
                r0 += s * raw.loadUnaligned(as: SIMD16<Float>.self)
                r1 += s * raw.loadUnaligned(fromByteOffset: 64, as: SIMD16<Float>.self)
            }
            raw.storeBytes(of: r0, as: SIMD16<Float>.self)
            raw.storeBytes(of: r1, toByteOffset: 64, as: SIMD16<Float>.self)
        }
    }

    /// Edge tiles: the same accumulation (over every step, or over the kept ones of `gather`) into
    /// a scratch tile, then the same combine on the `rows × cols` part that exists in C.
    static func kernelEdge(_ kc: Int, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
                           _ c: UnsafeMutablePointer<Float>, _ ldc: Int, rows: Int, cols: Int,
                           alpha: Float, s: Float, scratch: UnsafeMutablePointer<Float>,
                           gather: (offsets: UnsafePointer<Int32>, count: Int)? = nil) {
        if let gather {
            kernel8x32Gathered(gather.count, a, b, gather.offsets, scratch, nr, alpha: 1, s: 0)
        } else {
            kernel8x32(kc, a, b, scratch, nr, alpha: 1, s: 0)
        }
        for r in 0..<rows {
            for j in 0..<cols {
                let acc = scratch[r * nr + j]
                var v = alpha * acc
                if s != 0 { v += s * c[r * ldc + j] }
                c[r * ldc + j] = v
            }
        }
    }
}

extension SIMD16 where Scalar == Float {
    /// self += a·b with one rounding (a fused multiply-add per lane).
    @inline(__always)
    mutating func addProduct(_ a: SIMD16<Float>, _ b: SIMD16<Float>) {
        self = self.addingProduct(a, b)
    }
}
