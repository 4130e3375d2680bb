import Diagnostics
// Prints a spec as YAML in the core format (block style for structure, flow style for
// arguments), for `regula convert`. Reading the output gives back the same AST, ranges aside.

/// The spec as YAML; expressions print as `"${ ... }"`.
///
/// YAML has no form for a positional argument next to named ones (`dense(256, l2: 0.01)` in the
/// DSL), so such a layer prints its primary argument under its name (`dense: {units: 256, l2: 0.01}`).
/// The name of a kind's primary argument comes from the checker's kinds table through
/// `primaryArgument`; a block's is its first parameter. A layer whose primary argument cannot be
/// named is refused: `PrintResult.refused` holds an error at it, and callers must not use the text.
///
/// - Parameter comments: the comments of the source (`comments(in:)`); each is put back before
///   the section or layer it preceded, or at the end of its line.
public func printYAML(_ spec: Spec, comments: [SourceComment] = [],
                      primaryArgument: @escaping (String) -> String? = { _ in nil }) -> PrintResult {
    var p = YAMLPrinter(queue: CommentQueue(comments))
    p.primaryArgument = { kind in
        if let block = spec.blocks.first(where: { $0.name.value == kind }) { return block.parameters.first?.name.value }
        return primaryArgument(kind)
    }
    p.spec(spec)
    return PrintResult(text: p.out + p.queue.rest(), refused: p.refused)
}

/// A printed spec, and what could not be printed without loss (errors at the source).
public struct PrintResult {
    public var text: String
    public var refused: [Diagnostic]
}

struct YAMLPrinter {
    var out = ""
    var queue = CommentQueue([])
    var primaryArgument: (String) -> String? = { _ in nil }
    var refused: [Diagnostic] = []

    /// A layer's arguments with a positional primary argument put under its name; nil (and a
    /// refusal) when the primary argument has no known name.
    mutating func namedArguments(_ l: Layer) -> [Entry]? {
        guard let p = l.primary else { return l.arguments }
        guard let name = primaryArgument(l.kind.value) else {
            refused.append(.error("convert-unnamed-primary",
                "cannot write layer '\(l.kind.value)' in YAML: its positional argument has no known name, and YAML has no positional form next to named arguments",
                at: p.range, notes: [Note("write the argument by name in the source")]))
            return nil
        }
        return [Entry(key: Located(name, p.range), value: p)] + l.arguments
    }

    /// Puts the comments that came before source line `line` here, at `indent`.
    mutating func comments(before line: Int?, _ indent: Int) {
        if let line { out += queue.before(line, indent: String(repeating: "  ", count: indent)) }
    }

    mutating func line(_ s: String, _ indent: Int) {
        out += String(repeating: "  ", count: indent) + s + "\n"
    }

    mutating func spec(_ s: Spec) {
        if let v = s.version { comments(before: v.range.start.line, 0); line("regula: \(v.value)", 0) }
        if let m = s.model { comments(before: m.range.start.line, 0); line("model: " + scalar(m.value), 0) }
        if let i = s.input {
            comments(before: i.range.start.line, 0)
            if i.dtype == nil && i.dataFormat == nil {
                line("input: " + flow(.list(i.shape)), 0)
            } else {
                var fields = ["shape: " + flow(.list(i.shape))]
                if let d = i.dtype { fields.append("dtype: " + scalar(d.value)) }
                if let f = i.dataFormat { fields.append("data_format: " + scalar(f.value)) }
                line("input: {" + fields.joined(separator: ", ") + "}", 0)
            }
        }
        if !s.defaults.isEmpty {
            comments(before: s.defaults.first?.key.range.start.line, 0)
            line("defaults:", 0)
            for e in s.defaults { entry(e, 1) }
        }
        if let r = s.regularize {
            comments(before: r.range.start.line, 0)
            if case .list(let rules) = r.kind, !rules.isEmpty {
                line("regularize:", 0)
                for rule in rules {
                    comments(before: rule.range.start.line, 1)
                    line("- " + flow(rule.kind), 1)
                }
            } else {
                entry(Entry(key: .init("regularize", r.range), value: r), 0)
            }
        }
        if !s.blocks.isEmpty {
            line("blocks:", 0)
            for b in s.blocks {
                comments(before: b.range.start.line, 1)
                line(key(b.name.value) + ":", 1)
                if !b.parameters.isEmpty {
                    if b.parameters.allSatisfy({ $0.defaultValue == nil }) {
                        line("params: [" + b.parameters.map { scalar($0.name.value) }.joined(separator: ", ") + "]", 2)
                    } else {
                        let ps = b.parameters.map { key($0.name.value) + ": " + ($0.defaultValue.map { flow($0.kind) } ?? "null") }
                        line("params: {" + ps.joined(separator: ", ") + "}", 2)
                    }
                }
                layerList("layers", b.body, 2)
            }
        }
        comments(before: s.layers.first?.range.start.line, 0)
        layerList("layers", s.layers, 0)
        for (k, v) in [("loss", s.loss), ("train", s.train), ("data", s.data)] {
            if let v {
                comments(before: v.range.start.line, 0)
                entry(Entry(key: .init(k, v.range), value: v), 0)
            }
        }
    }

    /// `label:` followed by one `- item` per layer, or `label: []`.
    mutating func layerList(_ label: String, _ items: [LayerItem], _ indent: Int) {
        if items.isEmpty { return line(label + ": []", indent) }
        line(label + ":", indent)
        for item in items { self.item(item, indent + 1) }
    }

    mutating func item(_ item: LayerItem, _ indent: Int) {
        comments(before: item.range.start.line, indent)
        let trailing = queue.trailing(item.range.start.line)
        let start = out.utf8.count
        defer {
            let from = out.utf8.index(out.utf8.startIndex, offsetBy: start)
            if let trailing, let end = out[from...].firstIndex(of: "\n") { out.insert(contentsOf: "  " + trailing, at: end) }
        }
        switch item {
        case .repeat(let r):
            line("- repeat:", indent)
            line("count: " + flow(r.count.kind), indent + 2)
            if let i = r.index { line("as: " + scalar(i.value), indent + 2) }
            layerList("layers", r.body, indent + 2)
        case .layer(let l):
            let placed = l.name != nil || l.from != nil || l.expect != nil
            let kind = key(l.kind.value)
            let arguments = l.arguments.isEmpty ? [] : namedArguments(l) ?? []
            if let p = l.primary, l.arguments.isEmpty {
                line("- " + kind + ": " + flow(p.kind), indent)
            } else if arguments.isEmpty {
                line("- " + kind + (placed ? ": {}" : ""), indent)
            } else if arguments.allSatisfy({ !containsLayers($0.value) }) {
                line("- " + kind + ": {" + arguments.map { key($0.key.value) + ": " + flow($0.value.kind) }.joined(separator: ", ") + "}", indent)
            } else {
                line("- " + kind + ":", indent)
                for a in arguments { entry(a, indent + 2) }
            }
            if let n = l.name { line("name: " + scalar(n.value), indent + 1) }
            if let f = l.from {
                line("from: " + (f.count == 1 ? scalar(f[0].value) : "[" + f.map { scalar($0.value) }.joined(separator: ", ") + "]"), indent + 1)
            }
            if let e = l.expect { line("expect: " + flow(.list(e.value)), indent + 1) }
        }
    }

    /// `key: value`, in block style when the value holds layer lists.
    mutating func entry(_ e: Entry, _ indent: Int) {
        switch e.value.kind {
        case .layers(let items):
            layerList(key(e.key.value), items, indent)
        case .list(let vs) where containsLayers(e.value):
            line(key(e.key.value) + ":", indent)
            for v in vs {
                guard case .layers(let items) = v.kind, !items.isEmpty else {
                    line("- " + flow(v.kind), indent + 1)
                    continue
                }
                // A branch: a list inside a list, `- - relu`. Comments go first, so the line
                // rewritten below is the first item's.
                comments(before: items[0].range.start.line, indent + 1)
                var first = true
                for item in items {
                    let before = out
                    self.item(item, indent + 2)
                    if first {
                        let added = String(out.dropFirst(before.count))
                        let pad = String(repeating: "  ", count: indent + 2)
                        out = before + String(repeating: "  ", count: indent + 1) + "- " + added.dropFirst(pad.count)
                        first = false
                    }
                }
            }
        case .map(let es) where containsLayers(e.value) || (indent == 0 && flow(e.value.kind).count > 72):
            // Maps holding layers, and top-level sections too long for one line, in block style.
            line(key(e.key.value) + ":", indent)
            for x in es { entry(x, indent + 1) }
        default:
            line(key(e.key.value) + ": " + flow(e.value.kind), indent)
        }
    }

    func containsLayers(_ v: Value) -> Bool {
        switch v.kind {
        case .layers: return true
        case .list(let vs): return vs.contains(where: containsLayers)
        case .map(let es): return es.contains { containsLayers($0.value) }
        default: return false
        }
    }

    /// A value in flow style. Layer lists (which `containsLayers` keeps out of flow positions
    /// in specs the readers produce) print as flow sequences of flow items.
    mutating func flow(_ k: Value.Kind) -> String {
        switch k {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let n): return String(n)
        case .float(let x):
            if x.isNaN { return ".nan" }
            if x.isInfinite { return x > 0 ? ".inf" : "-.inf" }
            return formatFloat(x)
        case .string(let s): return scalar(s)
        case .list(let vs): return "[" + vs.map { flow($0.kind) }.joined(separator: ", ") + "]"
        case .map(let es): return "{" + es.map { key($0.key.value) + ": " + flow($0.value.kind) }.joined(separator: ", ") + "}"
        case .expr(let e): return quoteYAML("${" + printExpr(e) + "}")
        case .layers(let items): return "[" + items.map { flowItem($0) }.joined(separator: ", ") + "]"
        }
    }

    private mutating func flowItem(_ item: LayerItem) -> String {
        switch item {
        case .repeat(let r):
            var fields = ["count: " + flow(r.count.kind)]
            if let i = r.index { fields.append("as: " + scalar(i.value)) }
            fields.append("layers: " + flow(.layers(r.body)))
            return "{repeat: {" + fields.joined(separator: ", ") + "}}"
        case .layer(let l):
            var fields: [String] = []
            if let p = l.primary, l.arguments.isEmpty {
                fields.append(key(l.kind.value) + ": " + flow(p.kind))
            } else {
                let arguments = namedArguments(l) ?? []
                fields.append(key(l.kind.value) + ": {" + arguments.map { key($0.key.value) + ": " + flow($0.value.kind) }.joined(separator: ", ") + "}")
            }
            if let n = l.name { fields.append("name: " + scalar(n.value)) }
            if let f = l.from { fields.append("from: [" + f.map { scalar($0.value) }.joined(separator: ", ") + "]") }
            if let e = l.expect { fields.append("expect: " + flow(.list(e.value))) }
            return "{" + fields.joined(separator: ", ") + "}"
        }
    }

    /// A string scalar: plain when YAML reads it back as the same string, double-quoted otherwise.
    func scalar(_ s: String) -> String {
        isSafePlain(s) ? s : quoteYAML(s)
    }

    func key(_ s: String) -> String { scalar(s) }

    private func isSafePlain(_ s: String) -> Bool {
        guard let f = s.unicodeScalars.first, DSLLexer.isIdentifierStart(f) else { return false }
        let ok = s.unicodeScalars.allSatisfy { DSLLexer.isIdentifierContinue($0) || $0 == "." || $0 == "/" || $0 == "-" }
        return ok && !plainScalarIsSpecial(s) && !["yes", "no", "on", "off", "y", "n"].contains(s.lowercased())
    }

    /// A YAML double-quoted scalar; JSON's escapes are a subset of YAML's.
    private func quoteYAML(_ s: String) -> String { JSON.quote(s) }
}
