import Check

private func sequence(_ t: TensorType, _ op: String) throws -> (n: Dim, steps: Dim) {
    try require(t.rank == 3, "\(op) needs a batch-first sequence [N, T, F], got \(t)")
    return (t.shape[0], t.shape[1])
}

/// Whole-sequence recurrent output and workspace: `gates` floats per unit and direction per step
/// (LSTM: i, f, g, o, c, h = 6; GRU: r, z, n, h, W_hn·h + b_hn = 5).
private func recurrentRule(_ a: RecurrentAttrs, gates: Int, name: String,
                           backward: @escaping (RecurrentAttrs) -> Op) -> OpRule {
    OpRule(shape: { t in
        try require(t.count >= 2, "\(name) takes an input and its parameters")
        let (n, steps) = try sequence(t[0], name)
        let width = Dim.fixed(a.directions * a.units)
        let y: TensorType = a.returnSequences ? .f32([n, steps, width]) : .f32([n, width])
        return a.train ? [y, .f32([n, steps, .fixed(a.directions * gates * a.units)])] : [y]
    }, grad: { c in
        // BPTT over the whole sequence; the kernel regenerates dropout and zoneout masks from the key
        let ins = [c.dy()] + c.node.inputs + [c.y(0), c.y(1)]
        for (i, g) in c.emit(backward(a), ins).enumerated() { c.set(i, g) }
    })
}

private func recurrentBackwardRule(_ name: String) -> OpRule {
    OpRule(shape: { t in
        // [dy, x, params…, y, workspace] → [dx, dparams…]
        try require(t.count >= 5, "\(name) takes dy, x, parameters, y and workspace")
        return Array(t[1..<(t.count - 2)])
    })
}

/// Embedding lookup, recurrent layers and attention, each one kernel per whole sequence.
func sequenceRule(_ op: Op) -> OpRule? {
    switch op {
    case .sequencePool(let m):
        // y = mean_t x | max_t x | x[:, 0];  dx = dy/T | dy at the first arg-max | dy at t = 0
        return OpRule(shape: { t in
            try arity(t, 1, "sequence_pool")
            let (n, _) = try sequence(t[0], "sequence_pool")
            return [.f32([n, t[0].shape[2]])]
        }, grad: { c in c.set(0, c.emit1(.sequencePoolBackward(m), [c.dy(), c.x(0)])) })
    case .sequencePoolBackward:
        return OpRule(shape: { t in
            try arity(t, 2, "sequence_pool_backward")
            return [t[1]]
        })
    case .positionalEncoding:
        // y = x + PE;  dx = dy
        return OpRule(shape: { t in
            try arity(t, 1, "positional_encoding")
            _ = try sequence(t[0], "positional_encoding")
            return [t[0]]
        }, grad: { c in c.set(0, c.dy()) })
    case .embedding:
        // y[n,t] = table[ids[n,t]];  dtable = scatter-add of g by ids (ids get no gradient)
        return OpRule(shape: { t in
            try arity(t, 2, "embedding")
            try require(t[0].dtype == .int32, "embedding needs int32 token ids, got \(t[0])")
            try require(t[1].rank == 2, "embedding table must be [vocab, dim], got \(t[1])")
            return [.f32(t[0].shape + [t[1].shape[1]])]
        }, grad: { c in
            let vocab = c.type(c.x(1)).shape[0].value ?? 0
            c.set(1, c.emit1(.embeddingBackward(vocab: vocab), [c.dy(), c.x(0)]))
        })
    case .embeddingBackward(let vocab):
        return OpRule(shape: { t in
            try arity(t, 2, "embedding_backward")
            return [.f32([.fixed(vocab), t[0].shape[t[0].rank - 1]])]
        })
    case .lstm(let a):
        return recurrentRule(a, gates: 6, name: "lstm", backward: Op.lstmBackward)
    case .gru(let a):
        return recurrentRule(a, gates: 5, name: "gru", backward: Op.gruBackward)
    case .lstmBackward:
        return recurrentBackwardRule("lstm_backward")
    case .gruBackward:
        return recurrentBackwardRule("gru_backward")
    case .attention(let a):
        // y = out_proj(softmax(QKᵀ/√d_h + causal mask) ⊙ dropout-mask · V), per head;
        // backward through the same mask (regenerated from the key)
        return OpRule(shape: { t in
            try arity(t, 5, "attention")
            let (n, steps) = try sequence(t[0], "attention")
            try require(t[0].shape[2] == .fixed(a.dim), "attention over dim \(a.dim) got \(t[0])")
            try require(a.heads > 0 && a.dim % a.heads == 0, "attention dim \(a.dim) is not divisible by \(a.heads) heads")
            let d = Dim.fixed(a.dim)
            guard a.train else { return [t[0]] }
            return [t[0], .f32([n, steps, .fixed(3 * a.dim)]), .f32([n, .fixed(a.heads), steps, steps]), .f32([n, steps, d])]
        }, grad: { c in
            let ins = [c.dy()] + c.node.inputs + Array(c.node.outputs.dropFirst())
            for (i, g) in c.emit(.attentionBackward(a), ins).enumerated() { c.set(i, g) }
        })
    case .attentionBackward:
        return OpRule(shape: { t in
            try arity(t, 9, "attention_backward")
            return Array(t[1...5])
        })
    default:
        return nil
    }
}
