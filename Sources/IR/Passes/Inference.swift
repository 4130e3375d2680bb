import Check

/// Inference lowering: forward graph → deterministic evaluation graph.
///
/// Assumes: a verified forward graph from `lower` (train mode, no backward ops, no fusion).
/// Guarantees: no stochastic op and no effect remains. Inverted dropout, spatial dropout, DropBlock and
/// per-sample stochastic depth (timm DropPath) become the identity; classic dropout becomes
/// `scale(1−p)` (Srivastava et al. 2014); per-batch stochastic depth becomes `scale(p)` (Huang
/// et al. 2016); Shake-Shake becomes the even mix Σ Fᵢ/n (Gastaldi 2017); ShakeDrop becomes
/// `scale(p + (1−p)·E[α])` (Yamada et al. 2019). Batchnorm uses its running statistics: when it
/// directly follows a conv2d or dense (their output read by nothing else) it is folded into that
/// layer's weight and bias by parameter-only ops (`batchnorm_fold_weight/bias`, which an
/// executor can run once per load); otherwise it becomes `batchnorm_eval`. Recurrent layers and
/// attention switch to their eval form. The loss head is kept (test loss and accuracy); the
/// consistency term and its inputs, and the spectral penalty terms, are dropped.
public func inference(_ g: Graph) -> Graph {
    var pass = InferenceLowering(g)
    pass.run()
    return pass.b.graph
}

struct InferenceLowering {
    let g: Graph
    var b: GraphBuilder
    var map: [ValueID: ValueID] = [:]
    /// batchnorm node index → the producer (conv2d/matmul) and optional bias_add it folds into.
    var folds: [Int: (producer: Int, bias: Int?)] = [:]
    var folded: Set<Int> = []

    init(_ g: Graph) {
        self.g = g
        var graph = Graph(name: g.name, mode: .inference, bindings: g.bindings, training: g.training)
        graph.values = []
        self.b = GraphBuilder(graph)
    }

    func v(_ x: ValueID) -> ValueID {
        guard let y = map[x] else { preconditionFailure("inference: \(x) read before it is defined") }
        return y
    }

    mutating func run() {
        // The consistency term is a training objective: evaluation has neither it nor its inputs.
        let consistency = Set([g.input(.consistencyTarget), g.input(.consistencyWeight)].compactMap { $0 })
        for i in g.inputs where !consistency.contains(i.value) { map[i.value] = b.addInput(i.kind, g[i.value]) }
        findFolds()
        for (at, n) in g.nodes.enumerated() where !folded.contains(at) && !Self.isObjectiveTerm(n.op) { lowerNode(at, n) }
        for o in g.outputs where o.kind != .consistency && o.kind != .penaltyTerm { b.addOutput(v(o.value), o.kind) }
    }

    /// Training-only terms of the objective, which evaluation does not compute.
    static func isObjectiveTerm(_ op: Op) -> Bool {
        if case .spectralPenalty = op { return true }
        return op == .consistencyLoss
    }

    /// Batchnorms whose input comes straight from a conv2d or dense weight product, possibly
    /// through its bias_add, with nothing else reading the intermediate values.
    mutating func findFolds() {
        let uses = g.uses()
        let outputs = Set(g.outputs.map(\.value))
        var definer: [ValueID: Int] = [:]
        for (at, n) in g.nodes.enumerated() { for o in n.outputs { definer[o] = at } }
        let params = Set(g.state.map(\.value))
        func onlyReader(_ value: ValueID, _ reader: Int) -> Bool {
            uses[value] == [reader] && !outputs.contains(value)
        }
        for (at, n) in g.nodes.enumerated() {
            guard case .batchNormTrain = n.op, var p = definer[n.inputs[0]], onlyReader(n.inputs[0], at) else { continue }
            var bias: Int?
            if case .biasAdd = g.nodes[p].op, params.contains(g.nodes[p].inputs[1]),
               let q = definer[g.nodes[p].inputs[0]], onlyReader(g.nodes[p].inputs[0], p) {
                bias = p
                p = q
            }
            let prod = g.nodes[p]
            let foldable: Bool
            switch prod.op {
            case .conv2d: foldable = true
            case .matmul(let ta, let tb): foldable = !ta && tb && g[prod.outputs[0]].rank == 2
            default: foldable = false
            }
            guard foldable, params.contains(prod.inputs[1]) else { continue }
            folds[at] = (p, bias)
            folded.insert(p)
            if let bias { folded.insert(bias) }
        }
    }

    mutating func lowerNode(_ at: Int, _ n: Node) {
        let o = n.origin
        // A folded batchnorm's input was never emitted: read operands only where needed.
        var ins: [ValueID] { n.inputs.map(v) }
        func identity() { map[n.outputs[0]] = ins[0] }
        func scale(_ k: Double) { map[n.outputs[0]] = b.emit1(.scale(k), [ins[0]], origin: o) }
        switch n.op {
        case .dropout(let p, let s, _):
            if s == .classic { scale(1 - p.value) } else { identity() }  // E[m/(1−p)] = 1; classic: E[m] = 1−p (p where its schedule ends)
        case .spatialDropout, .lockedDropout, .gaussianNoise, .alphaDropout:
            identity()                                                  // E[m/(1−p)] = 1; E[n] = 0
        case .dropBlock:
            identity()                                                  // the paper's evaluation: no mask, no rescale
        case .stochasticDepth(let q, let mode, _):
            if mode == .batch { scale(q.value) } else { identity() }    // paper: x + p·F(x); DropPath: x + F(x)
        case .shakeShake(let a):
            let sum = a.branches == 1 ? ins[0] : b.emit1(.add, ins, origin: o)
            map[n.outputs[0]] = b.emit1(.scale(1 / Double(a.branches)), [sum], origin: o)  // E[α] = 1/n
        case .shakeDrop(let a):
            let ea = (a.alpha.lowerBound + a.alpha.upperBound) / 2
            scale(a.p + (1 - a.p) * ea)                                 // E[b + α − bα] = p + (1−p)E[α]
        case .batchNormUpdateStats:
            break
        case .powerIteration:
            map[n.outputs[0]] = v(n.inputs[1]); map[n.outputs[1]] = v(n.inputs[2])  // eval: stored u, v
        case .spectralNormUpdate:
            break
        case .batchNormTrain(let eps):
            let stats = batchNormStats(n)
            if let f = folds[at] {
                map[n.outputs[0]] = foldedProducer(f, gamma: v(n.inputs[1]), beta: v(n.inputs[2]), stats: stats, eps: eps, origin: o)
            } else {
                map[n.outputs[0]] = b.emit1(.batchNormEval(eps: eps), [ins[0], ins[1], ins[2], stats.mean, stats.variance], origin: o)
            }
        case .lstm(var a), .gru(var a):
            a.train = false
            let op: Op = { if case .lstm = n.op { return .lstm(a) }; return .gru(a) }()
            map[n.outputs[0]] = b.emit1(op, ins, origin: o)
        case .attention(var a):
            a.train = false
            map[n.outputs[0]] = b.emit1(.attention(a), ins, origin: o)
        default:
            for (old, new) in zip(n.outputs, b.emit(n.op, ins, origin: o)) { map[old] = new }
        }
    }

    /// The running statistics of a batchnorm: the buffers its update effect writes.
    func batchNormStats(_ bn: Node) -> (mean: ValueID, variance: ValueID) {
        for n in g.nodes {
            if case .batchNormUpdateStats = n.op, n.inputs.suffix(2) == Array(bn.outputs.suffix(2)) {
                return (v(n.inputs[0]), v(n.inputs[1]))
            }
        }
        preconditionFailure("batchnorm at \(bn.origin?.path ?? "?") has no running statistics")
    }

    /// Re-emits the conv2d/dense with w' = w·γ/√(rv+ε) and bias b' = (b − rm)·γ/√(rv+ε) + β.
    mutating func foldedProducer(_ f: (producer: Int, bias: Int?), gamma: ValueID, beta: ValueID,
                                 stats: (mean: ValueID, variance: ValueID), eps: Double, origin: Origin?) -> ValueID {
        let prod = g.nodes[f.producer]
        let po = prod.origin
        let w = b.emit1(.batchNormFoldWeight(eps: eps), [v(prod.inputs[1]), gamma, stats.variance], origin: po)
        var biasIns = [gamma, beta, stats.mean, stats.variance]
        if let bi = f.bias { biasIns.append(v(g.nodes[bi].inputs[1])) }
        let bias = b.emit1(.batchNormFoldBias(eps: eps), biasIns, origin: po)
        let y = b.emit1(prod.op, [v(prod.inputs[0]), w], origin: po)
        return b.emit1(.biasAdd(axis: 1), [y, bias], origin: po)
    }
}
