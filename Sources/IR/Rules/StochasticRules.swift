import Check

/// Dropout, stochastic depth, Shake-Shake and ShakeDrop. Every backward carries the keys of its
/// forward and regenerates the draw (Philox keyed by seed, step and key), so no mask is stored;
/// Shake-Shake and ShakeDrop backward draw β from a key of their own (Gastaldi 2017;
/// Yamada et al. 2019), which is why their gradient is not the derivative of their forward.
func stochasticRule(_ op: Op) -> OpRule? {
    let same: ([TensorType]) throws -> [TensorType] = { t in
        try arity(t, 1, "\(op)")
        return [t[0]]
    }
    switch op {
    case .dropout(let p, let s, let k):
        // y = x⊙m/(1−p);  dx = g⊙m/(1−p), same m (Srivastava et al. 2014)
        return OpRule(shape: same, grad: { c in c.set(0, c.emit1(.dropoutBackward(p: p, scaling: s, key: k), [c.dy()])) })
    case .spatialDropout(let p, let k):
        // y = x⊙m[n,c]/(1−p);  dx = g⊙m[n,c]/(1−p) (Tompson et al. 2015)
        return OpRule(shape: { t in
            try arity(t, 1, "spatial_dropout")
            try require(t[0].rank >= 3, "spatial_dropout needs [N, C, …], got \(t[0])")
            return [t[0]]
        }, grad: { c in c.set(0, c.emit1(.spatialDropoutBackward(p: p, key: k), [c.dy()])) })
    case .gaussianNoise(let s, let multiplicative, let k):
        // y = x + σn: dx = g;  y = x⊙(1 + σn): dx = g⊙(1 + σn), same n (Srivastava et al. 2014 §10)
        return OpRule(shape: same, grad: { c in
            c.set(0, multiplicative ? c.emit1(.gaussianNoiseBackward(std: s, key: k), [c.dy()]) : c.dy())
        })
    case .lockedDropout(let p, let k):
        // y = x⊙m[n,f]/(1−p);  dx = g⊙m[n,f]/(1−p), same m for every step (Merity et al. 2018)
        return OpRule(shape: { t in
            try arity(t, 1, "locked_dropout")
            try require(t[0].rank == 3, "locked_dropout needs [N, T, F], got \(t[0])")
            return [t[0]]
        }, grad: { c in c.set(0, c.emit1(.lockedDropoutBackward(p: p, key: k), [c.dy()])) })
    case .alphaDropout(let p, let k):
        // y = a(x⊙m + α'(1 − m)) + b;  dx = a·m⊙g, same m (Klambauer et al. 2017)
        return OpRule(shape: same, grad: { c in c.set(0, c.emit1(.alphaDropoutBackward(p: p, key: k), [c.dy()])) })
    case .dropBlock(let p, let bs, let n, let k):
        // y = x⊙M·|M|/ΣM;  dx = g⊙M·|M|/ΣM, same M (Ghiasi et al. 2018)
        return OpRule(shape: { t in
            try arity(t, 1, "dropblock")
            try require(t[0].rank == 4, "dropblock needs [N, C, H, W], got \(t[0])")
            return [t[0]]
        }, grad: { c in c.set(0, c.emit1(.dropBlockBackward(p: p, blockSize: bs, scheduleSteps: n, key: k), [c.dy()])) })
    case .stochasticDepth(let q, let m, let k):
        // y = b·F (batch) or b[n]·F/q (sample);  dF = same gate times g (Huang et al. 2016)
        return OpRule(shape: same, grad: { c in
            c.set(0, c.emit1(.stochasticDepthBackward(survival: q, mode: m, key: k), [c.dy()]))
        })
    case .shakeShake(let a):
        // y = Σ αᵢFᵢ;  dFᵢ = βᵢ·g with β independent of α (β = α for `keep`, 1/n for `even`)
        return OpRule(shape: { t in
            try require(t.count >= 2 && t.count == a.branches, "shake_shake mixes \(a.branches) ≥ 2 branches, got \(t.count)")
            for u in t.dropFirst() { try require(u == t[0], "shake_shake needs equal branch shapes, got \(t[0]) and \(u)") }
            return [t[0]]
        }, grad: { c in
            let gs = c.emit(.shakeShakeBackward(a), [c.dy()])
            for (i, g) in gs.enumerated() { c.set(i, g) }
        })
    case .shakeDrop(let a):
        // y = (b + α − bα)·F;  dF = (b + β − bβ)·g, β independent of α
        return OpRule(shape: same, grad: { c in c.set(0, c.emit1(.shakeDropBackward(a), [c.dy()])) })
    case .dropoutBackward, .spatialDropoutBackward, .stochasticDepthBackward, .shakeDropBackward, .gaussianNoiseBackward, .alphaDropoutBackward, .lockedDropoutBackward,
         .dropBlockBackward:
        return OpRule(shape: same)
    case .shakeShakeBackward(let a):
        return OpRule(shape: { t in
            try arity(t, 1, "shake_shake_backward")
            return Array(repeating: t[0], count: a.branches)
        })
    default:
        return nil
    }
}
