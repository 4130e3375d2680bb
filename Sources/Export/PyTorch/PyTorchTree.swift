import Check

/// The module tree of `model.py`, built from the checked model's `state_dict` paths: `2.0.body.1`
/// is child `1` of the `body` of child `0` of child `2`. Sequences become `nn.Sequential`,
/// residual, shake_shake and shakedrop layers the helper classes with `body`, `branches` and
/// `shortcut`, so every parameter lands at the name Regula's checkpoint gives it.
indirect enum PyTorchModule {
    case leaf(CheckedNode)
    /// Children in order, each with its path segment (`0`, `stem`).
    case sequence([(segment: String, module: PyTorchModule)])
    case composite(CheckedNode, shortcut: PyTorchModule?, branches: [PyTorchModule])
}

struct PyTorchTreeBuilder {
    let model: CheckedModel
    /// The first node that `nn.Sequential` cannot reproduce (it reads something other than the
    /// layer before it), with why.
    private(set) var problem: (node: CheckedNode, reason: String)?

    init(model: CheckedModel) { self.model = model }

    /// The top-level sequence, or nil with `problem` set.
    mutating func build() -> PyTorchModule? {
        let nodes = model.nodes.filter { $0.op != .input }
        if let stray = nodes.first(where: { $0.path.isEmpty }) {
            problem = (stray, "it has no state_dict path")
            return nil
        }
        let root = sequence(prefix: "", nodes)
        var check = ChainCheck(model: model)
        guard let out = check.run(root, input: 0) else {
            problem = check.problem
            return nil
        }
        guard out == model.output else {
            let n = model.nodes[model.output]
            problem = (n, "the model's output is not the last layer")
            return nil
        }
        return root
    }

    /// Groups `nodes` (all under `prefix`) by their next path segment, in order of appearance.
    private func sequence(prefix: String, _ nodes: [CheckedNode]) -> PyTorchModule {
        var order: [String] = [], groups: [String: [CheckedNode]] = [:]
        let skip = prefix.isEmpty ? 0 : prefix.count + 1
        for n in nodes {
            let rest = n.path.dropFirst(skip)
            let segment = String(rest.prefix { $0 != "." })
            if groups[segment] == nil { order.append(segment) }
            groups[segment, default: []].append(n)
        }
        return .sequence(order.map { segment in
            let path = prefix.isEmpty ? segment : prefix + "." + segment
            let group = groups[segment] ?? []
            guard let own = group.first(where: { $0.path == path }) else { return (segment, sequence(prefix: path, group)) }
            switch own.op {
            case .residual, .shakeShake, .shakeDrop:
                let inner = group.filter { $0.path != path }
                func under(_ p: String) -> [CheckedNode] { inner.filter { $0.path.hasPrefix(p + ".") } }
                let shortcut = under(path + ".shortcut")
                var branches: [PyTorchModule] = []
                if case .shakeShake = own.op {
                    for k in 0..<(own.inputs.count - 1) { branches.append(sequence(prefix: "\(path).branches.\(k)", under("\(path).branches.\(k)"))) }
                } else {
                    branches.append(sequence(prefix: path + ".body", under(path + ".body")))
                }
                return (segment, .composite(own, shortcut: shortcut.isEmpty ? nil : sequence(prefix: path + ".shortcut", shortcut),
                                            branches: branches))
            default:
                return (segment, .leaf(own))
            }
        })
    }
}

/// Runs the module tree symbolically: each leaf must read exactly the output of the module
/// before it, as `nn.Sequential` feeds it.
private struct ChainCheck {
    let model: CheckedModel
    var problem: (node: CheckedNode, reason: String)?

    init(model: CheckedModel) { self.model = model }

    mutating func run(_ m: PyTorchModule, input: Int) -> Int? {
        switch m {
        case .leaf(let n):
            guard n.inputs == [input] else {
                problem = (n, n.inputs.count > 1 ? "it joins several layers (add or concat), which the exported nn.Sequential cannot express yet"
                                                 : "it reads a layer other than the one before it (from:), which the exported nn.Sequential cannot express yet")
                return nil
            }
            return n.id
        case .sequence(let items):
            var x = input
            for (_, item) in items {
                guard let y = run(item, input: x) else { return nil }
                x = y
            }
            return x
        case .composite(let n, let shortcut, let branches):
            var parts: [Int] = []
            if let s = shortcut { guard let y = run(s, input: input) else { return nil }; parts.append(y) } else { parts.append(input) }
            for b in branches {
                guard let y = run(b, input: input) else { return nil }
                parts.append(y)
            }
            guard n.inputs == parts else {
                problem = (n, "its branches do not read the block's input")
                return nil
            }
            return n.id
        }
    }
}
