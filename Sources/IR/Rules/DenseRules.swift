import Check

/// Matrix product and bias: the dense layer's kernels.
func denseRule(_ op: Op) -> OpRule? {
    switch op {
    case .matmul(let ta, let tb):
        // C = op(A)·op(B), each viewed 2-D (leading axes × last axis)
        // dA = dC·op(B)ᵀ,  dB = op(A)ᵀ·dC (or its transpose when transB)
        return OpRule(shape: { t in
            try arity(t, 2, "matmul")
            try require(t[0].rank >= 2 && t[1].rank >= 2, "matmul needs operands of rank ≥ 2, got \(t[0]) and \(t[1])")
            let a = t[0].shape, b = t[1].shape
            let (rows, ka) = ta ? ([a[a.count - 1]], Array(a.dropLast())) : (Array(a.dropLast()), [a[a.count - 1]])
            let (kb, cols) = tb ? ([b[b.count - 1]], Array(b.dropLast())) : (Array(b.dropLast()), [b[b.count - 1]])
            try require(sameCount(ka, kb), "matmul contraction mismatch: \(shapeString(ka)) vs \(shapeString(kb))")
            return [.f32(rows + cols)]
        }, grad: { c in
            guard !ta else { preconditionFailure("matmul with transA is a backward op and is not differentiated") }
            if c.needs(0) { c.set(0, c.emit1(.matmul(transA: false, transB: !tb), [c.dy(), c.x(1)])) }  // dA = dC·op(B)ᵀ
            if c.needs(1) {
                c.set(1, tb ? c.emit1(.matmul(transA: true, transB: false), [c.dy(), c.x(0)])  // dB = dCᵀ·A
                            : c.emit1(.matmul(transA: true, transB: false), [c.x(0), c.dy()])) // dB = Aᵀ·dC
            }
        })
    case .biasAdd(let axis):
        // y = x + b[axis];  dx = dy,  db = Σ_{≠axis} dy
        return OpRule(shape: { t in
            try arity(t, 2, "bias_add")
            try require(axis < t[0].rank, "bias_add axis \(axis) is out of range for \(t[0])")
            try require(t[1].shape == [t[0].shape[axis]], "bias_add needs a bias of shape [\(t[0].shape[axis])], got \(t[1])")
            return [t[0]]
        }, grad: { c in
            c.set(0, c.dy())
            if c.needs(1) { c.set(1, c.emit1(.biasGrad(axis: axis), [c.dy()])) }
        })
    case .biasGrad(let axis):
        return OpRule(shape: { t in
            try arity(t, 1, "bias_grad")
            try require(axis < t[0].rank, "bias_grad axis \(axis) is out of range for \(t[0])")
            return [.f32([t[0].shape[axis]])]
        })
    default:
        return nil
    }
}
