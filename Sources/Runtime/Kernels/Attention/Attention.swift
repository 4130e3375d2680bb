/// Multi-head scaled dot-product attention (Vaswani et al. 2017), forward and backward.
///
/// Layouts: q is [B, heads, Tq, d], k is [B, heads, Tk, d], v is [B, heads, Tk, dv], out is
/// [B, heads, Tq, dv]; `probs` ([B, heads, Tq, Tk]) receives softmax(q·kᵀ·scale + mask) before
/// dropout and is kept for the backward pass. `dropoutMask`, if given, has the shape of `probs`
/// and holds 0 or 1/keep (inverted dropout on the attention weights, semantics reference §2.1);
/// the same mask must be passed to backward. `causal` masks key j > query i (PyTorch
/// `is_causal`, top-left aligned). Projections and head split/merge are separate (`splitHeads`).
/// How: each (batch, head) pair is an independent work item running its small GEMMs on one thread
/// (scores, probs·V, and in backward four more), so nothing is reduced across threads.
public enum Attention {
    public struct Shape: Hashable, Sendable {
        public var batch: Int, heads: Int, queries: Int, keys: Int, dim: Int, valueDim: Int
        public var causal: Bool

        public init(batch: Int, heads: Int, queries: Int, keys: Int, dim: Int, valueDim: Int? = nil, causal: Bool = false) {
            self.batch = batch; self.heads = heads; self.queries = queries; self.keys = keys
            self.dim = dim; self.valueDim = valueDim ?? dim; self.causal = causal
        }

        /// 1/√d, the scaling of the scores.
        public var scale: Float { 1 / Float(dim).squareRoot() }
        var pairs: Int { batch * heads }
    }

    static let serial = ThreadPool(threads: 1)

    public static func forward(_ s: Shape, q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>,
                               dropoutMask: UnsafePointer<Float>?, probs: UnsafeMutablePointer<Float>,
                               out: UnsafeMutablePointer<Float>, pool: ThreadPool = .default) {
        let (tq, tk, d, dv) = (s.queries, s.keys, s.dim, s.valueDim)
        pool.parallelFor(s.pairs) { p in
            let qp = q + p * tq * d, kp = k + p * tk * d, vp = v + p * tk * dv
            let pp = probs + p * tq * tk, op = out + p * tq * dv
            Gemm.sgemm(transB: true, m: tq, n: tk, k: d, alpha: s.scale, a: qp, lda: d, b: kp, ldb: d,
                       c: pp, ldc: tk, pool: serial)
            if s.causal {
                for i in 0..<tq where i + 1 < tk { (pp + i * tk + i + 1).update(repeating: -.infinity, count: tk - i - 1) }
            }
            Softmax.forward(rows: tq, n: tk, pp, pp, pool: serial)
            if let dropoutMask {
                let dropped = UnsafeMutablePointer<Float>.allocate(capacity: max(tq * tk, 1))
                defer { dropped.deallocate() }
                Dropout.apply(pp, mask: dropoutMask + p * tq * tk, dropped, count: tq * tk)
                Gemm.sgemm(m: tq, n: dv, k: tk, a: dropped, lda: tk, b: vp, ldb: dv, c: op, ldc: dv, pool: serial)
            } else {
                Gemm.sgemm(m: tq, n: dv, k: tk, a: pp, lda: tk, b: vp, ldb: dv, c: op, ldc: dv, pool: serial)
            }
        }
    }

    /// dq, dk, dv from dout (overwritten).
    public static func backward(_ s: Shape, q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>,
                                dropoutMask: UnsafePointer<Float>?, probs: UnsafePointer<Float>, dout: UnsafePointer<Float>,
                                dq: UnsafeMutablePointer<Float>, dk: UnsafeMutablePointer<Float>, dv dvOut: UnsafeMutablePointer<Float>,
                                pool: ThreadPool = .default) {
        let (tq, tk, d, dv) = (s.queries, s.keys, s.dim, s.valueDim)
        pool.parallelFor(s.pairs) { p in
            let qp = q + p * tq * d, kp = k + p * tk * d, vp = v + p * tk * dv
            let pp = probs + p * tq * tk, gp = dout + p * tq * dv
            let work = UnsafeMutablePointer<Float>.allocate(capacity: max(2 * tq * tk, 1))
            defer { work.deallocate() }
            let dropped = work, grad = work + tq * tk
            let mask = dropoutMask.map { $0 + p * tq * tk }
            // dv = P′ᵀ·dout with P′ the dropped-out probabilities.
            if let mask { Dropout.apply(pp, mask: mask, dropped, count: tq * tk) }
            Gemm.sgemm(transA: true, m: tk, n: dv, k: tq, a: mask == nil ? pp : UnsafePointer(dropped), lda: tk, b: gp, ldb: dv,
                       c: dvOut + p * tk * dv, ldc: dv, pool: serial)
            // dP = (dout·vᵀ) ⊙ mask, then through the softmax.
            Gemm.sgemm(transB: true, m: tq, n: tk, k: dv, a: gp, lda: dv, b: vp, ldb: dv, c: grad, ldc: tk, pool: serial)
            if let mask { Dropout.apply(grad, mask: mask, grad, count: tq * tk) }
            Softmax.backward(rows: tq, n: tk, y: pp, dy: grad, dx: grad, pool: serial)
            // dq = scale·dS·k, dk = scale·dSᵀ·q.
            Gemm.sgemm(m: tq, n: d, k: tk, alpha: s.scale, a: grad, lda: tk, b: kp, ldb: d, c: dq + p * tq * d, ldc: d, pool: serial)
            Gemm.sgemm(transA: true, m: tk, n: d, k: tq, alpha: s.scale, a: grad, lda: tk, b: qp, ldb: d,
                       c: dk + p * tk * d, ldc: d, pool: serial)
        }
    }

    /// [B, T, heads·d] → [B, heads, T, d] (the layout after a projection → the kernel's layout).
    public static func splitHeads(batch: Int, steps: Int, heads: Int, dim: Int, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>) {
        for b in 0..<batch { for t in 0..<steps { for h in 0..<heads {
            (y + ((b * heads + h) * steps + t) * dim).update(from: x + ((b * steps + t) * heads + h) * dim, count: dim)
        } } }
    }

    /// [B, heads, T, d] → [B, T, heads·d]; also the backward of `splitHeads` (and vice versa).
    public static func mergeHeads(batch: Int, steps: Int, heads: Int, dim: Int, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>) {
        for b in 0..<batch { for t in 0..<steps { for h in 0..<heads {
            (y + ((b * steps + t) * heads + h) * dim).update(from: x + ((b * heads + h) * steps + t) * dim, count: dim)
        } } }
    }
}
