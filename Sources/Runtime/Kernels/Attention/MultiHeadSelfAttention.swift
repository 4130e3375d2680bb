/// Multi-head self-attention over `[N, T, D]` with `nn.MultiheadAttention` parameters
/// (`in_proj_weight [3D, D]`, `in_proj_bias [3D]`, `out_proj.weight [D, D]`, `out_proj.bias [D]`):
///   qkv = x·W_inᵀ + b_in,  ctx = merge(Attention(split(q), split(k), split(v))),  y = ctx·W_outᵀ + b_out.
/// Dropout on the attention weights (inverted, after the softmax) uses a mask drawn from the op's
/// stream, weight (n, h, i, j) kept iff u(((n·H + h)·T + i)·T + j) < 1−p; the backward
/// regenerates it. Shared by the interpreter and the code `regula compile` emits.
public struct MultiHeadSelfAttention {
    public let n: Int, steps: Int, dim: Int, heads: Int, causal: Bool
    public let dropout: Double
    /// The op's keyed stream at this step; nil in evaluation (or with no key).
    public let stream: RandomStream?
    public let pool: ThreadPool
    public let scratch: (String, Int) -> UnsafeMutablePointer<Float>

    public init(batch n: Int, steps: Int, dim: Int, heads: Int, causal: Bool, dropout: Double, stream: RandomStream?,
                pool: ThreadPool, scratch: @escaping (String, Int) -> UnsafeMutablePointer<Float>) {
        self.n = n; self.steps = steps; self.dim = dim; self.heads = heads; self.causal = causal
        self.dropout = dropout; self.stream = stream; self.pool = pool; self.scratch = scratch
    }

    var headDim: Int { dim / heads }
    var rows: Int { n * steps }
    var kernelShape: Attention.Shape {
        Attention.Shape(batch: n, heads: heads, queries: steps, keys: steps, dim: headDim, causal: causal)
    }

    /// The dropout mask over the attention weights ([N, H, T, T], 0 or 1/q), nil when inactive.
    func mask() -> UnsafePointer<Float>? {
        guard dropout > 0, let stream else { return nil }
        let q = Float(1 - dropout), scale: Float = q > 0 ? 1 / q : 0
        let count = n * heads * steps * steps
        let m = scratch("attention.mask", count)
        stream.fillBernoulli(m, count: count, keep: q, value: scale, pool: pool)
        return UnsafePointer(m)
    }

    /// Part `part` (0 q, 1 k, 2 v) of qkv [N, T, 3D] into the kernel's [N, H, T, d] layout.
    func splitPart(_ qkv: UnsafePointer<Float>, _ part: Int, into y: UnsafeMutablePointer<Float>) {
        let d = headDim
        for b in 0..<n { for t in 0..<steps { for hd in 0..<heads {
            (y + ((b * heads + hd) * steps + t) * d).update(from: qkv + (b * steps + t) * 3 * dim + part * dim + hd * d, count: d)
        } } }
    }

    /// The backward of `splitPart`: [N, H, T, d] into part `part` of dqkv [N, T, 3D].
    func mergePart(_ x: UnsafePointer<Float>, _ part: Int, into qkv: UnsafeMutablePointer<Float>) {
        let d = headDim
        for b in 0..<n { for t in 0..<steps { for hd in 0..<heads {
            (qkv + (b * steps + t) * 3 * dim + part * dim + hd * d).update(from: x + ((b * heads + hd) * steps + t) * d, count: d)
        } } }
    }

    /// y from x; `saved` = (qkv, probs, ctx) for the backward in training, nil in evaluation.
    public func forward(x: UnsafePointer<Float>, inWeight: UnsafePointer<Float>, inBias: UnsafePointer<Float>,
                        outWeight: UnsafePointer<Float>, outBias: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>,
                        saved: (qkv: UnsafeMutablePointer<Float>, probs: UnsafeMutablePointer<Float>, ctx: UnsafeMutablePointer<Float>)?) {
        let probsCount = n * heads * steps * steps
        let q = scratch("attention.forward", 4 * rows * dim + (saved != nil ? 0 : 3 * rows * dim + probsCount + rows * dim))
        let k = q + rows * dim, v = k + rows * dim, out = v + rows * dim
        let extra = out + rows * dim
        let qkv = saved?.qkv ?? extra
        let probs = saved?.probs ?? extra + 3 * rows * dim
        let ctx = saved?.ctx ?? probs + probsCount
        Gemm.sgemm(transB: true, m: rows, n: 3 * dim, k: dim, a: x, lda: dim, b: inWeight, ldb: dim,
                   c: qkv, ldc: 3 * dim, epilogue: GemmEpilogue(bias: inBias), pool: pool)
        splitPart(qkv, 0, into: q); splitPart(qkv, 1, into: k); splitPart(qkv, 2, into: v)
        Attention.forward(kernelShape, q: q, k: k, v: v, dropoutMask: mask(), probs: probs, out: out, pool: pool)
        Attention.mergeHeads(batch: n, steps: steps, heads: heads, dim: headDim, out, ctx)
        Gemm.sgemm(transB: true, m: rows, n: dim, k: dim, a: ctx, lda: dim, b: outWeight, ldb: dim,
                   c: y, ldc: dim, epilogue: GemmEpilogue(bias: outBias), pool: pool)
    }

    /// dx and the parameter gradients from dy and the forward's saved (qkv, probs, ctx).
    public func backward(dy: UnsafePointer<Float>, x: UnsafePointer<Float>, inWeight: UnsafePointer<Float>, outWeight: UnsafePointer<Float>,
                         qkv: UnsafePointer<Float>, probs: UnsafePointer<Float>, ctx: UnsafePointer<Float>,
                         dx: UnsafeMutablePointer<Float>, dInWeight: UnsafeMutablePointer<Float>, dInBias: UnsafeMutablePointer<Float>,
                         dOutWeight: UnsafeMutablePointer<Float>, dOutBias: UnsafeMutablePointer<Float>) {
        let q = scratch("attention.backward", 8 * rows * dim + 3 * rows * dim)
        let k = q + rows * dim, v = k + rows * dim
        let dout = v + rows * dim, dq = dout + rows * dim, dk = dq + rows * dim, dv = dk + rows * dim
        let dctx = dv + rows * dim, dqkv = dctx + rows * dim
        // Output projection: dW_out = dyᵀ·ctx, db_out = Σ dy, dctx = dy·W_out.
        Gemm.sgemm(transA: true, m: dim, n: dim, k: rows, a: dy, lda: dim, b: ctx, ldb: dim, c: dOutWeight, ldc: dim, pool: pool)
        Bias.gradColumns(m: rows, n: dim, dy, ld: dim, dbias: dOutBias, pool: pool)
        Gemm.sgemm(m: rows, n: dim, k: dim, a: dy, lda: dim, b: outWeight, ldb: dim, c: dctx, ldc: dim, pool: pool)
        // Heads, through the same dropout mask.
        Attention.splitHeads(batch: n, steps: steps, heads: heads, dim: headDim, dctx, dout)
        splitPart(qkv, 0, into: q); splitPart(qkv, 1, into: k); splitPart(qkv, 2, into: v)
        Attention.backward(kernelShape, q: q, k: k, v: v, dropoutMask: mask(), probs: probs,
                           dout: dout, dq: dq, dk: dk, dv: dv, pool: pool)
        mergePart(dq, 0, into: dqkv); mergePart(dk, 1, into: dqkv); mergePart(dv, 2, into: dqkv)
        // Input projection: dW_in = dqkvᵀ·x, db_in = Σ dqkv, dx = dqkv·W_in.
        Gemm.sgemm(transA: true, m: 3 * dim, n: dim, k: rows, a: dqkv, lda: 3 * dim, b: x, ldb: dim, c: dInWeight, ldc: dim, pool: pool)
        Bias.gradColumns(m: rows, n: 3 * dim, dqkv, ld: 3 * dim, dbias: dInBias, pool: pool)
        Gemm.sgemm(m: rows, n: dim, k: 3 * dim, a: dqkv, lda: 3 * dim, b: inWeight, ldb: dim, c: dx, ldc: dim, pool: pool)
    }
}
