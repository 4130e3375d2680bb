/// Dead-code elimination: keeps the outputs `keep` selects and the nodes they need.
///
/// Assumes: a verified graph. Guarantees: a verified graph with only the selected outputs,
/// only the nodes (and effects, in a training graph) whose results reach them, and without the
/// data or labels input if nothing reads it; parameters and buffers are all kept, so the
/// `state_dict` is unchanged. Not part of the default pipelines: the driver uses it for
/// prediction-only graphs (`prune(g) { $0 == .logits }`, no labels, no loss) as
/// `regula compile --inference` emits.
public func prune(_ g: Graph, keeping keep: (OutputKind) -> Bool) -> Graph {
    var out = g
    out.outputs = g.outputs.filter { keep($0.kind) }
    var needed = Set(out.outputs.map(\.value))
    var kept: [Node] = []
    for n in g.nodes.reversed() {
        let effectStillValid = n.op.isEffect && g.mode == .train
        guard effectStillValid || n.defined.contains(where: needed.contains) else { continue }
        needed.formUnion(n.used)
        kept.append(n)
    }
    out.nodes = kept.reversed()
    out.inputs = g.inputs.filter { $0.param != nil || needed.contains($0.value) }
    let keys = Set(out.nodes.flatMap { $0.op.rngKeys + $0.epilogue.flatMap(\.op.rngKeys) })
    out.rngKeys = g.rngKeys.filter { keys.contains($0.key) }
    out.memory = nil
    return out
}
