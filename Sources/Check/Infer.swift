import Syntax
import Diagnostics

// Graph building and shape inference: walks the expanded layer tree in order, resolves `from:`
// references, applies the shape rules, creates parameters with their PyTorch `state_dict`
// names, and expands residual kinds into their parts. Linear in the number of layers.

struct Inferrer {
    var nodes: [CheckedNode] = []
    /// Nodes whose shape is unknown because of an earlier error; their consumers stay silent.
    var poisoned: [Bool] = []
    /// How a node's last dim was computed (`32·7·7`), for size-mismatch messages.
    var arithmetic: [String?] = []
    var diagnostics: [Diagnostic] = []
    private var uses = UseContext()
    /// The block uses around the layers being built, outermost first.
    private var blockUses: [BlockUse] = []
    /// Residual blocks whose stochastic depth was dropped for lack of a shortcut (for the lint rule).
    var droppedStochasticDepth: [SourceRange] = []

    private var names: [String: (node: Int, range: SourceRange)] = [:]
    /// What `from: input` means here: the model input, or a block instance's input.
    private var scopeInput = 0
    /// Names in definition order, so a block instance can drop its own on exit without copying `names`.
    private var definedLog: [String] = []
    /// Every name defined anywhere in the model, for telling forward references from typos.
    private var allNames: [String: SourceRange] = [:]
    /// Each named layer's explicit `from:` names, for telling cycles from plain forward references.
    private var nameDeps: [String: [String]] = [:]
    private let dtype: DType
    private let defaults: RegularizationDefaults
    private let rules: RegularizationRules
    private let optimizerDecay: Strength

    init(input: InputInfo, defaults: RegularizationDefaults, rules: RegularizationRules, optimizerDecay: Strength, range: SourceRange) {
        self.rules = rules
        self.dtype = input.dtype
        self.defaults = defaults
        self.optimizerDecay = optimizerDecay
        _ = add(.input, [], input.shape, path: "", name: "input", display: "input", range: range)
    }

    // MARK: building blocks

    private mutating func add(_ op: LayerOp, _ inputs: [Int], _ shape: Shape?, params: [ParamInfo] = [], path: String,
                              name: String?, display: String, range: SourceRange, arithmetic a: String? = nil,
                              schedules: [String: ScalarSchedule] = [:]) -> Int {
        let id = nodes.count
        var node = CheckedNode(id: id, op: op, inputs: inputs, shape: shape ?? [], params: params, path: path,
                               name: name, displayKind: display, range: range)
        node.schedules = schedules
        node.blocks = blockUses
        nodes.append(node)
        poisoned.append(shape == nil)
        arithmetic.append(a)
        return id
    }

    private mutating func poison(_ range: SourceRange, _ inputs: [Int] = []) -> Int {
        add(.activation(.identity, slope: 0, axis: 0), inputs, nil, path: "", name: nil, display: "invalid", range: range)
    }

    private func join(_ prefix: String, _ segment: String) -> String { prefix.isEmpty ? segment : prefix + "." + segment }

    private func label(_ id: Int) -> String {
        let n = nodes[id]
        return n.name ?? (n.path.isEmpty ? n.displayKind : n.path)
    }

    // MARK: names

    mutating func collectNames(_ items: [EItem]) {
        for item in items {
            if let n = item.name, allNames[n.value] == nil {
                allNames[n.value] = n.range
                nameDeps[n.value] = item.from?.map(\.value) ?? []
            }
            switch item {
            case .layer(let l): for lists in l.lists.values { for list in lists { collectNames(list) } }
            case .block: break   // names inside a block instance are local to it
            case .invalid: break
            }
        }
    }

    /// Makes `name` refer to `node`; `label` also shows it as the node's name (not for the
    /// activation node a layer's `activation:` adds, whose layer node already carries it).
    private mutating func define(_ name: Located<String>?, _ node: Int, label: Bool = true) {
        guard let n = name else { return }
        if n.value == "input" { diagnostics.append(Msg.reservedName.error(n.range)); return }
        if let previous = names[n.value] {
            diagnostics.append(Msg.duplicateName(n.value).error(n.range, notes: [Note(Msg.firstDefinedHere(n.value), at: previous.range)]))
            return
        }
        names[n.value] = (node, n.range)
        definedLog.append(n.value)
        if label && nodes[node].name == nil { nodes[node].name = n.value }
    }

    /// The nodes `from` names, or nil after reporting why not.
    private mutating func resolve(_ from: [Located<String>], current: String?) -> [Int]? {
        var ids: [Int] = []
        var ok = true
        for ref in from {
            if ref.value == "input" { ids.append(scopeInput); continue }
            if let n = names[ref.value] { ids.append(n.node); continue }
            ok = false
            if let me = current, let loop = cycle(from: ref.value, to: me) {
                diagnostics.append(Msg.cycle([me] + loop).error(ref.range))
            } else if allNames[ref.value] != nil {
                diagnostics.append(Msg.forwardReference(ref.value).error(ref.range, notes: [Note(Msg.definedHere(ref.value), at: allNames[ref.value])]))
            } else {
                let s = closest(to: ref.value, in: ["input"] + names.keys.sorted())
                diagnostics.append(Msg.unknownReference(ref.value, s).error(ref.range,
                    fixIts: s.map { [FixIt("replace with '\($0)'", range: ref.range, replacement: $0)] } ?? []))
            }
        }
        return ok ? ids : nil
    }

    /// The chain of explicit `from:` names leading from `start` back to `target`, if any.
    private func cycle(from start: String, to target: String) -> [String]? {
        var seen: Set<String> = []
        var stack: [(String, [String])] = [(start, [start])]
        while let (n, path) = stack.popLast() {
            if n == target { return path }
            guard seen.insert(n).inserted else { continue }
            for d in nameDeps[n] ?? [] { stack.append((d, path + [d])) }
        }
        return nil
    }

    /// Defines every name inside a skipped item as unknown, so references to it stay silent.
    private mutating func definePoisoned(_ item: EItem, _ node: Int) {
        switch item {
        case .layer(let l): for lists in l.lists.values { for list in lists { for i in list { definePoisoned(i, node) } } }
        case .block(let b): for i in b.items { definePoisoned(i, node) }
        case .invalid: break
        }
        if let n = item.name, names[n.value] == nil, n.value != "input" {
            names[n.value] = (node, n.range)
            definedLog.append(n.value)
        }
    }

    // MARK: walking

    /// Builds the nodes of a layer list whose first layer reads `input`; returns the output node.
    mutating func list(_ items: [EItem], input: Int, prefix: String) -> Int {
        var previous = input
        var index = 0
        for item in items {
            let segment = item.name?.value ?? String(index)
            let (out, used) = build(item, previous: previous, path: join(prefix, segment), prefix: prefix, index: index)
            previous = out
            index += used
        }
        return previous
    }

    /// Builds one item; its diagnostics name the block uses and repeat iterations it came from.
    private mutating func build(_ item: EItem, previous: Int, path: String, prefix: String, index: Int) -> (Int, Int) {
        let mark = diagnostics.count
        defer { uses.attach(item.context, to: &diagnostics, from: mark) }
        return buildItem(item, previous: previous, path: path, prefix: prefix, index: index)
    }

    /// Builds one item; returns its output node and how many `nn.Sequential` slots it took.
    private mutating func buildItem(_ item: EItem, previous: Int, path: String, prefix: String, index: Int) -> (Int, Int) {
        var inputs = [previous]
        if let from = item.from {
            guard let ids = resolve(from, current: item.name?.value) else {
                let p = poison(item.range)
                definePoisoned(item, p)
                return (p, 1)
            }
            inputs = ids
        }
        let out: Int
        var used = 1
        switch item {
        case .invalid(let name, _, let range):
            out = poison(range, inputs)
            if let n = name { define(n, out) }
            return (out, 1)
        case .block(let b):
            guard inputs.count == 1 else {
                diagnostics.append(Msg.tooManyInputs(b.block, inputs.count).error(b.range))
                let p = poison(b.range); definePoisoned(item, p); return (p, 1)
            }
            // A block instance is a scope: its layers' names are local (so a block with named
            // layers can be used many times) and `input` is the block's input.
            let (mark, outerInput) = (definedLog.count, scopeInput)
            scopeInput = inputs[0]
            blockUses.append(BlockUse(block: b.block, path: path, range: b.range, definition: b.definition))
            out = list(b.items, input: inputs[0], prefix: path)
            blockUses.removeLast()
            for n in definedLog[mark...] { names.removeValue(forKey: n) }
            definedLog.removeSubrange(mark...)
            scopeInput = outerInput
            define(b.name, out)
        case .layer(let l):
            (out, used) = layer(l, inputs: inputs, path: path, prefix: prefix, index: index)
        }
        if let e = (item.layer?.expect ?? item.blockExpect), !poisoned[out] { checkExpect(e, nodes[out].shape) }
        return (out, used)
    }

    private mutating func checkExpect(_ e: Located<[Value]>, _ got: Shape) {
        var expected: [String] = []
        var matches = e.value.count == got.count
        for (k, v) in e.value.enumerated() {
            if let i = v.intValue {
                expected.append(String(i))
                if matches && got[k] != .fixed(i) { matches = false }
            } else if let s = v.stringValue {
                expected.append(s)
                if matches && got[k] != .symbol(s) { matches = false }
            } else {
                diagnostics.append(Msg.badExpect.error(v.range))
                return
            }
        }
        if !matches { diagnostics.append(Msg.expectFailed(got, expected).error(e.range)) }
    }

    private mutating func layer(_ l: ELayer, inputs: [Int], path: String, prefix: String, index: Int) -> (Int, Int) {
        let display = l.display
        switch l.spec.id {
        case .add, .concat:
            guard inputs.count >= 2 else {
                diagnostics.append(Msg.tooFewInputs(l.written).error(l.range))
                let p = poison(l.range, inputs); define(l.name, p); return (p, 1)
            }
            let shape = inputs.contains { poisoned[$0] } ? nil : (l.spec.id == .add ? addShape(l, inputs) : concatShape(l, inputs))
            let axis = l.int("axis") ?? 0
            let op: LayerOp = l.spec.id == .add ? .add : .concat(axis: axis < 0 ? (shape?.count ?? 1) - 1 : axis)
            let out = add(op, inputs, shape, path: path, name: nil, display: display, range: l.range)
            define(l.name, out)
            return (out, 1)
        default:
            break
        }
        guard inputs.count == 1 else {
            diagnostics.append(Msg.tooManyInputs(l.written, inputs.count).error(l.from?.first?.range ?? l.range))
            let p = poison(l.range); definePoisoned(.layer(l), p); return (p, 1)
        }
        let x = inputs[0]
        if poisoned[x] {
            let p = poison(l.range, [x]); definePoisoned(.layer(l), p); return (p, 1)
        }
        switch l.spec.id {
        case .residual, .shakeShake, .shakeDrop:
            let out = composite(l, input: x, path: path)
            define(l.name, out)
            return (out, 1)
        default:
            break
        }
        guard let rule = shapeRule(l.spec.id) else { preconditionFailure("kind \(l.spec.name) has no shape rule") }
        let inputDType: DType = x == 0 ? dtype : .float32
        if inputDType == .int32 && l.spec.id != .embedding {
            // Token ids are indices, not values: only an embedding can read them.
            diagnostics.append(Msg.intInput(l.written).error(l.range))
            let p = poison(l.range, [x]); define(l.name, p); return (p, 1)
        }
        let input = RuleInput(layer: l, x: nodes[x].shape, arithmetic: arithmetic[x], dtype: inputDType)
        guard let r = rule(input, &diagnostics) else {
            let p = poison(l.range, [x]); define(l.name, p); return (p, 1)
        }
        if r.shape.contains(where: { ($0.value ?? 0) > maxSize }) || (fixedElements(r.shape.filter { $0.value != nil }).map { $0 > maxSize } ?? true) {
            diagnostics.append(Msg.tooManyParameters(l.written).error(l.range))
            let p = poison(l.range, [x]); define(l.name, p); return (p, 1)
        }
        let rows = paramRows(r.op, input: nodes[x].shape)
        // Tensors must stay countable in Int (ParamInfo.count) and addressable by the runtime.
        if rows.contains(where: { fixedElements($0.shape.map(Dim.fixed)).map { $0 > maxSize } ?? true }) {
            diagnostics.append(Msg.tooManyParameters(l.written).error(l.range))
            let p = poison(l.range, [x]); define(l.name, p); return (p, 1)
        }
        var params = rows.map { row in
            ParamInfo(name: path + "." + row.suffix, shape: row.shape, role: row.role, trainable: row.trainable,
                      initializer: row.initializer,
                      regularization: regularization(row, layer: l, path: path, defaults: defaults, rules: rules,
                                                     optimizerDecay: optimizerDecay))
        }
        params = reparametrize(params, op: r.op, layer: l, diagnostics: &diagnostics)
        if let p = l.number("weight_drop"), p > 0 {   // DropConnect on the recurrent weights only
            for k in params.indices where params[k].name.contains(".weight_hh_") { params[k].regularization.dropConnect = p }
        }
        var out = add(r.op, [x], r.shape, params: params, path: path, name: l.name?.value, display: display, range: l.range,
                      arithmetic: r.arithmetic, schedules: l.schedules.filter { !Regularization.scheduledPenalties.contains($0.key) })
        if let a = l.string("activation"), let act = Activation(rawValue: a) {
            let actPath = join(prefix, String(index + 1))
            let actDisplay = display.split(separator: "/").dropLast().map(String.init) + [act.rawValue]
            out = add(.activation(act, slope: act == .leakyRelu ? 0.01 : act == .elu ? 1 : 0, axis: r.shape.count - 1), [out], r.shape,
                      path: actPath, name: nil, display: actDisplay.joined(separator: "/"), range: l.argRanges["activation"] ?? l.range)
            define(l.name, out, label: false)
            return (out, 2)
        }
        define(l.name, out)
        return (out, 1)
    }

    // MARK: joins

    private mutating func addShape(_ l: ELayer, _ inputs: [Int]) -> Shape? {
        let first = nodes[inputs[0]].shape
        for other in inputs.dropFirst() where nodes[other].shape != first {
            diagnostics.append(Msg.addMismatch(l.written, label(inputs[0]), first, label(other), nodes[other].shape).error(l.range, notes: [
                Note(Msg.definedHere(label(inputs[0])), at: nodes[inputs[0]].range),
                Note(Msg.definedHere(label(other)), at: nodes[other].range),
            ]))
            return nil
        }
        return first
    }

    private mutating func concatShape(_ l: ELayer, _ inputs: [Int]) -> Shape? {
        let first = nodes[inputs[0]].shape
        var axis = l.int("axis") ?? 0
        if axis == -1 { axis = first.count - 1 }
        guard axis >= 0 && axis < first.count else {
            diagnostics.append(Msg.axisRange(l.written, axis, first).error(l.argRanges["axis"] ?? l.range))
            return nil
        }
        var total: [Dim] = [first[axis]]
        for other in inputs.dropFirst() {
            let s = nodes[other].shape
            var same = s.count == first.count
            if same { for k in 0..<s.count where k != axis && s[k] != first[k] { same = false } }
            guard same else {
                diagnostics.append(Msg.concatMismatch(label(inputs[0]), first, label(other), s, axis).error(l.range, notes: [
                    Note(Msg.definedHere(label(inputs[0])), at: nodes[inputs[0]].range),
                    Note(Msg.definedHere(label(other)), at: nodes[other].range),
                ]))
                return nil
            }
            total.append(s[axis])
        }
        var out = first
        out[axis] = fixedElements(total).map { _ in .fixed(total.compactMap(\.value).reduce(0, +)) }
            ?? .symbol(total.map(\.description).joined(separator: "+"))
        return out
    }

    /// residual, shake_shake and shakedrop: shortcut (identity by default) joined with the branches.
    private mutating func composite(_ l: ELayer, input x: Int, path: String) -> Int {
        var shortcut = x
        var hasShortcut = false
        if l.args["shortcut"] == ArgValue.none || l.bool("skip") == false {
            // `skip: false` (or `shortcut: none`): a plain block; stochastic depth has nothing to fall back on.
            let body = list(l.lists["body"]?.first ?? [], input: x, prefix: path + ".body")
            if l.args["stochastic_depth"] != nil { droppedStochasticDepth.append(l.argRanges["stochastic_depth"] ?? l.range) }
            return body
        }
        if let s = l.lists["shortcut"]?.first, !s.isEmpty {
            shortcut = list(s, input: x, prefix: path + ".shortcut")
            hasShortcut = true
        }
        var branches: [Int] = []
        if l.spec.id == .shakeShake {
            for (k, b) in (l.lists["branches"] ?? []).enumerated() {
                branches.append(list(b, input: x, prefix: path + ".branches.\(k)"))
            }
        } else {
            branches.append(list(l.lists["body"]?.first ?? [], input: x, prefix: path + ".body"))
        }
        let parts = [shortcut] + branches
        var shape: Shape? = parts.contains { poisoned[$0] } ? nil : nodes[shortcut].shape
        if shape != nil {
            for (k, b) in branches.enumerated() where nodes[b].shape != nodes[shortcut].shape {
                let notes = [Note("the body ends here", at: nodes[b].range)]
                if l.spec.id == .shakeShake {
                    diagnostics.append(Msg.branchMismatch(l.written, "branch \(k)", nodes[b].shape, hasShortcut ? "the shortcut" : "the identity shortcut", nodes[shortcut].shape).error(l.range, notes: notes))
                } else {
                    diagnostics.append(Msg.residualMismatch(nodes[b].shape, nodes[shortcut].shape, hasShortcut).error(l.range, notes: notes))
                }
                shape = nil
                break
            }
        }
        let op: LayerOp
        var depth: StochasticDepth?
        if case .survival(let p, let mode)? = l.args["stochastic_depth"] { depth = StochasticDepth(survival: p, mode: mode) }
        switch l.spec.id {
        case .residual:
            op = .residual(stochasticDepth: depth)
        case .shakeShake:
            op = .shakeShake(ShakeShake(forward: ShakeShake.Forward(rawValue: l.string("forward") ?? "shake") ?? .shake,
                                        backward: ShakeShake.Backward(rawValue: l.string("backward") ?? "shake") ?? .shake,
                                        level: ShakeShake.Level(rawValue: l.string("level") ?? "image") ?? .image,
                                        stochasticDepth: depth))
        default:
            var sd = ShakeDrop(p: l.number("p") ?? 0.5)
            if case .range(let lo, let hi)? = l.args["alpha"] { sd.alpha = lo...hi }
            if case .range(let lo, let hi)? = l.args["beta"] { sd.beta = lo...hi }
            sd.level = ShakeDrop.Level(rawValue: l.string("level") ?? "image") ?? .image
            sd.stochasticDepth = depth
            op = .shakeDrop(sd)
        }
        return add(op, parts, shape, path: path, name: l.name?.value, display: l.display, range: l.range, schedules: l.schedules)
    }
}

private extension EItem {
    var layer: ELayer? { if case .layer(let l) = self { return l }; return nil }
    var blockExpect: Located<[Value]>? { if case .block(let b) = self { return b.expect }; return nil }
}
