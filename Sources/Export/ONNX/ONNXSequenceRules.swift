import IR

/// Why an evaluation-time zoneout is refused.
let zoneout = "zoneout at evaluation mixes every state with the previous one (z·hₜ₋₁ + (1−z)·h̃ₜ), "
    + "which ONNX's LSTM and GRU cannot express"

/// A whole-sequence LSTM or GRU (batch-first, PyTorch parameters) as one ONNX LSTM/GRU node.
///
/// ONNX's gate order differs from PyTorch's (LSTM: PyTorch i f g o, ONNX i o f c; GRU: PyTorch
/// r z n, ONNX z r h), so each weight's row blocks are reordered by a Gather; the bias is
/// [b_ih; b_hh] in ONNX order. PyTorch's GRU applies the reset gate after the recurrent product,
/// which is ONNX's `linear_before_reset = 1`. The sequence runs time-major, so the input is
/// transposed to [T, N, F]; the result is Y ([T, dirs, N, H]) with the sequence, else Y_h
/// ([dirs, N, H]: each direction's final state, as PyTorch's h_n), back to batch-first.
func recurrent(_ e: inout ONNXEmitter, _ a: RecurrentAttrs, lstm: Bool, _ c: ONNXNodeContext) {
    let h = a.units, dirs = a.directions
    let order = lstm ? [0, 3, 1, 2] : [1, 0, 2]
    let rows = order.flatMap { g in (g * h)..<((g + 1) * h) }
    let per = (c.inputs.count - 1) / dirs
    let steps = c.inputTypes[0].shape.count > 1 ? c.inputTypes[0].shape[1].value ?? -1 : -1
    func reordered(_ x: String) -> String { e.node("Gather", [x, e.ints(rows)], [.int("axis", 0)]) }
    func stacked(_ parts: [String]) -> String {
        let each = parts.map { e.node("Unsqueeze", [$0, e.ints([0])]) }
        return each.count == 1 ? each[0] : e.node("Concat", each, [.int("axis", 0)])
    }
    let param = { (d: Int, k: Int) in c.inputs[1 + d * per + k] }
    let w = stacked((0..<dirs).map { reordered(param($0, 0)) })
    let r = stacked((0..<dirs).map { reordered(param($0, 1)) })
    var inputs = [e.node("Transpose", [c.inputs[0]], [.ints("perm", [1, 0, 2])]), w, r]
    if per >= 4 {
        inputs.append(stacked((0..<dirs).map { d in
            e.node("Concat", [reordered(param(d, 2)), reordered(param(d, 3))], [.int("axis", 0)])
        }))
    }
    var attributes: [ONNXAttribute] = [.int("hidden_size", h), ONNXAttribute("direction", .string(a.bidirectional ? "bidirectional" : "forward"))]
    if !lstm { attributes.append(.int("linear_before_reset", 1)) }
    let outs = e.node(lstm ? "LSTM" : "GRU", inputs, attributes, outputs: a.returnSequences ? [nil] : ["", nil])
    if a.returnSequences {                                               // [T, dirs, N, H] → [N, T, dirs·H]
        let y = e.node("Transpose", [outs[0]], [.ints("perm", [2, 0, 1, 3])])
        e.node("Reshape", [y, e.ints([0, steps, dirs * h])], out: c.output)
    } else {                                                             // [dirs, N, H] → [N, dirs·H]
        let y = e.node("Transpose", [outs[1]], [.ints("perm", [1, 0, 2])])
        e.node("Reshape", [y, e.ints([0, dirs * h])], out: c.output)
    }
}

/// `nn.MultiheadAttention` self-attention over [N, T, D] as MatMul/Softmax: the packed
/// projection, heads split to [N, H, T, D/H], softmax(q·kᵀ/√(D/H)) (keys after the query masked
/// with −∞ when causal), heads merged, the output projection.
func attention(_ e: inout ONNXEmitter, _ a: AttentionAttrs, _ c: ONNXNodeContext) {
    let x = c.inputs[0], d = a.dim, heads = a.heads, dh = d / max(heads, 1)
    let steps = c.inputTypes[0].shape.count > 1 ? c.inputTypes[0].shape[1].value ?? -1 : -1
    func linear(_ x: String, _ w: String, _ b: String) -> String {
        e.node("Add", [e.node("MatMul", [x, e.node("Transpose", [w], [.ints("perm", [1, 0])])]), b])
    }
    let qkv = linear(x, c.inputs[1], c.inputs[2])                        // [N, T, 3D]
    let split = e.node("Transpose", [e.node("Reshape", [qkv, e.ints([0, steps, 3, heads, dh])])],
                       [.ints("perm", [2, 0, 3, 1, 4])])                 // [3, N, H, T, D/H]
    let q = e.node("Gather", [split, e.index(0)], [.int("axis", 0)])
    let k = e.node("Gather", [split, e.index(1)], [.int("axis", 0)])
    let v = e.node("Gather", [split, e.index(2)], [.int("axis", 0)])
    var scores = e.node("Mul", [e.node("MatMul", [q, e.node("Transpose", [k], [.ints("perm", [0, 1, 3, 2])])]),
                                e.scalar(1 / Double(dh).squareRoot())])
    if a.causal, steps > 0 {
        var mask = [Float](repeating: 0, count: steps * steps)
        for i in 0..<steps { for j in (i + 1)..<max(steps, i + 1) { mask[i * steps + j] = -.infinity } }
        scores = e.node("Add", [scores, e.tensor(mask, dims: [steps, steps])])
    }
    let probs = e.node("Softmax", [scores], [.int("axis", -1)])
    let ctx = e.node("Transpose", [e.node("MatMul", [probs, v])], [.ints("perm", [0, 2, 1, 3])])  // [N, T, H, D/H]
    let merged = e.node("Reshape", [ctx, e.ints([0, steps, d])])
    e.node("Add", [e.node("MatMul", [merged, e.node("Transpose", [c.inputs[3]], [.ints("perm", [1, 0])])]), c.inputs[4]],
           out: c.output)
}
