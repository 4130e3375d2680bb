import Check

/// Elementwise fusion: chains of elementwise ops become epilogues of the kernel that produces
/// their input.
///
/// Assumes: a verified graph without epilogues. Guarantees: the same values, types and
/// results; a producer (matmul, conv2d, batchnorm apply, pooling, a backward kernel — see
/// `canHostEpilogue`) followed by elementwise ops that read its result (bias add, activation
/// and its backward, dropout and the other mask/gate ops with their backward, scale, a two-way
/// residual add, batchnorm eval apply — see `epilogueOperands`) is one node whose `epilogue`
/// lists those steps in order. One reduction may end a chain: the bias gradient of a batch
/// norm's backward output (Σ dx per channel, a convolution's bias before the batch norm), which
/// the kernel sums plane by plane while dx is in cache (`isReductionStep`). The fused node sits where the last step was, so every operand
/// is defined before it; a chain stops where a value it defines is read by a node that runs
/// before that point. Intermediate values read by nothing outside the chain are `transient`
/// (no memory); the others (a relu output its backward needs) are still written.
public func fuse(_ g: Graph) -> Graph {
    let uses = g.uses()
    let outputs = Set(g.outputs.map(\.value))
    var chainOf: [Int: [Int]] = [:]      // host → absorbed nodes, in order
    var absorbed: [Int: Int] = [:]       // absorbed node → host
    for (h, host) in g.nodes.enumerated() where absorbed[h] == nil && canHostEpilogue(host.op) && host.epilogue.isEmpty {
        var running = host.outputs[0]
        var chain: [Int] = []
        // The earliest node outside the chain that reads a value the chain defines: the fused
        // node must run before it.
        var deadline = host.outputs.dropFirst().flatMap { uses[$0] ?? [] }.min() ?? Int.max
        while true {
            let users = uses[running] ?? []
            guard let c = users.first(where: {
                absorbed[$0] == nil && $0 != h && (epilogueOperands(g.nodes[$0], running) != nil
                                                   || chain.isEmpty && isReductionStep(g.nodes[$0], of: host, running))
            }) else { break }
            let limit = min(deadline, users.filter { $0 != c }.min() ?? Int.max)
            guard c < limit else { break }
            deadline = limit
            chain.append(c)
            absorbed[c] = h
            running = g.nodes[c].outputs[0]
            if case .biasGrad = g.nodes[c].op { break }   // a reduction ends the chain
        }
        if !chain.isEmpty { chainOf[h] = chain }
    }

    var out = g
    out.nodes = []
    for (i, n) in g.nodes.enumerated() {
        if let h = absorbed[i] {
            if chainOf[h]?.last == i { out.nodes.append(fused(g, host: h, chain: chainOf[h] ?? [], uses: uses, outputs: outputs)) }
        } else if chainOf[i] == nil {
            out.nodes.append(n)
        }
    }
    return out
}

/// One node: the host op with the chain as its epilogue, transient values marked.
private func fused(_ g: Graph, host: Int, chain: [Int], uses: [ValueID: [Int]], outputs: Set<ValueID>) -> Node {
    var node = g.nodes[host]
    var running = node.outputs[0]
    let members = Set([host] + chain)
    var intermediates = [running]
    for c in chain {
        let n = g.nodes[c]
        node.epilogue.append(EpilogueStep(op: n.op, operands: epilogueOperands(n, running) ?? [], result: n.outputs[0]))
        running = n.outputs[0]
        intermediates.append(running)
    }
    node.origin = g.nodes[host].origin
    // A reduction's result is not the running value's shape: nothing before it is transient.
    if let last = chain.last, isReductionStep(g.nodes[last], of: g.nodes[host], g.nodes[host].outputs[0]) { return node }
    for v in intermediates.dropLast() where (uses[v] ?? []).allSatisfy(members.contains) && !outputs.contains(v) {
        node.transient.insert(v)
    }
    return node
}

/// Kernels that can run elementwise steps on their output before writing it: they produce
/// output 0 in one pass and it is not a view or a scalar. Whole-sequence kernels (LSTM, GRU,
/// attention) are left alone: their output is written step by step inside a recurrence.
func canHostEpilogue(_ op: Op) -> Bool {
    switch op {
    case .matmul, .conv2d, .conv2dBackwardData, .biasAdd, .add, .activation, .activationBackward,
         .maxPool2d, .maxPool2dBackward, .avgPool2d, .avgPool2dBackward, .globalAvgPool, .globalAvgPoolBackward,
         .upsampleNearest, .upsampleNearestBackward, .batchNormTrain, .batchNormBackward, .batchNormEval, .layerNorm,
         .groupNorm, .embedding,
         .dropBlock, .dropBlockBackward,
         .dropout, .dropoutBackward, .spatialDropout, .spatialDropoutBackward, .stochasticDepth, .stochasticDepthBackward,
         .shakeShake, .shakeDrop, .shakeDropBackward, .scale, .concat, .softmaxCrossEntropyBackward,
         .mseLossBackward, .bceLossBackward, .consistencyLossBackward:
        return true
    default:
        return false
    }
}

/// Whether `n` reduces the host's output 0 in a way the host's kernel can do while writing it:
/// `bias_grad` over the channel axis of a training batch norm's dx.
func isReductionStep(_ n: Node, of host: Node, _ running: ValueID) -> Bool {
    guard case .batchNormBackward = host.op, case .biasGrad(let axis) = n.op else { return false }
    return axis == 1 && n.inputs == [running] && running == host.outputs[0]
}

/// If `n` can run as an epilogue step on `running`, its other operands; nil if it cannot.
/// The elementwise table (each step reads the running value once, at the same index):
func epilogueOperands(_ n: Node, _ running: ValueID) -> [ValueID]? {
    switch n.op {
    case .biasAdd, .batchNormEval,                                  // x + b[c];  γ(x − rm)/√(rv+ε) + β
         .dropout, .dropoutBackward, .spatialDropout, .spatialDropoutBackward,   // x·m/(1−p)
         .stochasticDepth, .stochasticDepthBackward, .shakeDrop, .shakeDropBackward, // gate·x
         .scale:                                                   // c·x
        return n.inputs.first == running && !n.inputs.dropFirst().contains(running) ? Array(n.inputs.dropFirst()) : nil
    case .activation(let f, _, _), .activationBackward(let f, _, _): // f(x);  g·f′ (saved operand)
        guard f.isElementwise, n.inputs.first == running, !n.inputs.dropFirst().contains(running) else { return nil }
        return Array(n.inputs.dropFirst())
    case .add:                                                      // x + shortcut
        guard n.inputs.count == 2, n.inputs.filter({ $0 == running }).count == 1 else { return nil }
        return n.inputs.filter { $0 != running }
    default:
        return nil
    }
}
