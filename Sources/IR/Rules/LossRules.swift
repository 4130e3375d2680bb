import Check

/// Loss terms, parameter penalties and metrics. A loss term is a root of the backward pass
/// (its seed gradient is 1), so its backward op takes no incoming gradient.
func lossRule(_ op: Op) -> OpRule? {
    let scalar: [TensorType] = [.scalar]
    switch op {
    case .softmaxCrossEntropy(let s):
        // L = mean over rows −Σ_k q_k log softmax(z)_k, q = (1−ε)·onehot + ε/K (or ε/(K−1) off target);
        // with target rows t (mixup, CutMix), q = (1−ε)·t + ε/K
        // dz = (softmax(z) − q)/rows
        return OpRule(shape: { t in
            try arity(t, 2, "softmax_cross_entropy")
            try require(t[0].rank >= 2, "softmax_cross_entropy needs logits [N, …, K], got \(t[0])")
            let rows = Array(t[0].shape.dropLast())
            try require(t[1].dtype == .int32 && t[1].shape == rows || t[1] == t[0],
                        "softmax_cross_entropy needs int32 labels \(shapeString(rows)) or target rows \(t[0]), got \(t[1])")
            return [.scalar, t[0]]
        }, grad: { c in
            c.set(0, c.emit1(.softmaxCrossEntropyBackward(s), [c.y(1), c.x(1)]))
        })
    case .softmaxCrossEntropyBackward:
        return OpRule(shape: { t in
            try arity(t, 2, "softmax_cross_entropy_backward")
            return [t[0]]
        })
    case .mseLoss, .bceLoss:
        let isMSE = op == .mseLoss
        // mse: L = mean (p − t)², dp = 2(p − t)/count;  bce: L = mean −(t log p + (1−t) log(1−p)), dp = (p − t)/(p(1−p))/count
        return OpRule(shape: { t in
            try arity(t, 2, "loss")
            try require(t[0] == t[1], "loss needs prediction and target of one shape, got \(t[0]) and \(t[1])")
            return scalar
        }, grad: { c in
            c.set(0, c.emit1(isMSE ? .mseLossBackward : .bceLossBackward, [c.x(0), c.x(1)]))
        })
    case .mseLossBackward, .bceLossBackward:
        return OpRule(shape: { t in
            try arity(t, 2, "loss_backward")
            return [t[0]]
        })
    case .l1Penalty(let l):
        // P = λ·Σ|w|;  dw = λ·sign(w), sign(0) = 0 (PyTorch's abs backward)
        return OpRule(shape: { t in
            try arity(t, 1, "l1_penalty")
            return scalar
        }, grad: { c in c.set(0, c.emit1(.l1PenaltyBackward(l), [c.x(0)])) })
    case .l2Penalty(let l):
        // P = λ·Σw² (no ½, Keras L2);  dw = 2λ·w
        return OpRule(shape: { t in
            try arity(t, 1, "l2_penalty")
            return scalar
        }, grad: { c in c.set(0, c.emit1(.l2PenaltyBackward(l), [c.x(0)])) })
    case .l1PenaltyBackward, .l2PenaltyBackward:
        return OpRule(shape: { t in
            try arity(t, 1, "penalty_backward")
            return [t[0]]
        })
    case .consistencyLoss:
        // C = w/(rows·K)·Σ(s − p)², s = softmax(z), p a constant target; dz = s ⊙ (g − Σ_k g_k s_k), g = 2w(s − p)/(rows·K)
        return OpRule(shape: { t in
            try arity(t, 3, "consistency_loss")
            try require(t[0].rank >= 2 && t[1] == t[0] && t[2] == .scalar, "consistency_loss needs logits, a target of their shape and a scalar weight, got \(t)")
            return scalar
        }, grad: { c in
            c.set(0, c.emit1(.consistencyLossBackward, [c.x(0), c.x(1), c.x(2)]))
        })
    case .consistencyLossBackward:
        return OpRule(shape: { t in
            try arity(t, 3, "consistency_loss_backward")
            return [t[0]]
        })
    case .accuracy:
        return OpRule(shape: { t in
            try arity(t, 2, "accuracy")
            try require(t[0].rank >= 2 && (t[1].shape == Array(t[0].shape.dropLast()) || t[1] == t[0]),
                        "accuracy needs logits [N, …, K] and labels [N, …] or target rows, got \(t[0]) and \(t[1])")
            return scalar
        })
    default:
        return nil
    }
}
