/// Common-subexpression elimination: a node that repeats an earlier node's op on the same
/// inputs reuses the earlier node's outputs. The two branches of a Shake-Shake block that both
/// start with relu(x) then compute it once, and after autodiff its backward runs once on the
/// summed gradient instead of twice.
///
/// Assumes: a verified graph without epilogues (it runs right after `lower`). Guarantees: the
/// same results and a verified graph; only pure nodes merge: no random key (every draw is its
/// own), no effect, no batch-norm training step (its statistics feed an effect).
public func cse(_ g: Graph) -> Graph {
    struct Key: Hashable {
        var op: Op
        var inputs: [ValueID]
    }
    var seen: [Key: [ValueID]] = [:]
    var rename: [ValueID: ValueID] = [:]
    var out = g
    out.nodes = []
    for var n in g.nodes {
        n.inputs = n.inputs.map { rename[$0] ?? $0 }
        guard isMergeable(n) else {
            out.nodes.append(n)
            continue
        }
        let key = Key(op: n.op, inputs: n.inputs)
        if let earlier = seen[key], earlier.count == n.outputs.count,
           zip(earlier, n.outputs).allSatisfy({ g.values[$0.raw] == g.values[$1.raw] }) {
            for (duplicate, kept) in zip(n.outputs, earlier) { rename[duplicate] = kept }
            continue
        }
        seen[key] = n.outputs
        out.nodes.append(n)
    }
    out.outputs = g.outputs.map { GraphOutput(value: rename[$0.value] ?? $0.value, kind: $0.kind) }
    return out
}

private func isMergeable(_ n: Node) -> Bool {
    guard n.epilogue.isEmpty, !n.outputs.isEmpty, n.op.rngKeys.isEmpty, !n.op.isEffect else { return false }
    if case .batchNormTrain = n.op { return false }
    return true
}
