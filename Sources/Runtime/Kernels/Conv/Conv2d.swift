/// 2-D convolution (cross-correlation, as PyTorch) forward and both backward passes.
///
/// Layouts: input is [N, C, H, W], weight is [OC, C/groups, KH, KW], bias is [OC],
/// output is [N, OC, OH, OW] (see `Conv2dShape`).
///
/// How: im2col + GEMM per image and group. For image n and group g, with col = im2col(x[n, g])
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

    /// y = conv(x, w) + bias, then `activation` (fused into the GEMM epilogue).
    public static func forward(_ s: Conv2dShape, x: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                               bias: UnsafePointer<Float>?, y: UnsafeMutablePointer<Float>,
                               activation: Activation = .identity, pool: ThreadPool = .default) {
        s.validate()
        let spatial = s.outH * s.outW, inPlane = s.height * s.width
        let colFloats = s.isPointwise ? 0 : s.patch * spatial
        pool.parallelFor(s.batch) { n in
            let col = UnsafeMutablePointer<Float>.allocate(capacity: max(colFloats, 1))
            defer { col.deallocate() }
            for g in 0..<s.groups {
                let xg = x + (n * s.inChannels + g * s.groupIn) * inPlane
                let yg = y + (n * s.outChannels + g * s.groupOut) * spatial
                let b: UnsafePointer<Float>
                if s.isPointwise { b = xg } else { Im2col.im2col(s, xg, col); b = UnsafePointer(col) }
                let epilogue = (bias == nil && activation == .identity) ? nil :
                    GemmEpilogue(bias: bias.map { $0 + g * s.groupOut }, biasAxis: .rows, activation: activation)
                Gemm.sgemm(m: s.groupOut, n: spatial, k: s.patch, a: weight + g * s.groupOut * s.patch, lda: s.patch,
                           b: b, ldb: spatial, c: yg, ldc: spatial, epilogue: epilogue, pool: serial)
            }
        }
    }

    /// dx = ∂L/∂x given dy (overwrites dx).
    public static func backwardData(_ s: Conv2dShape, dy: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                                    dx: UnsafeMutablePointer<Float>, pool: ThreadPool = .default) {
        s.validate()
        let spatial = s.outH * s.outW, inPlane = s.height * s.width
        pool.parallelFor(s.batch) { n in
            let col = UnsafeMutablePointer<Float>.allocate(capacity: max(s.patch * spatial, 1))
            defer { col.deallocate() }
            for g in 0..<s.groups {
                let dxg = dx + (n * s.inChannels + g * s.groupIn) * inPlane
                let dyg = dy + (n * s.outChannels + g * s.groupOut) * spatial
                let wg = weight + g * s.groupOut * s.patch
                if s.isPointwise {
                    Gemm.sgemm(transA: true, m: s.patch, n: spatial, k: s.groupOut, a: wg, lda: s.patch,
                               b: dyg, ldb: spatial, c: dxg, ldc: spatial, pool: serial)
                } else {
                    Gemm.sgemm(transA: true, m: s.patch, n: spatial, k: s.groupOut, a: wg, lda: s.patch,
                               b: dyg, ldb: spatial, c: col, ldc: spatial, pool: serial)
                    dxg.update(repeating: 0, count: s.groupIn * inPlane)
                    Im2col.col2im(s, col, dxg)
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
        let spatial = s.outH * s.outW, inPlane = s.height * s.width
        let wCount = s.weightCount
        let chunks = (s.batch + weightChunk - 1) / weightChunk
        let partials = UnsafeMutablePointer<Float>.allocate(capacity: max(chunks * wCount, 1))
        defer { partials.deallocate() }
        let colFloats = s.isPointwise ? 0 : s.patch * spatial
        pool.parallelFor(chunks) { chunk in
            let part = partials + chunk * wCount
            let col = UnsafeMutablePointer<Float>.allocate(capacity: max(colFloats, 1))
            defer { col.deallocate() }
            let n0 = chunk * weightChunk, n1 = min(s.batch, n0 + weightChunk)
            for n in n0..<n1 {
                for g in 0..<s.groups {
                    let xg = x + (n * s.inChannels + g * s.groupIn) * inPlane
                    let dyg = dy + (n * s.outChannels + g * s.groupOut) * spatial
                    let b: UnsafePointer<Float>
                    if s.isPointwise { b = xg } else { Im2col.im2col(s, xg, col); b = UnsafePointer(col) }
                    // part_g (+)= dy[n, g] [OCg, S] · colᵀ [S, patch]
                    Gemm.sgemm(transB: true, m: s.groupOut, n: s.patch, k: spatial, a: dyg, lda: spatial,
                               b: b, ldb: spatial, beta: n == n0 ? 0 : 1, c: part + g * s.groupOut * s.patch,
                               ldc: s.patch, pool: serial)
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
        if let dbias {
            Bias.gradChannels(batch: s.batch, channels: s.outChannels, spatial: spatial, dy, dbias: dbias, accumulate: accumulate)
        }
    }
}
