/// 2-D convolution (cross-correlation, as PyTorch) forward and both backward passes.
///
/// Layouts: input is [N, C, H, W], weight is [OC, C/groups, KH, KW], bias is [OC],
/// output is [N, OC, OH, OW] (see `Conv2dShape`).
///
/// How: wide 3×3 stride-1 layers with 16 or more channels run as Winograd F(2×2, 3×3)
/// (`Conv2dWinograd`, forward and data gradient). Other stride-1 convolutions (and every weight
/// gradient of one) run as implicit GEMMs over
/// a zero-padded copy of each image, reading the patch rows in place (`Conv2dImplicit`). Strided
/// convolutions use im2col + GEMM per image and group, with im2col writing the GEMM's packed operand
/// layout directly (`Im2colPacked`) and the weights packed once per call. For image n and group g, with col = im2col(x[n, g])
/// of shape [Cg·KH·KW, OH·OW] and W_g viewed as [OCg, Cg·KH·KW]:
///   forward          y[n, g]  = W_g · col                 (+ bias, activation in the GEMM epilogue)
///   backward data    dx[n, g] = col2im(W_gᵀ · dy[n, g])
///   backward weight  dW_g     = Σ_n dy[n, g] · colᵀ
/// 1×1 stride-1 unpadded convolutions skip im2col (x[n, g] already is col).
/// Parallelism: images are independent work items (each runs its GEMMs on one thread), which
/// suits small CNN layers far better than splitting each small GEMM. The weight gradient is a sum
/// over images: images are grouped in fixed chunks of `weightChunk`, each chunk sums its images in
/// order into its own partial, and the partials are added in chunk order, so the result does not
/// depend on the thread count.
public enum Conv2d {
    /// Images per partial sum of the weight gradient (fixed: part of the summation order).
    static let weightChunk = 8
    static let serial = ThreadPool(threads: 1)

    /// y = conv(x, w) + bias, then `activation` (fused into the GEMM epilogue). With `statistics`
    /// ([N, OC, 2]), each output plane's `BatchNorm.statistics` are recorded while it is in cache,
    /// for the training batch norm that reads y.
    public static func forward(_ s: Conv2dShape, x: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                               bias: UnsafePointer<Float>?, y: UnsafeMutablePointer<Float>,
                               activation: Activation = .identity, statistics: UnsafeMutablePointer<Double>? = nil,
                               pool: ThreadPool = .default) {
        s.validate()
        // Group g's bias and activation, run on its output while it is in cache.
        let epilogue = { (g: Int) -> GemmEpilogue? in
            (bias == nil && activation == .identity) ? nil :
                GemmEpilogue(bias: bias.map { $0 + g * s.groupOut }, biasAxis: .rows, activation: activation)
        }
        if Conv2dWinograd.handles(s) {
            return Conv2dWinograd.forward(s, x: x, weight: weight, epilogue: epilogue(0), y: y, statistics: statistics, pool: pool)
        }
        if Conv2dImplicit.handles(s) {
            return Conv2dImplicit.forward(s, x: x, weight: weight, epilogue: epilogue, y: y, statistics: statistics, pool: pool)
        }
        let spatial = s.outH * s.outW, inPlane = s.height * s.width
        let wFloats = Gemm.packedCountA(m: s.groupOut, k: s.patch)
        let colFloats = Gemm.packedCountB(n: spatial, k: s.patch)
        // The weights are packed once per call and shared by all images.
        GemmScratch.shared.withBuffer(floats: s.groups * wFloats) { packedW in
            for g in 0..<s.groups {
                Gemm.packA(m: s.groupOut, k: s.patch, a: weight + g * s.groupOut * s.patch, lda: s.patch, into: packedW + g * wFloats)
            }
            pool.forEachImage(s.batch, scratch: colFloats) { n, col in
                for g in 0..<s.groups {
                    let xg = x + (n * s.inChannels + g * s.groupIn) * inPlane
                    let yg = y + (n * s.outChannels + g * s.groupOut) * spatial
                    if s.isPointwise {
                        Gemm.packB(n: spatial, k: s.patch, b: xg, ldb: spatial, into: col)
                    } else {
                        Im2colPacked.asB(s, xg, col)
                    }
                    Gemm.sgemmPacked(m: s.groupOut, n: spatial, k: s.patch, packedA: packedW + g * wFloats, packedB: col,
                                     c: yg, ldc: spatial, epilogue: epilogue(g), pool: serial)
                }
                recordStatistics(statistics, image: n, y, s)
            }
        }
    }

    /// `BatchNorm.statistics` of output plane `oc` of image `n` into `statistics` (if any).
    @inline(__always)
    static func recordStatistics(_ statistics: UnsafeMutablePointer<Double>?, image n: Int, channel oc: Int,
                                 _ y: UnsafePointer<Float>, _ s: Conv2dShape) {
        guard let statistics else { return }
        let spatial = s.outH * s.outW, at = n * s.outChannels + oc
        let (m, m2) = BatchNorm.statistics(y + at * spatial, count: spatial)
        statistics[2 * at] = m
        statistics[2 * at + 1] = m2
    }

    /// Every output plane of image `n`.
    static func recordStatistics(_ statistics: UnsafeMutablePointer<Double>?, image n: Int, _ y: UnsafePointer<Float>, _ s: Conv2dShape) {
        guard statistics != nil else { return }
        for oc in 0..<s.outChannels { recordStatistics(statistics, image: n, channel: oc, y, s) }
    }

    /// dx = ∂L/∂x given dy (overwrites dx).
    public static func backwardData(_ s: Conv2dShape, dy: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                                    dx: UnsafeMutablePointer<Float>, pool: ThreadPool = .default) {
        s.validate()
        if Conv2dWinograd.handlesData(s) { return Conv2dWinograd.backwardData(s, dy: dy, weight: weight, dx: dx, pool: pool) }
        if Conv2dImplicit.handlesData(s) { return Conv2dImplicit.backwardData(s, dy: dy, weight: weight, dx: dx, pool: pool) }
        let spatial = s.outH * s.outW, inPlane = s.height * s.width
        let wFloats = Gemm.packedCountA(m: s.patch, k: s.groupOut)
        let dyFloats = Gemm.packedCountB(n: spatial, k: s.groupOut)
        GemmScratch.shared.withBuffer(floats: s.groups * wFloats) { packedW in
            for g in 0..<s.groups {
                Gemm.packA(transA: true, m: s.patch, k: s.groupOut, a: weight + g * s.groupOut * s.patch, lda: s.patch,
                           into: packedW + g * wFloats)
            }
            pool.forEachImage(s.batch, scratch: dyFloats + (s.isPointwise ? 0 : s.patch * spatial)) { n, work in
                let packedDy = work, col = work + dyFloats
                for g in 0..<s.groups {
                    let dxg = dx + (n * s.inChannels + g * s.groupIn) * inPlane
                    let dyg = dy + (n * s.outChannels + g * s.groupOut) * spatial
                    Gemm.packB(n: spatial, k: s.groupOut, b: dyg, ldb: spatial, into: packedDy)
                    if s.isPointwise {
                        Gemm.sgemmPacked(m: s.patch, n: spatial, k: s.groupOut, packedA: packedW + g * wFloats,
                                         packedB: packedDy, c: dxg, ldc: spatial, pool: serial)
                    } else {
                        Gemm.sgemmPacked(m: s.patch, n: spatial, k: s.groupOut, packedA: packedW + g * wFloats,
                                         packedB: packedDy, c: col, ldc: spatial, pool: serial)
                        dxg.update(repeating: 0, count: s.groupIn * inPlane)
                        Im2col.col2im(s, col, dxg)
                    }
                }
            }
        }
    }

    /// dweight = ∂L/∂w and, if `dbias` is given, dbias = Σ_{n,h,w} dy (both overwritten, or added
    /// to when `accumulate` is true).
    public static func backwardWeight(_ s: Conv2dShape, x: UnsafePointer<Float>, dy: UnsafePointer<Float>,
                                      dweight: UnsafeMutablePointer<Float>, dbias: UnsafeMutablePointer<Float>?,
                                      accumulate: Bool = false, pool: ThreadPool = .default) {
        s.validate()
        // A patch narrower than one 32-column panel (a first layer on one input channel) would
        // waste most of the implicit GEMM's 8-row panels; the dot-product path suits it.
        if Conv2dImplicit.handles(s) && s.patch >= GemmMicroKernel.nr {
            Conv2dImplicit.backwardWeight(s, x: x, dy: dy, dweight: dweight, accumulate: accumulate, pool: pool)
        } else {
            im2colBackwardWeight(s, x: x, dy: dy, dweight: dweight, accumulate: accumulate, pool: pool)
        }
        if let dbias {
            Bias.gradChannels(batch: s.batch, channels: s.outChannels, spatial: s.outH * s.outW, dy, dbias: dbias, accumulate: accumulate)
        }
    }

    /// The weight gradient through im2col (strided convolutions and narrow patches).
    static func im2colBackwardWeight(_ s: Conv2dShape, x: UnsafePointer<Float>, dy: UnsafePointer<Float>,
                                     dweight: UnsafeMutablePointer<Float>, accumulate: Bool, pool: ThreadPool) {
        let spatial = s.outH * s.outW, inPlane = s.height * s.width
        let wCount = s.weightCount
        let chunks = (s.batch + weightChunk - 1) / weightChunk
        let partials = UnsafeMutablePointer<Float>.allocate(capacity: max(chunks * wCount, 1))
        defer { partials.deallocate() }
        let dyFloats = Gemm.packedCountA(m: s.groupOut, k: spatial)
        let colFloats = max(Gemm.packedCountB(n: s.patch, k: spatial), s.patch * spatial)
        // A patch narrower than one 32-column panel: each weight is a plain dot product over pixels.
        let narrow = s.patch < GemmMicroKernel.nr
        pool.parallelFor(chunks) { chunk in
            let part = partials + chunk * wCount
            GemmScratch.shared.withBuffer(floats: dyFloats + colFloats) { work in
                let packedDy = work, col = work + dyFloats
                let n0 = chunk * weightChunk, n1 = min(s.batch, n0 + weightChunk)
                for n in n0..<n1 {
                    for g in 0..<s.groups {
                        let xg = x + (n * s.inChannels + g * s.groupIn) * inPlane
                        let dyg = dy + (n * s.outChannels + g * s.groupOut) * spatial
                        if narrow {
                            let rows: UnsafePointer<Float>
                            if s.isPointwise { rows = xg } else { Im2col.im2col(s, xg, col); rows = UnsafePointer(col) }
                            let pg = part + g * s.groupOut * s.patch
                            for oc in 0..<s.groupOut {
                                for p in 0..<s.patch {
                                    let v = Reduce.dot(dyg + oc * spatial, rows + p * spatial, count: spatial)
                                    pg[oc * s.patch + p] = n == n0 ? v : pg[oc * s.patch + p] + v
                                }
                            }
                            continue
                        }
                        Gemm.packA(m: s.groupOut, k: spatial, a: dyg, lda: spatial, into: packedDy)
                        if s.isPointwise {
                            Gemm.packB(transB: true, n: s.patch, k: spatial, b: xg, ldb: spatial, into: col)
                        } else {
                            Im2colPacked.asTransposedB(s, xg, col)
                        }
                        // part_g (+)= dy[n, g] [OCg, S] · colᵀ [S, patch]
                        Gemm.sgemmPacked(m: s.groupOut, n: s.patch, k: spatial, packedA: packedDy, packedB: col,
                                         beta: n == n0 ? 0 : 1, c: part + g * s.groupOut * s.patch, ldc: s.patch, pool: serial)
                    }
                }
            }
        }
        if s.batch == 0 {
            if !accumulate { dweight.update(repeating: 0, count: wCount) }
        } else {
            if !accumulate { dweight.update(from: partials, count: wCount) }
            for chunk in (accumulate ? 0 : 1)..<chunks {
                Bias.accumulate(partials + chunk * wCount, into: dweight, count: wCount)
            }
        }
    }
}
