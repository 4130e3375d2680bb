import Check

/// Activations, sums, scaling, views and joins.
func elementwiseRule(_ op: Op) -> OpRule? {
    switch op {
    case .activation(let f, let slope, let axis):
        // d(relu x)    = g·[y > 0]            d(leaky x) = g·(x > 0 ? 1 : slope)
        // d(elu x)     = g·(x > 0 ? 1 : slope·eˣ)
        // d(gelu x)    = g·(Φ(x) + x·φ(x))     d(silu x)  = g·σ(x)(1 + x(1 − σ(x)))
        // d(tanh x)    = g·(1 − y²)            d(σ x)     = g·y(1 − y)
        // d(softmax x) = y⊙(g − Σ g⊙y)         d(log_softmax x) = g − eʸ·Σ g   (sums along axis)
        return OpRule(shape: { t in
            try arity(t, 1, "activation")
            if f == .softmax || f == .logSoftmax {
                try require(axis < t[0].rank, "\(f.rawValue) axis \(axis) is out of range for \(t[0])")
            }
            return [t[0]]
        }, grad: { c in
            if f == .identity { c.set(0, c.dy()); return }
            let saved = f.backwardReadsOutput ? c.y(0) : c.x(0)
            c.set(0, c.emit1(.activationBackward(f, slope: slope, axis: axis), [c.dy(), saved]))
        })
    case .activationBackward:
        return OpRule(shape: { t in
            try arity(t, 2, "activation_backward")
            try require(t[0] == t[1], "activation_backward needs equal shapes, got \(t[0]) and \(t[1])")
            return [t[0]]
        })
    case .add:
        // y = Σ xᵢ;  dxᵢ = g
        return OpRule(shape: { t in
            try require(!t.isEmpty, "add takes at least one operand")
            for u in t.dropFirst() { try require(u == t[0], "add needs equal shapes, got \(t[0]) and \(u)") }
            return [t[0]]
        }, grad: { c in
            for i in c.node.inputs.indices { c.set(i, c.dy()) }
        })
    case .scale(let k):
        // y = k·x;  dx = k·g
        return OpRule(shape: { t in
            try arity(t, 1, "scale")
            return [t[0]]
        }, grad: { c in
            c.set(0, c.emit1(.scale(k), [c.dy()]))
        })
    case .reshape(let shape):
        // a view;  dx = reshape(g, shape(x))
        return OpRule(shape: { t in
            try arity(t, 1, "reshape")
            try require(sameCount(t[0].shape, shape), "reshape from \(t[0]) to \(shapeString(shape)) changes the element count")
            return [TensorType(t[0].dtype, shape)]
        }, grad: { c in
            c.set(0, c.emit1(.reshape(c.type(c.x(0)).shape), [c.dy()]))
        })
    case .concat(let axis):
        // y = [x₁ | … | xₙ] along axis;  dx = split(g)
        return OpRule(shape: { t in
            try require(!t.isEmpty, "concat takes at least one operand")
            try require(axis < t[0].rank, "concat axis \(axis) is out of range for \(t[0])")
            var total = 0
            for u in t {
                try require(u.rank == t[0].rank, "concat needs equal ranks, got \(t[0]) and \(u)")
                for d in 0..<u.rank where d != axis {
                    try require(u.shape[d] == t[0].shape[d], "concat needs equal shapes off axis \(axis), got \(t[0]) and \(u)")
                }
                total += try fixed(u.shape[axis], "concat axis")
            }
            var out = t[0]
            out.shape[axis] = .fixed(total)
            return [out]
        }, grad: { c in
            let sizes = c.node.inputs.map { c.type($0).shape[axis].value ?? 0 }
            let parts = c.emit(.split(axis: axis, sizes: sizes), [c.dy()])
            for (i, p) in parts.enumerated() { c.set(i, p) }
        })
    case .split(let axis, let sizes):
        return OpRule(shape: { t in
            try arity(t, 1, "split")
            try require(axis < t[0].rank, "split axis \(axis) is out of range for \(t[0])")
            try require(try fixed(t[0].shape[axis], "split axis") == sizes.reduce(0, +), "split sizes \(sizes) do not add up to \(t[0].shape[axis])")
            return sizes.map { s in var u = t[0]; u.shape[axis] = .fixed(s); return u }
        })
    default:
        return nil
    }
}
