import Check

/// Appends values and nodes to a graph, inferring every output type from the op's shape rule,
/// so passes never write types by hand.
public struct GraphBuilder {
    public var graph: Graph

    public init(_ graph: Graph) { self.graph = graph }

    public init(name: String, mode: Mode, training: TrainingConfig, bindings: [String: Int]) {
        self.graph = Graph(name: name, mode: mode, bindings: bindings, training: training)
    }

    public mutating func newValue(_ t: TensorType) -> ValueID {
        graph.values.append(t)
        return ValueID(graph.values.count - 1)
    }

    public mutating func addInput(_ kind: InputKind, _ t: TensorType) -> ValueID {
        let v = newValue(t)
        graph.inputs.append(GraphInput(value: v, kind: kind))
        return v
    }

    public mutating func addOutput(_ v: ValueID, _ kind: OutputKind) {
        graph.outputs.append(GraphOutput(value: v, kind: kind))
    }

    public mutating func newKey(site: String, purpose: String) -> RngKey {
        let k = RngKey(graph.rngKeys.count)
        graph.rngKeys.append(RngKeyInfo(key: k, site: site, purpose: purpose))
        return k
    }

    /// Appends `op` applied to `inputs`; the inputs must satisfy the op's shape rule (a
    /// violation here is a bug in the pass that emits it, not in the user's spec).
    @discardableResult
    public mutating func emit(_ op: Op, _ inputs: [ValueID], origin: Origin? = nil) -> [ValueID] {
        switch op.outputTypes(inputs.map { graph[$0] }) {
        case .failure(let e):
            preconditionFailure("emitting \(op) on \(inputs.map { graph[$0].description }): \(e.message)")
        case .success(let types):
            let outs = types.map { newValue($0) }
            graph.nodes.append(Node(op: op, inputs: inputs, outputs: outs, origin: origin))
            return outs
        }
    }

    public mutating func emit1(_ op: Op, _ inputs: [ValueID], origin: Origin? = nil) -> ValueID {
        guard let v = emit(op, inputs, origin: origin).first else { preconditionFailure("\(op) has no output") }
        return v
    }
}
