import Diagnostics

// The canonical `.regula` text of a spec, for `regula fmt` and `regula convert`. Parsing the
// output gives back the same AST (ranges aside); the round-trip test checks every spec.

/// Prints a spec as canonical DSL: two-space indentation, one layer per line, sections in the
/// order regula, model, input, defaults, regularize, blocks, layers, loss, train, data.
///
/// - Parameter comments: the comments of the source (`comments(in:)`); each is put back before
///   the statement or layer it preceded, or at the end of its line. The AST keeps no comments,
///   so this is how `regula fmt` and `regula convert` keep them.
public func printDSL(_ spec: Spec, comments: [SourceComment] = []) -> String {
    var p = DSLPrinter(queue: CommentQueue(comments))
    p.spec(spec)
    return p.out
}

private let reservedWords: Set<String> = ["true", "false", "null"]

struct DSLPrinter {
    var out = ""
    var queue = CommentQueue([])
    /// Block parameters and repeat indices in scope, as in the parser.
    var scopes: [Set<String>] = []

    mutating func line(_ s: String, _ indent: Int) {
        out += String(repeating: "  ", count: indent) + s + "\n"
    }

    /// A top-level statement from source line `line`, with the comments before it and its
    /// trailing comment (taken before `build` runs, since nested layers consume later ones).
    mutating func statement(at line: Int?, _ build: (inout DSLPrinter) -> String) {
        if let line { out += queue.before(line, indent: "") }
        let trailing = line.flatMap { queue.trailing($0) }
        let text = build(&self)
        self.line(appendingTrailing(trailing, to: text), 0)
    }

    mutating func spec(_ s: Spec) {
        if let v = s.version { statement(at: v.range.start.line) { _ in "regula \(v.value)" } }
        if let m = s.model { statement(at: m.range.start.line) { "model " + $0.name(m.value) } }
        if let i = s.input {
            statement(at: i.range.start.line) { p in
                var text = "input " + p.list(i.shape)
                let options = [i.dtype.map { "dtype: " + p.name($0.value) }, i.dataFormat.map { "data_format: " + p.name($0.value) }].compactMap { $0 }
                if !options.isEmpty { text += "(" + options.joined(separator: ", ") + ")" }
                return text
            }
        }
        if !s.defaults.isEmpty {
            statement(at: s.defaults.first?.key.range.start.line) { "defaults " + $0.section(Value(.map(s.defaults), s.range)) }
        }
        if let r = s.regularize { statement(at: r.range.start.line) { "regularize " + $0.section(r) } }
        for b in s.blocks {
            if !out.isEmpty { out += "\n" }
            statement(at: b.range.start.line) { p in
                let params = b.parameters.map { x in x.name.value + (x.defaultValue.map { " = " + p.value($0, 0) } ?? "") }
                let header = "block \(b.name.value)" + (params.isEmpty ? "" : "(" + params.joined(separator: ", ") + ")")
                p.scopes.append(Set(b.parameters.map(\.name.value)))
                defer { p.scopes.removeLast() }
                return header + " " + p.layerList(b.body, 0)
            }
        }
        if !s.layers.isEmpty || s.blocks.isEmpty {
            if !out.isEmpty { out += "\n" }
            // The `layers` keyword has no range of its own; comments above the first layer go above it.
            if let first = s.layers.first?.range.start.line { out += queue.before(first, indent: "") }
            line("layers " + layerList(s.layers, 0), 0)
        }
        let sections = [("loss", s.loss), ("train", s.train), ("data", s.data)].filter { $0.1 != nil }
        if !sections.isEmpty && !out.isEmpty { out += "\n" }
        for case let (keyword, v?) in sections { statement(at: v.range.start.line) { keyword + " " + $0.section(v) } }
        out += queue.rest()
    }

    /// A top-level section's value: a map or a list that does not fit on one line gets one entry
    /// per line.
    mutating func section(_ v: Value) -> String {
        let flat = value(v, 0)
        guard flat.count > 72 else { return flat }
        switch v.kind {
        case .map(let es): return "{\n" + es.map { "  " + key($0.key.value) + ": " + value($0.value, 1) + "\n" }.joined() + "}"
        case .list(let items): return "[\n" + items.map { "  " + value($0, 1) }.joined(separator: ",\n") + "\n]"
        default: return flat
        }
    }

    /// `{`, one item per line at `indent + 1`, `}` at `indent` (no trailing newline).
    mutating func layerList(_ items: [LayerItem], _ indent: Int) -> String {
        if items.isEmpty { return "{}" }
        var text = "{\n"
        let pad = String(repeating: "  ", count: indent + 1)
        for item in items {
            let line = item.range.start.line
            text += queue.before(line, indent: pad)
            let trailing = queue.trailing(line)
            text += pad + appendingTrailing(trailing, to: self.item(item, indent + 1)) + "\n"
        }
        return text + String(repeating: "  ", count: indent) + "}"
    }

    mutating func item(_ item: LayerItem, _ indent: Int) -> String {
        switch item {
        case .repeat(let r):
            var text = "repeat " + value(r.count, indent)
            if let i = r.index { text += " as " + i.value }
            scopes.append(r.index.map { [$0.value] } ?? [])
            text += " " + layerList(r.body, indent)
            scopes.removeLast()
            return text
        case .layer(let l):
            var text = l.name.map { name($0.value) + " = " } ?? ""
            text += name(l.kind.value)
            var args: [String] = []
            if let p = l.primary { args.append(value(p, indent)) }
            for a in l.arguments { args.append(key(a.key.value) + ": " + value(a.value, indent)) }
            if !args.isEmpty { text += "(" + args.joined(separator: ", ") + ")" }
            if let from = l.from {
                text += " <- " + (from.count == 1 ? name(from[0].value) : "[" + from.map { name($0.value) }.joined(separator: ", ") + "]")
            }
            if let e = l.expect { text += " expect " + list(e.value) }
            return text
        }
    }

    mutating func value(_ v: Value, _ indent: Int) -> String {
        switch v.kind {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let n): return String(n)
        case .float(let x): return formatFloat(x)
        case .string(let s): return string(s)
        case .list(let vs):
            return "[" + vs.map { value($0, indent) }.joined(separator: ", ") + "]"
        case .map(let es): return map(es, indent)
        case .layers(let items): return layerList(items, indent)
        case .expr(let e):
            if case .name(let n) = e, !inScope(n) { return "(" + n + ")" }
            return printExpr(e)
        }
    }

    mutating func list(_ vs: [Value]) -> String {
        "[" + vs.map { value($0, 0) }.joined(separator: ", ") + "]"
    }

    mutating func map(_ es: [Entry], _ indent: Int = 0) -> String {
        "{" + es.map { key($0.key.value) + ": " + value($0.value, indent) }.joined(separator: ", ") + "}"
    }

    func inScope(_ n: String) -> Bool { scopes.contains { $0.contains(n) } }

    /// A string value: bare when it reads back as the same string, quoted otherwise.
    func string(_ s: String) -> String {
        DSLLexer.isIdentifier(s) && !reservedWords.contains(s) && !inScope(s) ? s : quoteDSLString(s)
    }

    /// A name in a position that is never an expression (model name, layer name, reference).
    func name(_ s: String) -> String { DSLLexer.isIdentifier(s) ? s : quoteDSLString(s) }

    func key(_ s: String) -> String { DSLLexer.isIdentifier(s) ? s : quoteDSLString(s) }
}
