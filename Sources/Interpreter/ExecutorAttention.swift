import IR
import Runtime

/// Multi-head self-attention over `[N, T, D]` with `nn.MultiheadAttention` parameters
/// (`in_proj_weight [3D, D]`, `in_proj_bias [3D]`, `out_proj.weight [D, D]`, `out_proj.bias [D]`):
///   qkv = x·W_inᵀ + b_in,  ctx = merge(Attention(split(q), split(k), split(v))),  y = ctx·W_outᵀ + b_out.
/// Dropout on the attention weights (inverted, after the softmax) uses a mask drawn from the op's
/// key, weight (n, h, i, j) kept iff u(((n·H + h)·T + i)·T + j) < 1−p; the backward regenerates it.
struct SelfAttention {
    let a: AttentionAttrs
    let e: Executor
    let n: Int, steps: Int, dim: Int
    var headDim: Int { dim / a.heads }
    var rows: Int { n * steps }
    var kernelShape: Attention.Shape {
        Attention.Shape(batch: n, heads: a.heads, queries: steps, keys: steps, dim: headDim, causal: a.causal)
    }

    init(_ a: AttentionAttrs, e: Executor, x: ValueID) {
        let s = e.shape(x)
        self.a = a; self.e = e
        n = s[0]; steps = s[1]; dim = s[2]
    }

    /// The dropout mask over the attention weights ([N, H, T, T], 0 or 1/q), nil when inactive.
    func mask() -> Tensor? {
        guard a.train, a.dropout > 0, let key = a.key else { return nil }
        let q = Float(1 - a.dropout), scale: Float = q > 0 ? 1 / q : 0
        let count = n * a.heads * steps * steps
        let m = e.scratch("attention.mask", count)
        e.random(key).fillBernoulli(m.data, count: count, keep: q, value: scale, threads: e.pool.threads)
        return m
    }

    /// Part `part` (0 q, 1 k, 2 v) of qkv [N, T, 3D] into the kernel's [N, H, T, d] layout.
    func splitPart(_ qkv: UnsafePointer<Float>, _ part: Int, into y: UnsafeMutablePointer<Float>) {
        let d = headDim
        for b in 0..<n { for t in 0..<steps { for hd in 0..<a.heads {
            (y + ((b * a.heads + hd) * steps + t) * d).update(from: qkv + (b * steps + t) * 3 * dim + part * dim + hd * d, count: d)
        } } }
    }

    /// The backward of `splitPart`: [N, H, T, d] into part `part` of dqkv [N, T, 3D].
    func mergePart(_ x: UnsafePointer<Float>, _ part: Int, into qkv: UnsafeMutablePointer<Float>) {
        let d = headDim
        for b in 0..<n { for t in 0..<steps { for hd in 0..<a.heads {
            (qkv + (b * steps + t) * 3 * dim + part * dim + hd * d).update(from: x + ((b * a.heads + hd) * steps + t) * d, count: d)
        } } }
    }

    /// [x, in_w, in_b, out_w, out_b] → [y, qkv, probs, ctx] (train) or [y] (eval).
    func forward(_ i: [ValueID], _ o: [ValueID], _ ptr: ExecutorOps.Ptr) {
        let saved = o.count == 4
        let probsCount = n * a.heads * steps * steps
        let scratch = e.scratch("attention.forward", 4 * rows * dim + (saved ? 0 : 3 * rows * dim + probsCount + rows * dim))
        let heads = scratch.data, q = heads, k = q + rows * dim, v = k + rows * dim, out = v + rows * dim
        let extra = out + rows * dim
        let qkv = saved ? ptr(o[1]) : extra
        let probs = saved ? ptr(o[2]) : extra + 3 * rows * dim
        let ctx = saved ? ptr(o[3]) : probs + probsCount
        Gemm.sgemm(transB: true, m: rows, n: 3 * dim, k: dim, a: ptr(i[0]), lda: dim, b: ptr(i[1]), ldb: dim,
                   c: qkv, ldc: 3 * dim, epilogue: GemmEpilogue(bias: ptr(i[2])), pool: e.pool)
        splitPart(qkv, 0, into: q); splitPart(qkv, 1, into: k); splitPart(qkv, 2, into: v)
        let m = mask()
        withExtendedLifetime(m) {
            Attention.forward(kernelShape, q: q, k: k, v: v, dropoutMask: m.map { UnsafePointer($0.data) }, probs: probs, out: out, pool: e.pool)
        }
        Attention.mergeHeads(batch: n, steps: steps, heads: a.heads, dim: headDim, out, ctx)
        Gemm.sgemm(transB: true, m: rows, n: dim, k: dim, a: ctx, lda: dim, b: ptr(i[3]), ldb: dim,
                   c: ptr(o[0]), ldc: dim, epilogue: GemmEpilogue(bias: ptr(i[4])), pool: e.pool)
    }

    /// [dy, x, in_w, in_b, out_w, out_b, qkv, probs, ctx] → [dx, din_w, din_b, dout_w, dout_b].
    func backward(_ i: [ValueID], _ o: [ValueID], _ ptr: ExecutorOps.Ptr) {
        let dy = ptr(i[0]), x = ptr(i[1]), qkv = ptr(i[6]), probs = ptr(i[7]), ctx = ptr(i[8])
        let scratch = e.scratch("attention.backward", 8 * rows * dim + 3 * rows * dim)
        let q = scratch.data, k = q + rows * dim, v = k + rows * dim
        let dout = v + rows * dim, dq = dout + rows * dim, dk = dq + rows * dim, dv = dk + rows * dim
        let dctx = dv + rows * dim, dqkv = dctx + rows * dim
        // Output projection: dW_out = dyᵀ·ctx, db_out = Σ dy, dctx = dy·W_out.
        Gemm.sgemm(transA: true, m: dim, n: dim, k: rows, a: dy, lda: dim, b: ctx, ldb: dim, c: ptr(o[3]), ldc: dim, pool: e.pool)
        Bias.gradColumns(m: rows, n: dim, dy, ld: dim, dbias: ptr(o[4]), pool: e.pool)
        Gemm.sgemm(m: rows, n: dim, k: dim, a: dy, lda: dim, b: ptr(i[4]), ldb: dim, c: dctx, ldc: dim, pool: e.pool)
        // Heads, through the same dropout mask.
        Attention.splitHeads(batch: n, steps: steps, heads: a.heads, dim: headDim, dctx, dout)
        splitPart(qkv, 0, into: q); splitPart(qkv, 1, into: k); splitPart(qkv, 2, into: v)
        let m = mask()
        withExtendedLifetime(m) {
            Attention.backward(kernelShape, q: q, k: k, v: v, dropoutMask: m.map { UnsafePointer($0.data) }, probs: probs,
                               dout: dout, dq: dq, dk: dk, dv: dv, pool: e.pool)
        }
        mergePart(dq, 0, into: dqkv); mergePart(dk, 1, into: dqkv); mergePart(dv, 2, into: dqkv)
        // Input projection: dW_in = dqkvᵀ·x, db_in = Σ dqkv, dx = dqkv·W_in.
        Gemm.sgemm(transA: true, m: 3 * dim, n: dim, k: rows, a: dqkv, lda: 3 * dim, b: x, ldb: dim, c: ptr(o[1]), ldc: dim, pool: e.pool)
        Bias.gradColumns(m: rows, n: 3 * dim, dqkv, ld: 3 * dim, dbias: ptr(o[2]), pool: e.pool)
        Gemm.sgemm(m: rows, n: dim, k: 3 * dim, a: dqkv, lda: 3 * dim, b: ptr(i[2]), ldb: dim, c: ptr(o[0]), ldc: dim, pool: e.pool)
    }
}
