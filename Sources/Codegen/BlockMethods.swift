import IR

/// Turns the ops of each top-level block use into methods of its block type.
///
/// A step's nodes are cut into segments: maximal runs of consecutive nodes (in the planned
/// order) owned by the model or by one top-level block use. The k-th segments of all uses of a
/// type become one method when their emitted text is the same up to arena slots (which the
/// plan places differently per use), the use's own tensors, random-stream keys and per-use
/// constants; each use then calls it with its slots. A type whose uses differ in anything else
/// (fusion across a block boundary, other shapes) keeps those ops inline, marked with the use.
/// The method body is the inline text with those tokens replaced, so it computes exactly what
/// the inline code would.
struct BlockMethods {
    struct Segment {
        /// The top-level block use that owns the nodes, nil for the model's own.
        var owner: Int?
        var nodes: Range<Int>
        var backward: Bool
        var text: String
    }

    let graph: Graph
    let layout: Layout
    let scopes: BlockScopes
    /// Identifiers that name the model's own members (a body reading one stays inline).
    let modelMembers: Set<String>
    /// First node of the backward pass (`graph.nodes.count` if none).
    let backwardStart: Int

    /// The text each segment is replaced with (a call, or the inline ops), and each type's methods.
    func plan(_ segments: [Segment], source: SpecSource) -> (texts: [String], methods: [String: [String]]) {
        var texts = segments.map(\.text)
        var methods: [String: [String]] = [:]
        for (typeName, instances) in scopes.blockTypes where instances.allSatisfy({ scopes.scopes[$0].parent == 0 }) {
            let runs = instances.map { k in segments.indices.filter { segments[$0].owner == k } }
            guard let count = runs.first?.count, runs.allSatisfy({ $0.count == count }) else { continue }
            var names: [String: Int] = [:]
            for phase in 0..<count {
                let segs = runs.map { segments[$0[phase]] }
                guard let m = method(segs, instances: instances) else { continue }
                let base = methodName(segs[0])
                names[base, default: 0] += 1
                let name = names[base]! == 1 ? base : base + String(names[base]!)
                methods[typeName, default: []].append(m.declaration(name: name, doc: doc(segs[0], instances[0])))
                for (j, i) in runs.map({ $0[phase] }).enumerated() {
                    texts[i] = useComment(instances[j], source) + "\n" + m.call(name: name, instance: j, access: scopes.scopes[instances[j]].access)
                }
            }
        }
        for (i, s) in segments.enumerated() where s.owner != nil && texts[i] == s.text {
            texts[i] = "// block " + useComment(s.owner!, source).dropFirst(3) + "\n" + s.text
        }
        return (texts, methods)
    }

    private func useComment(_ k: Int, _ source: SpecSource) -> String {
        let s = scopes.scopes[k]
        return "// \(s.property): " + source.comment(for: Origin(path: s.use?.path ?? "", kind: s.use?.block ?? "", range: s.use?.range))
    }

    private func methodName(_ s: Segment) -> String {
        if graph.mode == .inference { return "infer" }
        if s.backward { return "backward" }
        return graph.nodes[s.nodes].allSatisfy(\.op.isEffect) ? "updateStatistics" : "forward"
    }

    private func doc(_ s: Segment, _ k: Int) -> String {
        let block = scopes.scopes[k].use?.block ?? ""
        let what: String
        switch methodName(s) {
        case "infer": what = "The evaluation pass through one `\(block)` use"
        case "backward": what = "The backward pass through one `\(block)` use"
        case "updateStatistics": what = "The running-statistics updates of one `\(block)` use"
        default: what = "The training forward pass through one `\(block)` use"
        }
        return what + ".\nIts values live in the arena slots the model passes (the plan places each use's differently)."
    }

    // MARK: Unification

    /// A parameter of a method: what differs between the uses at some token positions.
    fileprivate struct Hole {
        var label: String
        var type: String
        /// The text each use passes.
        var values: [String]
        var isSlot: Bool { type == "UnsafeMutablePointer<Float>" || type == "IndexBuffer" }
    }

    struct Method {
        fileprivate var context: [(String, String)]
        fileprivate var holes: [Hole]
        var body: String

        /// Context and constants on the first line, then one arena slot per line.
        func declaration(name: String, doc: String) -> String {
            let scalars = context.map { "\($0.0): \($0.1)" } + holes.filter { !$0.isSlot }.map { "\($0.label): \($0.type)" }
            let slots = holes.filter(\.isSlot).map { "\($0.label): \($0.type)" }
            let head = "func \(name)("
            let lines = (scalars.isEmpty ? [] : [scalars.joined(separator: ", ")]) + slots
            var w = SwiftWriter()
            w.doc(doc)
            for (i, l) in lines.enumerated() {
                w.line((i == 0 ? head : String(repeating: " ", count: head.count)) + l + (i == lines.count - 1 ? ") {" : ","))
            }
            if lines.isEmpty { w.line(head + ") {") }
            w.raw("    " + body.replacingOccurrences(of: "\n", with: "\n    "))
            w.line("}")
            return w.file
        }

        func call(name: String, instance j: Int, access: String) -> String {
            let args = context.map { "\($0.0): \($0.0)" } + holes.map { "\($0.label): \($0.values[j])" }
            var lines: [String] = []
            var line = "\(access).\(name)("
            for (i, a) in args.enumerated() {
                let piece = a + (i == args.count - 1 ? ")" : ",")
                if line.count + piece.count > 140, !line.hasSuffix("(") { lines.append(line); line = "    " + piece } else { line += (line.hasSuffix("(") ? "" : " ") + piece }
            }
            if args.isEmpty { line += ")" }
            lines.append(line)
            return lines.joined(separator: "\n")
        }
    }

    /// Context the model passes to every method that reads it, with its type.
    private static let contextTypes: [(String, String)] = [
        ("n", "Int"), ("step", "UInt64"), ("seed", "UInt64"), ("pool", "ThreadPool"), ("scratch", "ScratchBuffers"),
        ("invStd", "UnsafeMutablePointer<Float>"),
    ]

    private func method(_ segs: [Segment], instances: [Int]) -> Method? {
        var streams: [[Token]] = []
        for (s, k) in zip(segs, instances) {
            guard let t = strip(Token.split(s.text), instance: scopes.scopes[k].property) else { return nil }
            streams.append(t)
        }
        let first = streams[0]
        guard streams.allSatisfy({ $0.count == first.count }) else { return nil }
        // Slots: the same positions must name the same slot in every use, in order of appearance.
        var slotIndex: [[String: Int]] = Array(repeating: [:], count: streams.count)
        var slots: [[String]] = Array(repeating: [], count: streams.count)
        var numberHoles: [Int: Int] = [:]   // token position → hole index
        var holes: [Hole] = []
        for pos in first.indices {
            let texts = streams.map { $0[pos].text }
            if isSlot(first[pos]) {
                var index: Int?
                for (u, t) in texts.enumerated() {
                    guard isSlot(streams[u][pos]) else { return nil }
                    let i = slotIndex[u][t] ?? slots[u].count
                    if slotIndex[u][t] == nil { slotIndex[u][t] = i; slots[u].append(t) }
                    if index == nil { index = i } else if index != i { return nil }
                }
                continue
            }
            if Set(texts).count == 1 { continue }
            guard first[pos].kind == .number, streams.allSatisfy({ $0[pos].kind == .number }),
                  let (label, type) = numberContext(first, pos) else { return nil }
            if let h = holes.firstIndex(where: { $0.type == type && $0.values == texts && $0.label.hasPrefix(label) }) {
                numberHoles[pos] = h
            } else {
                numberHoles[pos] = holes.count
                holes.append(Hole(label: label, type: type, values: texts))
            }
        }
        // Labels: numbers first, then slots named after the layer that defines them.
        // A `let p: Float = …` constant keeps its local's name (`let p: Float = p` shadows the parameter).
        let locals = Set(first.indices.filter { first[$0].kind == .identifier && !isSlot(first[$0]) }.map { first[$0].text })
        var labels: Set<String> = []
        for i in holes.indices {
            var taken = labels.union(holes[i].type == "Float" && locals.contains(holes[i].label) ? locals.subtracting([holes[i].label]) : locals)
            holes[i].label = fresh(holes[i].label, &taken)
            labels.insert(holes[i].label)
        }
        labels.formUnion(locals)
        let slotHoles = slots[0].indices.map { i in
            Hole(label: fresh(slotLabel(slots[0][i], owner: instances[0]), &labels),
                 type: slots[0][i].contains("PoolIndices") ? "IndexBuffer" : "UnsafeMutablePointer<Float>",
                 values: slots.map { $0[i] })
        }
        var body = ""
        for (pos, t) in first.enumerated() {
            if isSlot(t), let i = slotIndex[0][t.text] { body += slotHoles[i].label } else if let h = numberHoles[pos] { body += holes[h].label } else { body += t.text }
        }
        // Context the body reads as a value (not only as an argument label such as `n:`).
        let tokens = Token.split(body).filter { $0.kind != .space }
        let words = Set(tokens.indices.filter { i in
            tokens[i].kind == .identifier && (i + 1 == tokens.count || tokens[i + 1].text != ":") && (i == 0 || tokens[i - 1].text != ".")
        }.map { tokens[$0].text })
        let context = Self.contextTypes.filter { words.contains($0.0) }
        return Method(context: context, holes: holes + slotHoles, body: body)
    }

    private func fresh(_ label: String, _ taken: inout Set<String>) -> String {
        var l = label, n = 1
        while taken.contains(l) { n += 1; l = label + String(n) }
        taken.insert(l)
        return l
    }

    /// Drops the use's own access prefix (`resblock1.`); nil if the text reads a model member.
    private func strip(_ tokens: [Token], instance: String) -> [Token]? {
        var out: [Token] = []
        var i = 0
        var member = false   // the token after a stripped prefix is the use's own member
        while i < tokens.count {
            let t = tokens[i]
            let afterDot = out.last?.text == "."
            if t.kind == .identifier, !afterDot, t.text == instance, i + 1 < tokens.count, tokens[i + 1].text == "." {
                i += 2
                member = true
                continue
            }
            defer { member = false }
            if t.kind == .identifier, !afterDot, !member, !isSlot(t), modelMembers.contains(t.text),
               !Self.contextTypes.contains(where: { $0.0 == t.text }) {
                return nil
            }
            out.append(t)
            i += 1
        }
        return out
    }

    /// An arena slot (`t62`) or a pooling index buffer (`tPoolIndices110`) of this step.
    private func isSlot(_ t: Token) -> Bool {
        guard t.kind == .identifier, t.text.hasPrefix(layout.prefix) else { return false }
        let rest = t.text.dropFirst(layout.prefix.count)
        let digits = rest.hasPrefix("PoolIndices") ? rest.dropFirst("PoolIndices".count) : rest
        return !digits.isEmpty && digits.allSatisfy(\.isNumber)
    }

    /// The typed contexts where a number may differ between uses: a random stream's key, a
    /// `Float` constant bound by `let`, a scale factor, a survival or gate probability.
    private func numberContext(_ t: [Token], _ pos: Int) -> (String, String)? {
        func prev(_ k: Int) -> String { var i = pos, n = 0; while i > 0 { i -= 1; if t[i].kind != .space { n += 1; if n == k { return t[i].text } } }; return "" }
        func next(_ k: Int) -> String { var i = pos, n = 0; while i + 1 < t.count { i += 1; if t[i].kind != .space { n += 1; if n == k { return t[i].text } } }; return "" }
        if prev(1) == ":" && prev(2) == "stream" && !t[pos].text.contains(".") { return ("key", "UInt32") }
        if prev(1) == "=" && prev(2) == "Float" && prev(3) == ":" { return (prev(4), "Float") }
        if prev(1) == "=" && next(1) == "*" { return ("scale", "Float") }
        if prev(1) == "<" && next(1) == "?" { return ("p", "Float") }
        return nil
    }

    /// A slot's parameter name: the layer that defines it in this use (`conv2d1`, `dBatchnorm2`
    /// for a gradient, `Out1` for a further output), else `input`.
    private func slotLabel(_ name: String, owner k: Int) -> String {
        let digits = name.dropFirst(layout.prefix.count)
        guard let raw = Int(digits) else { return "indices" }
        let v = ValueID(raw)
        for (i, n) in graph.nodes.enumerated() {
            guard let out = n.defined.firstIndex(of: v) else { continue }
            guard let path = n.origin?.path, scopes.owner(ofPath: path) == k,
                  var label = scopes.localName(ofPath: path, under: k) else { return "input" }
            if i >= backwardStart { label = "d" + label.prefix(1).uppercased() + label.dropFirst() }
            let names = Self.outputNames(n.op)
            if out < n.outputs.count, out < names.count { label += names[out] } else if out > 0 && out < n.outputs.count { label += "Out\(out)" }
            return label
        }
        return "input"
    }
}

extension BlockMethods {
    /// What an op's outputs are, for the names of the slots that hold them.
    static func outputNames(_ op: Op) -> [String] {
        switch op {
        case .batchNormTrain, .layerNorm, .groupNorm: return ["", "Mean", "Var"]
        case .batchNormBackward, .layerNormBackward, .groupNormBackward: return ["", "Weight", "Bias"]
        case .batchNormFoldWeight: return ["FoldedWeight"]
        case .batchNormFoldBias: return ["FoldedBias"]
        case .conv2dBackwardFilter: return ["Weight"]
        case .biasGrad: return ["Bias"]
        default: return []
        }
    }
}

/// A lexical token of generated Swift: enough to tell names, numbers, comments and the rest apart.
struct Token: Equatable {
    enum Kind { case identifier, number, space, other }
    var kind: Kind
    var text: String

    static func split(_ s: String) -> [Token] {
        var out: [Token] = []
        let c = Array(s)
        var i = 0
        func isIdent(_ ch: Character) -> Bool { ch == "_" || (ch.isASCII && (ch.isLetter || ch.isNumber)) }
        while i < c.count {
            let start = i
            if c[i].isASCII && c[i].isNumber {
                while i < c.count, c[i].isASCII, c[i].isNumber { i += 1 }
                if i + 1 < c.count, c[i] == ".", c[i + 1].isASCII, c[i + 1].isNumber {
                    i += 1
                    while i < c.count, c[i].isASCII, c[i].isNumber { i += 1 }
                }
                if i < c.count, c[i] == "e" {
                    var j = i + 1
                    if j < c.count, c[j] == "-" || c[j] == "+" { j += 1 }
                    if j < c.count, c[j].isASCII, c[j].isNumber {
                        i = j
                        while i < c.count, c[i].isASCII, c[i].isNumber { i += 1 }
                    }
                }
                out.append(Token(kind: .number, text: String(c[start..<i])))
            } else if isIdent(c[i]) {
                while i < c.count, isIdent(c[i]) { i += 1 }
                out.append(Token(kind: .identifier, text: String(c[start..<i])))
            } else if c[i] == "/", i + 1 < c.count, c[i + 1] == "/" {
                // A comment (spec text): compared as a whole, never a slot or a constant.
                while i < c.count, c[i] != "\n" { i += 1 }
                out.append(Token(kind: .other, text: String(c[start..<i])))
            } else if c[i] == " " || c[i] == "\n" {
                while i < c.count, c[i] == " " || c[i] == "\n" { i += 1 }
                out.append(Token(kind: .space, text: String(c[start..<i])))
            } else {
                i += 1
                out.append(Token(kind: .other, text: String(c[start..<i])))
            }
        }
        return out
    }
}
