// Parameter tables: for each op, its parameter and buffer tensors with PyTorch `state_dict`
// names, layouts and default initializers. `regularization` is filled in by RegularizationResolve.

/// Whether a parameter is a kernel (gets decay and penalties by default), a bias, or a
/// normalization parameter (neither, unless the spec opts in).
enum ParamClass { case kernel, bias, norm, buffer }

struct ParamRow {
    var suffix: String
    var shape: [Int]
    var role: ParamRole
    var initializer: ParamInit
    var cls: ParamClass
    var trainable: Bool { cls != .buffer }
}

/// The parameters of `op` applied to per-example input `x` (all dims needed are fixed by then).
func paramRows(_ op: LayerOp, input x: Shape) -> [ParamRow] {
    let last = x.last?.value ?? 0
    switch op {
    case .dense(let units, let bias):
        // y = x·Wᵀ + b; W [out, in]
        return [ParamRow(suffix: "weight", shape: [units, last], role: .weight, initializer: .uniformFanIn(fanIn: last), cls: .kernel)]
            + (bias ? [ParamRow(suffix: "bias", shape: [units], role: .bias, initializer: .uniformFanIn(fanIn: last), cls: .bias)] : [])
    case .conv2d(let f, let k, _, _, _, let g, let bias):
        // W [out, in/groups, kh, kw]; fan-in = in/groups·kh·kw
        let cin = (x.first?.value ?? 0) / max(g, 1)
        let fanIn = cin &* k[0] &* k[1]   // wrapping: an oversized kernel is rejected by the caller
        return [ParamRow(suffix: "weight", shape: [f, cin, k[0], k[1]], role: .weight, initializer: .uniformFanIn(fanIn: fanIn), cls: .kernel)]
            + (bias ? [ParamRow(suffix: "bias", shape: [f], role: .bias, initializer: .uniformFanIn(fanIn: fanIn), cls: .bias)] : [])
    case .batchNorm:
        let c = x.first?.value ?? 0
        return [
            ParamRow(suffix: "weight", shape: [c], role: .gamma, initializer: .ones, cls: .norm),
            ParamRow(suffix: "bias", shape: [c], role: .beta, initializer: .zeros, cls: .norm),
            ParamRow(suffix: "running_mean", shape: [c], role: .runningMean, initializer: .zeros, cls: .buffer),
            ParamRow(suffix: "running_var", shape: [c], role: .runningVar, initializer: .ones, cls: .buffer),
            // A scalar (int64 in PyTorch).
            ParamRow(suffix: "num_batches_tracked", shape: [], role: .numBatchesTracked, initializer: .zeros, cls: .buffer),
        ]
    case .layerNorm(let shape, _):
        return [ParamRow(suffix: "weight", shape: shape, role: .gamma, initializer: .ones, cls: .norm),
                ParamRow(suffix: "bias", shape: shape, role: .beta, initializer: .zeros, cls: .norm)]
    case .groupNorm:
        let c = x.first?.value ?? 0
        return [ParamRow(suffix: "weight", shape: [c], role: .gamma, initializer: .ones, cls: .norm),
                ParamRow(suffix: "bias", shape: [c], role: .beta, initializer: .zeros, cls: .norm)]
    case .embedding(let vocab, let dim, _):
        return [ParamRow(suffix: "weight", shape: [vocab, dim], role: .weight, initializer: .normal(std: 1), cls: .kernel)]
    case .lstm(let h, let bi, _, _, _, _):
        return recurrentRows(gates: 4, hidden: h, input: last, bidirectional: bi)
    case .gru(let h, let bi, _, _, _, _):
        return recurrentRows(gates: 3, hidden: h, input: last, bidirectional: bi)
    case .attention(_, let e, _, _):
        // nn.MultiheadAttention: packed q/k/v projection, then out_proj (a Linear).
        return [
            ParamRow(suffix: "in_proj_weight", shape: [3 * e, e], role: .weight, initializer: .xavierUniform(fanIn: e, fanOut: 3 * e), cls: .kernel),
            ParamRow(suffix: "in_proj_bias", shape: [3 * e], role: .bias, initializer: .zeros, cls: .bias),
            ParamRow(suffix: "out_proj.weight", shape: [e, e], role: .weight, initializer: .uniformFanIn(fanIn: e), cls: .kernel),
            ParamRow(suffix: "out_proj.bias", shape: [e], role: .bias, initializer: .zeros, cls: .bias),
        ]
    default:
        return []
    }
}

/// nn.LSTM / nn.GRU layer 0: weight_ih [G·H, in], weight_hh [G·H, H], two biases; all U(±1/√H).
private func recurrentRows(gates: Int, hidden h: Int, input: Int, bidirectional: Bool) -> [ParamRow] {
    let initializer = ParamInit.uniformFanIn(fanIn: h)
    var rows: [ParamRow] = []
    for suffix in bidirectional ? ["", "_reverse"] : [""] {
        rows += [
            ParamRow(suffix: "weight_ih_l0" + suffix, shape: [gates * h, input], role: .weight, initializer: initializer, cls: .kernel),
            ParamRow(suffix: "weight_hh_l0" + suffix, shape: [gates * h, h], role: .weight, initializer: initializer, cls: .kernel),
            ParamRow(suffix: "bias_ih_l0" + suffix, shape: [gates * h], role: .bias, initializer: initializer, cls: .bias),
            ParamRow(suffix: "bias_hh_l0" + suffix, shape: [gates * h], role: .bias, initializer: initializer, cls: .bias),
        ]
    }
    return rows
}
