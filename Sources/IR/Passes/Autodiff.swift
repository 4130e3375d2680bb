import Check

/// Reverse-mode differentiation: forward graph → training graph.
///
/// Assumes: a verified train-mode graph from `lower` (with a `dataLoss` output) and no fused
/// nodes. Guarantees: the forward ops unchanged and in place; the L1/L2 penalty terms of every
/// trainable parameter that has them (λ₁·Σ|w|, λ₂·Σw², Keras convention; a scheduled λ reads
/// its slot) and the objective
/// `loss` = data loss + penalties; then, in reverse order, the backward ops given by each op's
/// gradient rule, only for values that depend on a trainable parameter; gradients reaching a
/// value along several paths summed by one n-ary `add`; and exactly one `gradient(name)` output
/// per trainable parameter (a parameter the loss does not depend on gets `scale(0)` of itself),
/// and an `inputGradient` output when the training configuration asks for adversarial training.
/// Stochastic backward ops carry their forward op's keys (masks are regenerated), except that
/// Shake-Shake and ShakeDrop backward draw β from their own key; batchnorm's running-statistics
/// effects stay where `lower` put them.
public func autodiff(_ g: Graph) -> Graph {
    guard let dataLoss = g.output(.dataLoss) else { preconditionFailure("autodiff needs a graph with a data loss output") }
    var b = GraphBuilder(g)

    // The objective: data loss plus penalties. Each term is a root of the backward pass.
    var roots: [ValueID] = [dataLoss] + g.outputs.filter { $0.kind == .consistency || $0.kind == .penaltyTerm }.map(\.value)
    for p in g.trainableParameters {
        guard let info = p.param else { continue }
        let o = Origin(path: info.name, kind: "penalty")
        let r = info.regularization
        // λ, or its schedule's slot in the loop's table (set by lowering on the parameter input).
        func rate(_ a: String) -> Rate { Rate(r.strength(a), slot: r.slots[a]) }
        if r.applies("l1") { roots.append(b.emit1(.l1Penalty(rate("l1")), [p.value], origin: o)) }
        if r.applies("l2") { roots.append(b.emit1(.l2Penalty(rate("l2")), [p.value], origin: o)) }
    }
    let loss = roots.count == 1 ? dataLoss : b.emit1(.add, roots, origin: Origin(path: "loss", kind: "objective"))
    b.addOutput(loss, .loss)

    // Values that depend on a trainable parameter (only they need gradients), and on the data
    // input when adversarial training needs ∂loss/∂x.
    let data = g.training.adversarial != nil ? g.input(.data) : nil
    var needs = Set(g.trainableParameters.map(\.value) + (data.map { [$0] } ?? []))
    let forward = b.graph.nodes
    for n in forward where n.op.isDifferentiable && n.inputs.contains(where: needs.contains) {
        needs.formUnion(n.outputs)
    }

    // Reverse sweep; contributions are summed when first read.
    let rootSet = Set(roots)
    var contributions: [ValueID: [ValueID]] = [:]
    func gradient(_ v: ValueID, _ b: inout GraphBuilder, _ origin: Origin?) -> ValueID? {
        guard let parts = contributions[v] else { return nil }
        if parts.count == 1 { return parts[0] }
        let sum = b.emit1(.add, parts, origin: origin)
        contributions[v] = [sum]
        return sum
    }
    for n in forward.reversed() {
        guard let rule = n.op.rule.grad, !n.op.isEffect else { continue }
        let needIn = n.inputs.map(needs.contains)
        guard needIn.contains(true) else { continue }
        let isRoot = n.outputs.first.map(rootSet.contains) ?? false
        let outGrads = n.outputs.map { gradient($0, &b, n.origin) }
        guard isRoot || outGrads.first.map({ $0 != nil }) == true else { continue }
        var c = GradContext(node: n, builder: b, outputGrads: outGrads, needs: needIn)
        rule(&c)
        b = c.b
        for (i, gi) in c.inputGrads.enumerated() {
            if let gi { contributions[n.inputs[i], default: []].append(gi) }
        }
    }

    for p in g.trainableParameters {
        guard let info = p.param else { continue }
        let o = Origin(path: info.name, kind: "gradient")
        let grad = gradient(p.value, &b, o) ?? b.emit1(.scale(0), [p.value], origin: o)
        b.addOutput(grad, .gradient(info.name))
    }
    if let data {
        let grad = gradient(data, &b, Origin(path: "input", kind: "gradient")) ?? b.emit1(.scale(0), [data], origin: nil)
        b.addOutput(grad, .inputGradient)
    }
    return b.graph
}
