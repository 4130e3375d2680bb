import Check

/// A weight viewed as a matrix [rows = out, cols = in·kh·kw] (PyTorch's `dim=0` for both wrappers).
private func matrix(_ t: TensorType, _ op: String) throws -> (rows: Int, cols: Int) {
    try require(t.rank >= 2, "\(op) needs a weight of rank ≥ 2, got \(t)")
    let dims = try t.shape.map { try fixed($0, "\(op) weight dimension") }
    return (dims[0], dims.dropFirst().reduce(1, *))
}

/// Weight normalization (Salimans & Kingma 2016) and spectral normalization (Miyato et al.
/// 2018): reparametrizations of a layer's weight, semantics reference §4.3 and §4.4.
func reparamRule(_ op: Op) -> OpRule? {
    switch op {
    case .weightNorm:
        // w = g·v/‖v‖ per output row r, ‖v‖ over all axes but 0; norms = ‖v_r‖
        // ∇g = (∇w·v)/‖v‖,  ∇v = (g/‖v‖)(∇w − (∇w·v̂)v̂) = (g/‖v‖)(I − wwᵀ/‖w‖²)∇w
        return OpRule(shape: { t in
            try arity(t, 2, "weight_norm")
            let (rows, _) = try matrix(t[0], "weight_norm")
            let gShape = [Dim.fixed(rows)] + Array(repeating: Dim.fixed(1), count: t[0].rank - 1)
            try require(t[1].shape == gShape, "weight_norm needs g of shape \(shapeString(gShape)), got \(t[1])")
            return [t[0], .f32([.fixed(rows)])]
        }, grad: { c in
            let g = c.emit(.weightNormBackward, [c.dy(), c.x(0), c.x(1), c.y(1)])
            c.set(0, g[0])
            c.set(1, g[1])
        })
    case .weightNormBackward:
        return OpRule(shape: { t in
            try arity(t, 4, "weight_norm_backward")
            try require(t[0] == t[1], "weight_norm_backward needs dw and v of one shape, got \(t[0]) and \(t[1])")
            return [t[1], t[2]]
        })
    case .powerIteration(let n):
        // v ← normalize(Wᵀu), u ← normalize(Wv), n times; normalize(x) = x/max(‖x‖, 1e-12)
        // no gradient: u and v are constants of the backward pass (PyTorch runs it under no_grad)
        return OpRule(shape: { t in
            try arity(t, 3, "power_iteration")
            try require(n >= 1, "power_iteration needs at least one iteration, got \(n)")
            let (rows, cols) = try matrix(t[0], "power_iteration")
            try require(t[1].shape == [.fixed(rows)], "power_iteration needs u of shape [\(rows)], got \(t[1])")
            try require(t[2].shape == [.fixed(cols)], "power_iteration needs v of shape [\(cols)], got \(t[2])")
            return [t[1], t[2]]
        })
    case .spectralNorm:
        // W_SN = W/σ, σ = uᵀWv with u, v constants
        // ∂σ/∂W = u vᵀ, so dW = dW_SN/σ − (Σ dW_SN ⊙ W)/σ² · u vᵀ
        return OpRule(shape: { t in
            try arity(t, 3, "spectral_norm")
            let (rows, cols) = try matrix(t[0], "spectral_norm")
            try require(t[1].shape == [.fixed(rows)], "spectral_norm needs u of shape [\(rows)], got \(t[1])")
            try require(t[2].shape == [.fixed(cols)], "spectral_norm needs v of shape [\(cols)], got \(t[2])")
            return [t[0], .f32([.fixed(1)])]
        }, grad: { c in
            c.set(0, c.emit1(.spectralNormBackward, [c.dy(), c.x(0), c.x(1), c.x(2), c.y(1)]))
        })
    case .spectralNormBackward:
        return OpRule(shape: { t in
            try arity(t, 5, "spectral_norm_backward")
            try require(t[0] == t[1], "spectral_norm_backward needs dW_SN and W of one shape, got \(t[0]) and \(t[1])")
            return [t[1]]
        })
    case .spectralNormUpdate:
        // u ← u', v ← v' (in place, after the step's last read of u', v')
        return OpRule(shape: { t in
            try arity(t, 4, "spectral_norm_update")
            try require(t[0] == t[2] && t[1] == t[3], "spectral_norm_update needs [u, v, u', v'] of matching shapes, got \(t)")
            return []
        })
    default:
        return nil
    }
}
