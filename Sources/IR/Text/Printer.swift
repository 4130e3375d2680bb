import Check

/// The textual form of a graph: stable (attributes in a fixed order) so that golden files diff
/// cleanly. Values print as their `ValueID`, as in verifier and interpreter messages.
///
/// ```
/// graph mnist_mlp train N=128 {
///   param  %1: f32[256, 784]  "0.weight"  init=uniform(784)
///   %9: f32[N, 256] = matmul(%0, %1) transB              # 0 dense
///   output loss %30
/// }
/// ```
/// In fused nodes each epilogue step is a line starting with `|`; values marked `~` are
/// transient (kept in registers). After `plan`, stored values show their arena offset `@64`.
public func render(_ g: Graph) -> String {
    var p = Printer(g)
    return p.run()
}

extension Graph: CustomStringConvertible {
    public var description: String { render(self) }
}

struct Printer {
    let g: Graph
    var lines: [String] = []

    init(_ g: Graph) { self.g = g }

    func name(_ v: ValueID) -> String { v.description }
    func ref(_ v: ValueID) -> String { v.description }

    mutating func run() -> String {
        let binds = g.bindings.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        lines.append("graph \(g.name) \(g.mode.rawValue)\(binds.isEmpty ? "" : " " + binds) {")
        for i in g.inputs { inputLine(i) }
        for k in g.rngKeys { lines.append("  rng    \(k.key)  \(quoted(k.site)) \(k.purpose)") }
        lines.append("")
        for n in g.nodes { nodeLines(n) }
        lines.append("")
        for o in g.outputs { lines.append("  output \(outputName(o.kind)) \(ref(o.value))") }
        if let m = g.memory {
            lines.append("  memory arena=\(m.arenaBytes) peak_live=\(m.peakLiveBytes) naive=\(m.naiveBytes) state=\(m.stateBytes)")
        }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    mutating func inputLine(_ i: GraphInput) {
        let decl = "\(name(i.value)): \(g[i.value])\(offset(i.value))"
        switch i.kind {
        case .data: lines.append("  input  \(decl)  data")
        case .labels: lines.append("  input  \(decl)  labels")
        case .consistencyTarget: lines.append("  input  \(decl)  consistency_target")
        case .consistencyWeight: lines.append("  input  \(decl)  consistency_weight")
        case .parameter(let p): lines.append("  param  \(decl)  \(quoted(p.name))  \(paramAttributes(p))")
        case .buffer(let p): lines.append("  buffer \(decl)  \(quoted(p.name))  \(paramAttributes(p))")
        }
    }

    func paramAttributes(_ p: ParamInfo) -> String {
        var out: [String] = []
        switch p.initializer {
        case .uniformFanIn(let f): out.append("init=uniform(\(f))")
        case .normal(let s): out.append("init=normal(\(s))")
        case .xavierUniform(let i, let o): out.append("init=xavier(\(i),\(o))")
        case .zeros: out.append("init=zeros")
        case .ones: out.append("init=ones")
        }
        // Registration-time values the runtime computes from the drawn weight (weight/spectral norm).
        if p.role == .weightGain { out = ["init=row_norm(weight_v)"] }
        if [.spectralU, .spectralV, .penaltyU, .penaltyV].contains(p.role) { out.append("power_iterated") }
        if !p.trainable && !p.role.isBuffer { out.append("frozen") }
        let r = p.regularization
        // A scheduled strength reads as its rate (`l2=schedule#1→0.001` once lowering gave it a slot).
        func strength(_ a: String, _ label: String) {
            if r.applies(a) { out.append("\(label)=\(Rate(r.strength(a), slot: r.slots[a]))") }
        }
        strength("weight_decay", "decay")
        strength("l1", "l1")
        strength("l2", "l2")
        if let c = r.maxNorm { out.append("max_norm=\(c)") }
        if r.weightNorm { out.append("weight_norm") }
        if r.spectralNorm { out.append("spectral_norm") }
        return out.joined(separator: " ")
    }

    mutating func nodeLines(_ n: Node) {
        let args = "(\(n.inputs.map(ref).joined(separator: ", ")))"
        let attrs = n.op.attributes.map { " " + $0 }.joined()
        let comment = n.origin.map { o in "# \(o.path.isEmpty ? "" : o.path + " ")\(o.kind)\(o.range.map { " \($0.file):\($0.start.line)" } ?? "")" }
        if n.op.isEffect {
            lines.append(withComment("  effect \(n.op.name)\(args)\(attrs)", comment))
        } else {
            let defs = n.outputs.map { def($0, n) }.joined(separator: ", ")
            lines.append(withComment("  \(defs) = \(n.op.name)\(args)\(attrs)", comment))
        }
        var running = n.outputs.first
        for s in n.epilogue {
            let operands = ([running].compactMap { $0 } + s.operands).map(ref).joined(separator: ", ")
            let a = s.op.attributes.map { " " + $0 }.joined()
            lines.append("   |  \(def(s.result, n)) = \(s.op.name)(\(operands))\(a)")
            running = s.result
        }
    }

    mutating func def(_ v: ValueID, _ n: Node) -> String {
        "\(name(v))\(n.transient.contains(v) ? "~" : ""): \(g[v])\(offset(v))"
    }

    func offset(_ v: ValueID) -> String {
        guard let m = g.memory else { return "" }
        if let src = m.aliases[v] { return " =\(ref(src))" }
        return m.slots[v].map { " @\($0.offset)" } ?? ""
    }

    func outputName(_ k: OutputKind) -> String {
        switch k {
        case .logits: return "logits"
        case .loss: return "loss"
        case .dataLoss: return "data_loss"
        case .accuracy: return "accuracy"
        case .gradient(let p): return "grad \(quoted(p))"
        case .inputGradient: return "input_grad"
        case .consistency: return "consistency"
        case .penaltyTerm: return "penalty"
        }
    }

    func quoted(_ s: String) -> String { "\"\(s)\"" }

    /// Comments start at column 72 (or one space after a longer line), so they read as a column.
    func withComment(_ line: String, _ comment: String?) -> String {
        guard let comment else { return line }
        return line + String(repeating: " ", count: max(1, 72 - line.count)) + comment
    }
}
