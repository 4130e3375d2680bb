import Diagnostics

// Layer lists and layer items in the DSL:
//
//   layerList = "{" { item (NEWLINE | ";") } "}"
//   item      = "repeat" value [ "as" IDENT ] layerList
//             | [ IDENT "=" ] IDENT [ "(" arguments ")" ] [ "<-" refs ] [ "expect" list ]

/// Arguments that place a layer rather than configure it; inside `( )` they fill Layer's fields.
private let placementKeys: Set<String> = ["name", "from", "expect"]

extension DSLParser {
    /// `{ item ... }`; recovers inside the list, so it fails only if the `{` is missing.
    func parseLayerList(owner: String) -> (items: [LayerItem], range: SourceRange)? {
        guard let open = expect("{", "to start the layer list of \(owner)") else { return nil }
        guard enterNesting(at: open.range) else { return nil }
        defer { leaveNesting() }
        var items: [LayerItem] = []
        skipNewlines()
        while !current.isPunct("}") {
            if current.kind == .eof {
                error("expected '}' to close the layer list of \(owner)", at: current.range,
                      notes: [Note("the layer list starts here", at: open.range)])
                return (items, open.range)
            }
            if let item = parseItem() {
                items.append(item)
                if !current.isPunct("}") { endOfLine("after a layer") }
            } else {
                synchronize()
                if current.isPunct(")") || current.isPunct("]") { advance() }
                skipNewlines()
            }
        }
        let close = advance()
        return (items, open.range.union(close.range))
    }

    private func parseItem() -> LayerItem? {
        if current.isWord("repeat") && !peek(1).isPunct("=") && !peek(1).isPunct("(") {
            return parseRepeat()
        }
        var name: Located<String>?
        if (current.kind == .identifier || current.kind == .string) && peek(1).isPunct("=") {
            let t = advance()
            advance()
            name = Located(t.text, t.range)
        }
        guard current.kind == .identifier || current.kind == .string else {
            error("expected a layer kind, found \(current.describe)", at: current.range)
            return nil
        }
        let kindToken = advance()
        var layer = Layer(kind: Located(kindToken.text, kindToken.range), name: name,
                          range: (name?.range ?? kindToken.range).union(kindToken.range))
        if current.isPunct("(") {
            guard let args = parseArgumentList(layerLists: true) else { return nil }
            layer.primary = args.positional
            for a in args.entries {
                guard placementKeys.contains(a.key.value) else {
                    layer.arguments.append(a)
                    continue
                }
                placement(a, into: &layer)
            }
            layer.range = layer.range.union(args.range)
        }
        if current.isPunct("<-") {
            let arrow = advance()
            guard let refs = parseReferences() else { return nil }
            layer.from = refs
            layer.range = layer.range.union(refs.last?.range ?? arrow.range)
        }
        if current.isWord("expect") {
            advance()
            guard current.isPunct("["), let v = parseValue(), case .list(let dims) = v.kind else {
                error("expected a shape such as [10] after 'expect'", at: current.range)
                return nil
            }
            layer.expect = Located(dims, v.range)
            layer.range = layer.range.union(v.range)
        }
        return .layer(layer)
    }

    /// `name:`, `from:` and `expect:` written as arguments.
    private func placement(_ a: Entry, into layer: inout Layer) {
        switch a.key.value {
        case "name":
            guard case .string(let s) = a.value.kind else { return error("'name' must be a name", id: "wrong-type", at: a.value.range) }
            layer.name = Located(s, a.value.range)
        case "from":
            switch a.value.kind {
            case .string(let s): layer.from = [Located(s, a.value.range)]
            case .list(let vs):
                layer.from = vs.compactMap { v in
                    if case .string(let s) = v.kind { return Located(s, v.range) }
                    error("an element of 'from' must be a layer name", id: "wrong-type", at: v.range)
                    return nil
                }
            default: error("'from' must be a layer name or a list of names", id: "wrong-type", at: a.value.range)
            }
        default:
            guard case .list(let dims) = a.value.kind else { return error("'expect' must be a list of dimensions", id: "wrong-type", at: a.value.range) }
            layer.expect = Located(dims, a.value.range)
        }
    }

    /// `a` or `[a, b]` after `<-`.
    private func parseReferences() -> [Located<String>]? {
        if current.kind == .identifier || current.kind == .string {
            let t = advance()
            return [Located(t.text, t.range)]
        }
        guard current.isPunct("[") else {
            error("expected a layer name or a list of names after '<-', found \(current.describe)", at: current.range)
            return nil
        }
        advance()
        var refs: [Located<String>] = []
        skipNewlines()
        while !current.isPunct("]") {
            guard current.kind == .identifier || current.kind == .string else {
                error("expected a layer name, found \(current.describe)", at: current.range)
                return nil
            }
            let t = advance()
            refs.append(Located(t.text, t.range))
            skipNewlines()
            if current.isPunct(",") { advance(); skipNewlines() } else { break }
        }
        guard expect("]", "to close the list of inputs") != nil else { return nil }
        return refs
    }

    /// `repeat COUNT [as IDENT] { items }`.
    private func parseRepeat() -> LayerItem? {
        let keyword = advance()
        guard let count = parseValue() else { return nil }
        var index: Located<String>?
        if current.isWord("as") {
            advance()
            guard current.kind == .identifier else {
                error("expected an index name after 'as', found \(current.describe)", at: current.range)
                return nil
            }
            let t = advance()
            index = Located(t.text, t.range)
        }
        scopes.append(index.map { [$0.value] } ?? [])
        defer { scopes.removeLast() }
        guard let body = parseLayerList(owner: "'repeat'") else { return nil }
        return .repeat(Repeat(count: count, index: index, body: body.items, range: keyword.range.union(body.range)))
    }
}
