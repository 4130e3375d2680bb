import Check

private func channels(_ t: TensorType, _ op: String) throws -> Dim {
    try require(t.rank >= 2, "\(op) needs [N, C, …], got \(t)")
    return t.shape[1]
}

private func perChannel(_ ts: ArraySlice<TensorType>, _ c: Dim, _ op: String) throws {
    for u in ts { try require(u.shape == [c], "\(op) needs per-channel operands of shape [\(c)], got \(u)") }
}

/// Batch and layer normalization (Ioffe & Szegedy 2015; Ba et al. 2016), PyTorch semantics.
func normRule(_ op: Op) -> OpRule? {
    switch op {
    case .batchNormTrain(let eps):
        // y = γ·x̂ + β, x̂ = (x − μ_B)/σ, σ = √(σ²_B + eps), stats per channel over N and spatial axes
        // dγ = Σ g·x̂,  dβ = Σ g,  dx = (γ/σ)·(g − mean(g) − x̂·mean(g·x̂))
        return OpRule(shape: { t in
            try arity(t, 3, "batchnorm_train")
            let c = try channels(t[0], "batchnorm_train")
            try perChannel(t[1...], c, "batchnorm_train")
            return [t[0], .f32([c]), .f32([c])]
        }, grad: { c in
            let g = c.emit(.batchNormBackward(eps: eps), [c.dy(), c.x(0), c.x(1), c.y(1), c.y(2)])
            for i in 0..<3 { c.set(i, g[i]) }
        })
    case .batchNormBackward:
        return OpRule(shape: { t in
            try arity(t, 5, "batchnorm_backward")
            let c = try channels(t[1], "batchnorm_backward")
            try require(t[0] == t[1], "batchnorm_backward needs dy and x of one shape, got \(t[0]) and \(t[1])")
            try perChannel(t[2...], c, "batchnorm_backward")
            return [t[1], .f32([c]), .f32([c])]
        })
    case .batchNormUpdateStats:
        // running ← (1 − m)·running + m·batch (variance unbiased by n/(n−1)); num_batches_tracked += 1
        return OpRule(shape: { t in
            try require(t.count == 4 || t.count == 5, "batchnorm_update_stats takes 4 or 5 operands, got \(t.count)")
            let c = t[0].shape.first ?? .fixed(0)
            let stats = t.count == 5 ? [t[0], t[1], t[3], t[4]] : t
            try perChannel(stats[...], c, "batchnorm_update_stats")
            return []
        })
    case .batchNormEval:
        // y = γ(x − rm)/√(rv + eps) + β; statistics are constants, so dx = g·γ/√(rv + eps)
        return OpRule(shape: { t in
            try arity(t, 5, "batchnorm_eval")
            let c = try channels(t[0], "batchnorm_eval")
            try perChannel(t[1...], c, "batchnorm_eval")
            return [t[0]]
        })
    case .batchNormFoldWeight:
        return OpRule(shape: { t in
            try arity(t, 3, "batchnorm_fold_weight")
            try require(t[0].rank >= 2, "batchnorm_fold_weight needs a conv or dense weight, got \(t[0])")
            try perChannel(t[1...], t[0].shape[0], "batchnorm_fold_weight")
            return [t[0]]
        })
    case .batchNormFoldBias:
        return OpRule(shape: { t in
            try require(t.count == 4 || t.count == 5, "batchnorm_fold_bias takes 4 or 5 operands, got \(t.count)")
            let c = t[0].shape.first ?? .fixed(0)
            try perChannel(t[...], c, "batchnorm_fold_bias")
            return [t[0]]
        })
    case .layerNorm(let axes, let eps):
        // y = γ·x̂ + β over the trailing `axes` axes of each row; backward as batchnorm within a row
        return OpRule(shape: { t in
            try arity(t, 3, "layernorm")
            try require(axes >= 1 && axes < t[0].rank, "layernorm over \(axes) axes needs a larger input than \(t[0])")
            let norm = Array(t[0].shape.suffix(axes)), rows = Array(t[0].shape.dropLast(axes))
            for u in t[1...] { try require(u.shape == norm, "layernorm needs γ and β of shape \(shapeString(norm)), got \(u)") }
            return [t[0], .f32(rows), .f32(rows)]
        }, grad: { c in
            let g = c.emit(.layerNormBackward(axes: axes, eps: eps), [c.dy(), c.x(0), c.x(1), c.y(1), c.y(2)])
            for i in 0..<3 { c.set(i, g[i]) }
        })
    case .layerNormBackward:
        return OpRule(shape: { t in
            try arity(t, 5, "layernorm_backward")
            return [t[1], t[2], t[2]]
        })
    case .groupNorm(let groups, let eps):
        // x [N, C, …]: y = γ_c·x̂ + β_c, x̂ over each example's groups of C/groups channels
        return OpRule(shape: { t in
            try arity(t, 3, "groupnorm")
            try require(t[0].rank >= 2, "groupnorm needs [N, C, …], got \(t[0])")
            let c = t[0].shape[1]
            try require(c.value.map { $0 % groups == 0 } ?? false, "groupnorm: \(groups) groups do not divide \(t[0])")
            try perChannel(t[1...], c, "groupnorm")
            let stats: [Dim] = [t[0].shape[0], .fixed(groups)]
            return [t[0], .f32(stats), .f32(stats)]
        }, grad: { c in
            let g = c.emit(.groupNormBackward(groups: groups, eps: eps), [c.dy(), c.x(0), c.x(1), c.y(1), c.y(2)])
            for i in 0..<3 { c.set(i, g[i]) }
        })
    case .groupNormBackward:
        return OpRule(shape: { t in
            try arity(t, 5, "groupnorm_backward")
            return [t[1], t[2], t[2]]
        })
    default:
        return nil
    }
}
