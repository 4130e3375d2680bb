import RuntimeIntrinsics

/// 3×3 stride-1 convolutions as Winograd F(2×2, 3×3) (Lavin & Gray 2016, "Fast Algorithms for
/// Convolutional Neural Networks"): each 2×2 output tile is Aᵀ·[Σ_c (G·g·Gᵀ) ⊙ (Bᵀ·d·B)]·A over
/// its 4×4 input tile d, so the channel sums take 16 multiplies per tile instead of 36. For
/// every one of the 16 tile positions ξ the channel sum is a GEMM, M_ξ[k, t] = Σ_c U_ξ[k, c]·V_ξ[c, t],
/// run by the GEMM's 8×32 micro-kernel with the transformed weights U as packed A panels and the
/// transformed tiles V written straight into packed B panels (32 tiles each).
///
/// Geometry: one image at a time, copied into zero-padded planes (zeroed once per run of images)
/// of (2·tilesY + 2) × (2·TX + 2), where TX is the tiles of a row rounded up to 16 (one vector of
/// tiles); tile t = ty·TX + tx. Tiles past a row
/// are computed from zeros and dropped. Used where it wins: 3×3, stride 1, undilated, ungrouped,
/// at least 16 input and output channels and outputs at least 24 wide (the residual layers of
/// the Shake-Shake net; the tutorial CNN's 14-wide second layer would waste half its tiles).
/// The data gradient is the same transform of the transposed convolution.
///
/// The arithmetic differs from direct convolution (the transforms add and subtract before the
/// products): results agree to rounding, not to the bit. Every output element's sums run in a
/// fixed order that depends on the shape only, and images are the parallel work items, so the
/// results do not depend on the thread count.
enum Conv2dWinograd {
    static func handles(_ s: Conv2dShape) -> Bool {
        s.kernelH == 3 && s.kernelW == 3 && s.strideH == 1 && s.strideW == 1 && s.dilationH == 1 && s.dilationW == 1
            && s.groups == 1 && s.inChannels >= 16 && s.outChannels >= 16 && s.outW >= 24 && s.outH >= 2
            && s.padH <= 2 && s.padW <= 2
    }

    /// The data gradient as the forward of the transposed convolution (padding 2 − pad).
    static func handlesData(_ s: Conv2dShape) -> Bool { s.padH <= 2 && s.padW <= 2 && handles(transposed(s)) }

    /// dy (OC channels of OH × OW) padded by 2 − pad, convolved with the flipped kernel, is dx.
    static func transposed(_ s: Conv2dShape) -> Conv2dShape {
        var t = s
        (t.inChannels, t.outChannels, t.height, t.width, t.padH, t.padW) =
            (s.outChannels, s.inChannels, s.outH, s.outW, 2 - s.padH, 2 - s.padW)
        return t
    }

    static func forward(_ s: Conv2dShape, x: UnsafePointer<Float>, weight: UnsafePointer<Float>, epilogue: GemmEpilogue?,
                        y: UnsafeMutablePointer<Float>, statistics: UnsafeMutablePointer<Double>?, pool: ThreadPool) {
        run(s, x: x, y: y, epilogue: epilogue, statistics: statistics, pool: pool) { k, c, kh, kw in weight[((k * s.inChannels + c) * 3 + kh) * 3 + kw] }
    }

    static func backwardData(_ s: Conv2dShape, dy: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                             dx: UnsafeMutablePointer<Float>, pool: ThreadPool) {
        let t = transposed(s)
        run(t, x: dy, y: dx, epilogue: nil, statistics: nil, pool: pool) { c, k, kh, kw in weight[((k * s.inChannels + c) * 3 + 2 - kh) * 3 + 2 - kw] }
    }

    /// The tiling of shape `s`.
    struct Tiles {
        let tilesY: Int, tilesX: Int, rowTiles: Int, panels: Int
        let paddedH: Int, paddedW: Int

        init(_ s: Conv2dShape) {
            tilesY = (s.outH + 1) / 2
            tilesX = (s.outW + 1) / 2
            rowTiles = Conv2dImplicit.roundUp(tilesX, 16)
            panels = (tilesY * rowTiles + 31) / 32
            paddedH = 2 * tilesY + 2
            paddedW = 2 * rowTiles + 2
        }
        var count: Int { panels * 32 }
    }

    /// y = conv(x, w) (+ epilogue) for weights given as w(out, in, kh, kw).
    private static func run(_ s: Conv2dShape, x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, epilogue: GemmEpilogue?,
                            statistics: UnsafeMutablePointer<Double>?, pool: ThreadPool, weight: (Int, Int, Int, Int) -> Float) {
        let c = s.inChannels, k = s.outChannels, kp = Conv2dImplicit.roundUp(k, 8)
        let tiles = Tiles(s)
        let plane = tiles.paddedH * tiles.paddedW
        let padded = Conv2dImplicit.roundUp(c * plane, 16)   // keeps the B panels after it 64-byte aligned
        // The 16 planes of V and of M, 64 bytes more than their size apart: a whole number of
        // 4 KiB pages apart, the 16 loads or stores of one tile vector would share an L1 set.
        let vPlane = tiles.panels * c * 32 + 16, mPlane = kp * tiles.count + 16
        let vFloats = 16 * vPlane, mFloats = 16 * mPlane
        let inPlane = s.height * s.width
        GemmScratch.shared.withBuffer(floats: 16 * kp * c) { u in
            u.update(repeating: 0, count: 16 * kp * c)
            pool.parallelFor(k) { o in transformWeights(o, c: c, kp: kp, u: u, weight: weight) }
            pool.forEachImage(s.batch, scratch: padded + vFloats + mFloats, prepare: { $0.update(repeating: 0, count: padded) }) { n, work in
                let xp = work, v = work + padded, m = v + vFloats
                copyPlanes(xp + s.padH * tiles.paddedW + s.padW, rowStride: tiles.paddedW, planeStride: plane,
                           from: x + n * c * inPlane, channels: c, height: s.height, width: s.width)
                transformInput(xp, channels: c, tiles, plane: vPlane, into: v)
                for xi in 0..<16 {
                    let a = u + xi * kp * c, b = v + xi * vPlane, mx = m + xi * mPlane
                    for panel in 0..<tiles.panels {
                        for r in stride(from: 0, to: kp, by: 8) {
                            GemmMicroKernel.kernel8x32(c, a + r * c, b + panel * c * 32, mx + r * tiles.count + panel * 32,
                                                       tiles.count, alpha: 1, s: 0)
                        }
                    }
                }
                transformOutput(m, plane: mPlane, tiles, s, image: n, into: y, epilogue: epilogue, statistics: statistics)
            }
        }
    }

    /// U_ξ = (G·g·Gᵀ)_ξ of output channel `o` for every input channel, into packed A panels:
    /// u[ξ][o / 8][c][o % 8] (the rows past the last channel stay zero).
    /// G = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1].
    static func transformWeights(_ o: Int, c: Int, kp: Int, u: UnsafeMutablePointer<Float>, weight: (Int, Int, Int, Int) -> Float) {
        for i in 0..<c {
            // G·g (4 × 3), then each of its rows times Gᵀ.
            var gg = SIMD16<Float>()
            for col in 0..<3 {
                let g0 = weight(o, i, 0, col), g1 = weight(o, i, 1, col), g2 = weight(o, i, 2, col)
                gg[col] = g0
                gg[3 + col] = 0.5 * (g0 + g1 + g2)
                gg[6 + col] = 0.5 * (g0 - g1 + g2)
                gg[9 + col] = g2
            }
            for row in 0..<4 {
                let r0 = gg[3 * row], r1 = gg[3 * row + 1], r2 = gg[3 * row + 2]
                let values = SIMD4<Float>(r0, 0.5 * (r0 + r1 + r2), 0.5 * (r0 - r1 + r2), r2)
                for col in 0..<4 {
                    u[(((4 * row + col) * kp / 8 + o / 8) * c + i) * 8 + o % 8] = values[col]
                }
            }
        }
    }

    /// V_ξ[c, t] into packed B panels: v[ξ·plane + (t / 32)·32c + 32c + t % 32]; tiles past the
    /// last row are zero.
    static func transformInput(_ xp: UnsafePointer<Float>, channels c: Int, _ t: Tiles, plane xi: Int,
                               into v: UnsafeMutablePointer<Float>) {
        let plane = t.paddedH * t.paddedW
        withUnsafeTemporaryAllocation(of: Int.self, capacity: t.tilesY) { offsets in
            guard let offsets = offsets.baseAddress else { preconditionFailure("no stack scratch") }
            for ch in 0..<c {
                // A column of tile rows at a time (they share input rows), sixteen tiles wide.
                for tx in stride(from: 0, to: t.rowTiles, by: 16) {
                    for ty in 0..<t.tilesY {
                        let tile = ty * t.rowTiles + tx
                        offsets[ty] = ((tile / 32) * c + ch) * 32 + tile % 32
                    }
                    regula_winograd_input16(xp + ch * plane + 2 * tx, t.paddedW, t.tilesY, v, offsets, xi)
                }
            }
        }
        if (t.tilesY * t.rowTiles) % 32 != 0 {          // the last panel's second half holds no tiles
            for ch in 0..<c {
                for q in 0..<16 { (v + q * xi + ((t.panels - 1) * c + ch) * 32 + 16).update(repeating: 0, count: 16) }
            }
        }
    }

    /// y[n, o] = Aᵀ·M·A of every tile, the rows and columns inside OH × OW, then the epilogue and
    /// the plane's statistics (if recorded) while it is in L1.
    static func transformOutput(_ m: UnsafePointer<Float>, plane xi: Int, _ t: Tiles, _ s: Conv2dShape, image n: Int,
                                into y: UnsafeMutablePointer<Float>, epilogue: GemmEpilogue?,
                                statistics: UnsafeMutablePointer<Double>?) {
        let oh = s.outH, ow = s.outW, yn = y + n * s.outChannels * oh * ow
        for o in 0..<s.outChannels {
            let yk = yn + o * oh * ow
            for ty in 0..<t.tilesY {
                let row0 = yk + 2 * ty * ow, row1: UnsafeMutablePointer<Float>? = 2 * ty + 1 < oh ? row0 + ow : nil
                for tx in stride(from: 0, to: t.rowTiles, by: 16) where 2 * tx < ow {
                    regula_winograd_output16(m + o * t.count + ty * t.rowTiles + tx, xi, row0 + 2 * tx, row1.map { $0 + 2 * tx },
                                             Int32(min(32, ow - 2 * tx)))
                }
            }
            epilogue?.apply(yn, ldc: oh * ow, i0: o, rows: 1, j0: 0, cols: oh * ow)
            Conv2d.recordStatistics(statistics, image: n, channel: o, y, s)
        }
    }
}
