import Diagnostics

// Values in the DSL:
//
//   value     = list | map | expr
//   list      = "[" [ value { "," value } [ "," ] ] "]"
//   map       = "{" [ entry { ("," | NEWLINE) entry } ] "}"
//   entry     = (IDENT | STRING) ":" value
//   arguments = "(" [ argument { "," argument } [ "," ] ] ")"
//   argument  = value                      (the primary argument; first, at most one)
//             | IDENT ":" value
//             | IDENT ":" layerList        (for body, shortcut, layers)
//             | IDENT ":" "[" layerList { "," layerList } "]"   (for branches)
//
// An expression that is a literal becomes that literal; a bare identifier is a block parameter
// or repeat index if one of that name is in scope, `true`/`false`/`null`, or else a string.

extension DSLParser {
    func parseValue() -> Value? {
        if current.isPunct("[") { return parseList() }
        if current.isPunct("{") { return parseMap() }
        let first = pos
        let firstName = exprNames.count
        guard let (e, range) = parseExpr() else { return nil }
        let names = Array(exprNames[firstName...])
        if pos == first + 1, case .name(let n) = e {
            switch n {
            case "true": return Value(.bool(true), range)
            case "false": return Value(.bool(false), range)
            case "null": return Value(.null, range)
            default: return inScope(n) ? Value(.expr(e), range, names: names) : Value(.string(n), range)
            }
        }
        if let literal = literalValue(of: e) { return Value(literal, range) }
        return Value(.expr(e), range, names: names)
    }

    private func parseList() -> Value? {
        let open = advance()
        guard enterNesting(at: open.range) else { return nil }
        defer { leaveNesting() }
        var items: [Value] = []
        skipNewlines()
        while !current.isPunct("]") {
            guard let v = parseValue() else { return nil }
            items.append(v)
            skipNewlines()
            if current.isPunct(",") { advance(); skipNewlines() } else { break }
        }
        guard let close = expect("]", "to close the list") else { return nil }
        return Value(.list(items), open.range.union(close.range))
    }

    private func parseMap() -> Value? {
        let open = advance()
        guard enterNesting(at: open.range) else { return nil }
        defer { leaveNesting() }
        var entries: [Entry] = []
        var keys: [String: SourceRange] = [:]
        skipNewlines()
        while !current.isPunct("}") {
            guard current.kind == .identifier || current.kind == .string else {
                error("expected a key, found \(current.describe)", at: current.range)
                return nil
            }
            let k = advance()
            guard expect(":", "after the key '\(k.text)'") != nil, let v = parseValue() else { return nil }
            if let first = keys[k.text] {
                error("duplicate key '\(k.text)'", id: "duplicate-key", at: k.range, notes: [Note("'\(k.text)' is first defined here", at: first)])
            }
            keys[k.text] = keys[k.text] ?? k.range
            entries.append(Entry(key: Located(k.text, k.range), value: v))
            skipNewlines()
            if current.isPunct(",") { advance(); skipNewlines() }
        }
        let close = advance()
        return Value(.map(entries), open.range.union(close.range))
    }

    /// `( ... )` after a layer kind or an input shape.
    func parseArgumentList(layerLists: Bool) -> (positional: Value?, entries: [Entry], range: SourceRange)? {
        let open = advance()
        guard enterNesting(at: open.range) else { return nil }
        defer { leaveNesting() }
        var positional: Value?
        var entries: [Entry] = []
        var keys: [String: SourceRange] = [:]
        skipNewlines()
        while !current.isPunct(")") {
            if (current.kind == .identifier || current.kind == .string) && peek(1).isPunct(":") {
                let k = advance()
                advance()
                skipNewlines()
                guard let v = argumentValue(k.text, layerLists: layerLists) else { return nil }
                if let first = keys[k.text] {
                    error("duplicate argument '\(k.text)'", id: "duplicate-key", at: k.range,
                          notes: [Note("'\(k.text)' is first given here", at: first)])
                }
                keys[k.text] = keys[k.text] ?? k.range
                entries.append(Entry(key: Located(k.text, k.range), value: v))
            } else if current.kind == .identifier, [.identifier, .int, .float, .string].contains(peek(1).kind) {
                error("expected ':' after the argument name '\(current.text)'", at: current.range)
                return nil
            } else {
                let at = current.range
                guard let v = parseValue() else { return nil }
                if positional != nil || !entries.isEmpty {
                    error("only the first argument may be given without a name", at: at)
                } else {
                    positional = v
                }
            }
            skipNewlines()
            if current.isPunct(",") { advance(); skipNewlines() } else { break }
        }
        guard let close = expect(")", "to close the argument list") else { return nil }
        return (positional, entries, open.range.union(close.range))
    }

    private func argumentValue(_ key: String, layerLists: Bool) -> Value? {
        if layerLists && LayerListKeys.single.contains(key) {
            guard let list = parseLayerList(owner: "'\(key)'") else { return nil }
            return Value(.layers(list.items), list.range)
        }
        if layerLists && LayerListKeys.multiple.contains(key) {
            guard let open = expect("[", "to start the list of layer lists of '\(key)'") else { return nil }
            var lists: [Value] = []
            skipNewlines()
            while !current.isPunct("]") {
                guard let list = parseLayerList(owner: "a branch") else { return nil }
                lists.append(Value(.layers(list.items), list.range))
                skipNewlines()
                if current.isPunct(",") { advance(); skipNewlines() } else { break }
            }
            guard let close = expect("]", "to close '\(key)'") else { return nil }
            return Value(.list(lists), open.range.union(close.range))
        }
        return parseValue()
    }
}
