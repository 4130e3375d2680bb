import Check

/// Lowering: checked model → forward graph in training mode.
///
/// Assumes: a `CheckedModel` whose nodes are in topological order with node 0 the input, and
/// whose parameters carry their PyTorch names and layouts. Guarantees: a verified graph with
/// the data input, every parameter and buffer as graph inputs in `state_dict` order, one
/// primitive op sequence per layer (dense = matmul + bias_add; residual joins become `add`, with
/// stochastic depth, Shake-Shake and ShakeDrop as gate ops on the branches), batchnorm in
/// training form with its running-statistics update as an effect (after the loss head), every stochastic op keyed by
/// its own RNG key, and the loss head: a labels input and the outputs `logits`, `dataLoss`
/// and (for cross-entropy) `accuracy`. The batch symbol `N` is bound to the training batch size.
public func lower(_ model: CheckedModel) -> Graph {
    var l = Lowering(model: model)
    l.run()
    return l.b.graph
}

struct Lowering {
    let model: CheckedModel
    var b: GraphBuilder
    var valueOf: [Int: ValueID] = [:]
    var paramOf: [String: ValueID] = [:]
    var labels = ValueID(0)
    /// Running-statistics updates, emitted after the loss head so that nothing between a
    /// batchnorm and its consumers stops fusion.
    var effects: [(op: Op, inputs: [ValueID], origin: Origin)] = []

    init(model: CheckedModel) {
        self.model = model
        self.b = GraphBuilder(name: model.name, mode: .train, training: model.training,
                              bindings: [batchDim.description: model.training.batchSize])
    }

    mutating func run() {
        let data = b.addInput(.data, TensorType(model.input.dtype, [batchDim] + model.input.shape))
        for var p in model.parameters {
            // A scheduled penalty strength carries its slot in the loop's table from here on
            // (autodiff's penalty ops, the optimizer's decay).
            for a in p.regularization.schedules.keys {
                p.regularization.slots[a] = model.scheduleSlot(parameter: p.name, attribute: a)
            }
            let dtype: DType = p.role == .numBatchesTracked ? .int32 : .float32
            let isBuffer = p.role.isBuffer
            let kind: InputKind = isBuffer ? .buffer(p) : .parameter(p)
            paramOf[p.name] = b.addInput(kind, TensorType(dtype, p.shape.map { .fixed($0) }))
        }
        let outShape = [batchDim] + (model.nodes.first { $0.id == model.output }?.shape ?? [])
        // Cross-entropy takes class ids, unless a batch mix (mixup, CutMix) makes the targets soft
        // rows; MSE and BCE always compare with float rows.
        let softTargets = model.training.data.augment.contains { $0.kind.isBatchMix }
        labels = b.addInput(.labels, model.training.loss.kind == .crossEntropy && !softTargets
                            ? TensorType(.int32, Array(outShape.dropLast())) : .f32(outShape))
        for node in model.nodes {
            let y = node.op == .input ? data : lowerNode(node)
            let expected = [batchDim] + node.shape
            guard b.graph[y].shape == expected else {
                preconditionFailure("lowering \(node.displayKind) at \(node.path) gave \(b.graph[y]), the checker says \(shapeString(expected))")
            }
            valueOf[node.id] = y
        }
        guard let logits = valueOf[model.output] else { preconditionFailure("model output node \(model.output) does not exist") }
        b.addOutput(logits, .logits)
        lossHead(logits)
        for e in effects { b.emit(e.op, e.inputs, origin: e.origin) }
    }

    func input(_ node: CheckedNode, _ i: Int) -> ValueID {
        guard i < node.inputs.count, let v = valueOf[node.inputs[i]] else {
            preconditionFailure("\(node.displayKind) at \(node.path) reads node \(node.inputs) before it is defined")
        }
        return v
    }

    func param(_ node: CheckedNode, _ role: ParamRole) -> ValueID? {
        node.params.first { $0.role == role }.flatMap { paramOf[$0.name] }
    }

    func required(_ node: CheckedNode, _ role: ParamRole) -> ValueID {
        guard let v = param(node, role) else { preconditionFailure("\(node.displayKind) at \(node.path) has no \(role) parameter") }
        return v
    }

    /// Argument `argument` of `node` with the value `value` it holds in the checked op, and its
    /// slot in the loop's table when the spec schedules it.
    func rate(_ node: CheckedNode, _ argument: String, _ value: Double) -> Rate {
        Rate(value, slot: node.schedules[argument] == nil ? nil : model.scheduleSlot(node: node.id, argument: argument))
    }

    mutating func key(_ node: CheckedNode, _ purpose: String) -> RngKey {
        b.newKey(site: node.path, purpose: purpose)
    }

    /// The ops for one checked node; returns the value standing for its output.
    mutating func lowerNode(_ node: CheckedNode) -> ValueID {
        let o = Origin(path: node.path, kind: node.displayKind, range: node.range)
        let x = input(node, 0)
        let rank = b.graph[x].rank
        func bias(_ y: ValueID, axis: Int) -> ValueID {
            guard let bv = param(node, .bias) else { return y }
            return b.emit1(.biasAdd(axis: axis), [y, bv], origin: o)
        }
        switch node.op {
        case .input:
            return x
        case .dense:
            let y = b.emit1(.matmul(transA: false, transB: true), [x, weight(node, o)], origin: o)
            return bias(y, axis: rank - 1)
        case .conv2d(_, _, let stride, let padding, let dilation, let groups, _):
            let a = Conv2DAttrs(stride: stride, padding: padding, dilation: dilation, groups: groups)
            return bias(b.emit1(.conv2d(a), [x, weight(node, o)], origin: o), axis: 1)
        case .maxPool(let size, let stride, let padding, let ceil):
            return b.emit1(.maxPool2d(Pool2DAttrs(size: size, stride: stride, padding: padding, ceilMode: ceil)), [x], origin: o)
        case .avgPool(let size, let stride, let padding, let ceil):
            return b.emit1(.avgPool2d(Pool2DAttrs(size: size, stride: stride, padding: padding, ceilMode: ceil)), [x], origin: o)
        case .globalAvgPool:
            return b.emit1(.globalAvgPool, [x], origin: o)
        case .sequencePool(let m):
            return b.emit1(.sequencePool(m), [x], origin: o)
        case .positionalEncoding:
            return b.emit1(.positionalEncoding, [x], origin: o)
        case .permute(let axes):
            return b.emit1(.permute(axes: axes), [x], origin: o)
        case .pad(let a):                           // no stride and no amounts: the identity
            return a == PadAmounts() ? x : b.emit1(.pad2d(a), [x], origin: o)
        case .upsample(let scale):
            return b.emit1(.upsampleNearest(scale: scale), [x], origin: o)
        case .flatten, .reshape:
            return b.emit1(.reshape([batchDim] + node.shape), [x], origin: o)
        case .activation(let f, let slope, let axis):
            return b.emit1(.activation(f, slope: slope, axis: axis + 1), [x], origin: o)
        case .dropout(let p, let scaling):
            return b.emit1(.dropout(p: rate(node, "p", p), scaling: scaling, key: key(node, "dropout mask")), [x], origin: o)
        case .spatialDropout(let p):
            return b.emit1(.spatialDropout(p: rate(node, "p", p), key: key(node, "spatial dropout mask")), [x], origin: o)
        case .lockedDropout(let p):
            return b.emit1(.lockedDropout(p: rate(node, "p", p), key: key(node, "locked dropout mask")), [x], origin: o)
        case .alphaDropout(let p):
            return b.emit1(.alphaDropout(p: rate(node, "p", p), key: key(node, "alpha dropout mask")), [x], origin: o)
        case .dropBlock(let p, let bs, let n):
            return b.emit1(.dropBlock(p: rate(node, "p", p), blockSize: bs, scheduleSteps: n, key: key(node, "dropblock seeds")), [x], origin: o)
        case .gaussianNoise(let s, let m):
            return b.emit1(.gaussianNoise(std: s, multiplicative: m, key: key(node, "gaussian noise")), [x], origin: o)
        case .batchNorm(let momentum, let eps):
            let outs = b.emit(.batchNormTrain(eps: eps), [x, required(node, .gamma), required(node, .beta)], origin: o)
            let spatial = b.graph[x].shape.dropFirst(2).reduce(1) { $0 * ($1.value ?? 1) }
            var stats = [required(node, .runningMean), required(node, .runningVar)]
            if let nbt = param(node, .numBatchesTracked) { stats.append(nbt) }
            effects.append((.batchNormUpdateStats(momentum: momentum, spatial: spatial), stats + [outs[1], outs[2]], o))
            return outs[0]
        case .layerNorm(let shape, let eps):
            return b.emit(.layerNorm(axes: shape.count, eps: eps), [x, required(node, .gamma), required(node, .beta)], origin: o)[0]
        case .groupNorm(let groups, let eps):
            return b.emit(.groupNorm(groups: groups, eps: eps), [x, required(node, .gamma), required(node, .beta)], origin: o)[0]
        case .embedding(let vocab, let dim, let p):
            var table = required(node, .weight)
            if p > 0 {   // embedding dropout: one draw per row of the table, as spatial dropout over [V, 1, D]
                let rows = b.emit1(.reshape([.fixed(vocab), .fixed(1), .fixed(dim)]), [table], origin: o)
                let dropped = b.emit1(.spatialDropout(p: Rate(p), key: key(node, "embedding dropout mask")), [rows], origin: o)
                table = b.emit1(.reshape([.fixed(vocab), .fixed(dim)]), [dropped], origin: o)
            }
            return b.emit1(.embedding, [x, table], origin: o)
        case .lstm(let u, let bi, let seqs, let d, let rd, let z), .gru(let u, let bi, let seqs, let d, let rd, let z):
            let k = d > 0 || rd > 0 || z > 0 ? key(node, "recurrent dropout/zoneout masks") : nil
            let a = RecurrentAttrs(units: u, bidirectional: bi, returnSequences: seqs, dropout: d,
                                   recurrentDropout: rd, zoneout: z, key: k, train: true)
            // AWD-LSTM weight drop: DropConnect on the hidden-to-hidden weights (`weight_drop`).
            let ps = node.params.compactMap { p in
                paramOf[p.name].map { v in
                    p.regularization.dropConnect > 0 ? dropConnect(v, p: p.regularization.dropConnect, node, "weight drop mask \(p.name)", o) : v
                }
            }
            let op: Op = { if case .lstm = node.op { return .lstm(a) }; return .gru(a) }()
            return b.emit(op, [x] + ps, origin: o)[0]
        case .attention(let heads, let dim, let dropout, let causal):
            let k = dropout > 0 ? key(node, "attention dropout mask") : nil
            let a = AttentionAttrs(heads: heads, dim: dim, dropout: dropout, causal: causal, key: k, train: true)
            return b.emit(.attention(a), [x] + node.params.compactMap { paramOf[$0.name] }, origin: o)[0]
        case .add:
            return b.emit1(.add, node.inputs.indices.map { input(node, $0) }, origin: o)
        case .concat(let axis):
            return b.emit1(.concat(axis: axis + 1), node.inputs.indices.map { input(node, $0) }, origin: o)
        case .residual(let sd):
            return b.emit1(.add, [x, gated(input(node, 1), sd, node, o)], origin: o)
        case .shakeShake(let s):
            let branches = (1..<node.inputs.count).map { input(node, $0) }
            let fk = key(node, "shake-shake α (forward)")
            let bk = s.backward == .keep ? fk : key(node, "shake-shake β (backward)")
            let a = ShakeAttrs(branches: branches.count, forward: s.forward, backward: s.backward, level: s.level, forwardKey: fk, backwardKey: bk)
            return b.emit1(.add, [x, gated(b.emit1(.shakeShake(a), branches, origin: o), s.stochasticDepth, node, o)], origin: o)
        case .shakeDrop(let s):
            let a = ShakeDropAttrs(p: s.p, alpha: s.alpha, beta: s.beta, level: s.level, gateKey: key(node, "shakedrop gate b"),
                                   forwardKey: key(node, "shakedrop α (forward)"), backwardKey: key(node, "shakedrop β (backward)"))
            return b.emit1(.add, [x, gated(b.emit1(.shakeDrop(a), [input(node, 1)], origin: o), s.stochasticDepth, node, o)], origin: o)
        }
    }

    /// The residual branch with its stochastic-depth gate (Huang et al. 2016), if it has one.
    mutating func gated(_ branch: ValueID, _ sd: StochasticDepth?, _ node: CheckedNode, _ o: Origin) -> ValueID {
        guard let sd else { return branch }
        return b.emit1(.stochasticDepth(survival: rate(node, "stochastic_depth", sd.survival), mode: sd.mode, key: key(node, "stochastic depth gate")), [branch], origin: o)
    }

    /// Labels, the data loss (with label smoothing) and accuracy.
    mutating func lossHead(_ logits: ValueID) {
        let o = Origin(path: "loss", kind: model.training.loss.kind.rawValue)
        switch model.training.loss.kind {
        case .crossEntropy:
            let s = Smoothing(epsilon: model.training.loss.labelSmoothing, variant: model.training.loss.smoothingVariant)
            let outs = b.emit(.softmaxCrossEntropy(s), [logits, labels], origin: o)
            b.addOutput(outs[0], .dataLoss)
            b.addOutput(b.emit1(.accuracy, [logits, labels], origin: o), .accuracy)
            if model.training.consistency != nil {
                // The loop writes the target distribution and the ramped weight before each step.
                let target = b.addInput(.consistencyTarget, b.graph[logits])
                let weight = b.addInput(.consistencyWeight, .scalar)
                let c = Origin(path: "loss", kind: "consistency")
                b.addOutput(b.emit1(.consistencyLoss, [logits, target, weight], origin: c), .consistency)
            }
        case .mse, .binaryCrossEntropy:
            let op: Op = model.training.loss.kind == .mse ? .mseLoss : .bceLoss
            b.addOutput(b.emit1(op, [logits, labels], origin: o), .dataLoss)
        }
    }
}
