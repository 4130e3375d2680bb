import IR
import Runtime

/// Multi-head self-attention: the IR op's attributes and value geometry handed to the runtime's
/// `MultiHeadSelfAttention` (shared with generated code; its doc has the math and mask layout).
struct SelfAttention {
    let layer: MultiHeadSelfAttention

    init(_ a: AttentionAttrs, e: Executor, x: ValueID) {
        let s = e.shape(x)
        layer = MultiHeadSelfAttention(batch: s[0], steps: s[1], dim: s[2], heads: a.heads, causal: a.causal,
                                       dropout: a.dropout, stream: a.train ? a.key.map(e.random) : nil,
                                       pool: e.pool, scratch: { e.scratch($0, $1).data })
    }

    /// [x, in_w, in_b, out_w, out_b] → [y, qkv, probs, ctx] (train) or [y] (eval).
    func forward(_ i: [ValueID], _ o: [ValueID], _ ptr: ExecutorOps.Ptr) {
        layer.forward(x: ptr(i[0]), inWeight: ptr(i[1]), inBias: ptr(i[2]), outWeight: ptr(i[3]), outBias: ptr(i[4]),
                      y: ptr(o[0]), saved: o.count == 4 ? (ptr(o[1]), ptr(o[2]), ptr(o[3])) : nil)
    }

    /// [dy, x, in_w, in_b, out_w, out_b, qkv, probs, ctx] → [dx, din_w, din_b, dout_w, dout_b].
    func backward(_ i: [ValueID], _ o: [ValueID], _ ptr: ExecutorOps.Ptr) {
        layer.backward(dy: ptr(i[0]), x: ptr(i[1]), inWeight: ptr(i[2]), outWeight: ptr(i[4]),
                       qkv: ptr(i[6]), probs: ptr(i[7]), ctx: ptr(i[8]),
                       dx: ptr(o[0]), dInWeight: ptr(o[1]), dInBias: ptr(o[2]), dOutWeight: ptr(o[3]), dOutBias: ptr(o[4]))
    }
}
