import Check

/// One broken invariant, with the node (index into `Graph.nodes`) where it was found.
public struct VerifierError: Hashable, Sendable, CustomStringConvertible {
    public var node: Int?
    public var message: String
    public init(node: Int?, _ message: String) {
        self.node = node
        self.message = message
    }
    public var description: String { node.map { "node \($0): \(message)" } ?? message }
}

/// Checks the invariants every pass must keep: values in range and defined once, every use
/// after its definition, output types equal to the op's shape rule (epilogue steps included),
/// no dangling nodes, transient values not read outside their node, RNG keys declared, effects
/// writing only buffers, and, in a training graph (one with a `loss` output), exactly one
/// gradient of the parameter's type for every trainable parameter.
public func verify(_ g: Graph) -> [VerifierError] {
    var errors: [VerifierError] = []
    func fail(_ node: Int?, _ m: String) { errors.append(VerifierError(node: node, m)) }
    let count = g.values.count
    var defined = Set<ValueID>()
    func define(_ v: ValueID, _ node: Int?) {
        guard v.raw >= 0 && v.raw < count else { return fail(node, "value \(v) is out of range") }
        if !defined.insert(v).inserted { fail(node, "value \(v) is defined twice") }
    }
    func use(_ v: ValueID, _ node: Int?, _ role: String) {
        guard v.raw >= 0 && v.raw < count else { return fail(node, "\(role) \(v) is out of range") }
        if !defined.contains(v) { fail(node, "\(role) \(v) is used before it is defined") }
    }
    func type(_ v: ValueID) -> TensorType? { v.raw >= 0 && v.raw < count ? g.values[v.raw] : nil }
    func check(_ op: Op, _ ins: [ValueID], _ outs: [ValueID], _ node: Int) {
        let its = ins.compactMap(type)
        guard its.count == ins.count else { return }
        switch op.outputTypes(its) {
        case .failure(let e): fail(node, "\(op.name): \(e.message)")
        case .success(let expected):
            let got = outs.compactMap(type)
            if got != expected {
                fail(node, "\(op.name) should define \(expected.map(\.description).joined(separator: ", ")), defines \(got.map(\.description).joined(separator: ", "))")
            }
        }
    }

    let keys = Set(g.rngKeys.map(\.key))
    let buffers = Set(g.inputs.filter { if case .buffer = $0.kind { return true }; return false }.map(\.value))
    for i in g.inputs { define(i.value, nil) }
    for (at, n) in g.nodes.enumerated() {
        for v in n.inputs { use(v, at, "operand") }
        for v in n.outputs { define(v, at) }
        check(n.op, n.inputs, n.outputs, at)
        var running = n.outputs.first
        for s in n.epilogue {
            for v in s.operands { use(v, at, "epilogue operand") }
            guard let r = running else { fail(at, "epilogue on an op without outputs"); break }
            define(s.result, at)
            check(s.op, [r] + s.operands, [s.result], at)
            running = s.result
        }
        for k in n.op.rngKeys + n.epilogue.flatMap(\.op.rngKeys) where !keys.contains(k) {
            fail(at, "\(n.op.name) draws from undeclared key \(k)")
        }
        if n.op.isEffect {
            if !n.outputs.isEmpty { fail(at, "effect \(n.op.name) must not define values") }
            let stateCount = n.inputs.count == 5 ? 3 : 2
            for v in n.inputs.prefix(stateCount) where !buffers.contains(v) {
                fail(at, "effect \(n.op.name) writes \(v), which is not a buffer")
            }
        }
    }
    for o in g.outputs { use(o.value, nil, "graph output") }

    let uses = g.uses()
    let outputs = Set(g.outputs.map(\.value))
    for (at, n) in g.nodes.enumerated() {
        let readers = n.defined.flatMap { uses[$0] ?? [] }.filter { $0 != at }
        if !n.op.isEffect && readers.isEmpty && !n.defined.contains(where: outputs.contains) {
            fail(at, "\(n.op.name) is dangling: nothing reads what it defines")
        }
        for v in n.transient where !(uses[v] ?? []).allSatisfy({ $0 == at }) || outputs.contains(v) {
            fail(at, "transient value \(v) is read outside its fused node")
        }
    }

    if g.output(.loss) != nil {
        for p in g.trainableParameters {
            guard let info = p.param else { continue }
            let grads = g.outputs.filter { $0.kind == .gradient(info.name) }
            if grads.count != 1 {
                fail(nil, "trainable parameter \"\(info.name)\" has \(grads.count) gradients, expected 1")
            } else if let t = type(grads[0].value), t != g[p.value] {
                fail(nil, "gradient of \"\(info.name)\" is \(t), the parameter is \(g[p.value])")
            }
        }
    }
    return errors
}
