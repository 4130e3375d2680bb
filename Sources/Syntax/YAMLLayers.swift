import Diagnostics

// Layer lists in YAML. An item is one of
//   - relu                                    a bare kind
//   - dense: 256                              a kind with its primary argument
//   - conv2d: {filters: 32, kernel: 3}        a kind with named arguments
//   - repeat: {count: 3, as: i, layers: [...]}
// and beside the kind key (or inside its argument map) `name:`, `from:` and `expect:`.

/// Keys that describe a layer's place in the graph rather than its arguments.
private let besideKeys: Set<String> = ["name", "from", "expect"]

extension YAMLReader {
    func layerList(_ v: YNode, of owner: String) -> [LayerItem] {
        guard case .sequence(let items, _) = v else {
            error("wrong-type", "\(owner) must be a list of layers, found \(v.typeName)", at: v.range)
            return []
        }
        return items.compactMap(layerItem)
    }

    private func layerItem(_ n: YNode) -> LayerItem? {
        switch n {
        case .scalar(let s):
            guard s.isQuoted || n.typeName == "a string" else {
                error("wrong-type", "a layer must be a kind name or a map, found \(n.typeName)", at: n.range)
                return nil
            }
            return .layer(Layer(kind: Located(s.text, s.range), range: s.range))
        case .sequence:
            error("wrong-type", "a layer must be a kind name or a map, found a list", at: n.range)
            return nil
        case .mapping(let pairs, let range):
            var kind: (key: Located<String>, value: YNode)?
            var beside: [(key: Located<String>, value: YNode)] = []
            for (k, v) in pairs {
                guard let key = keyName(k) else { continue }
                if besideKeys.contains(key.value) {
                    beside.append((key, v))
                } else if let first = kind {
                    error("unknown-key", "unexpected key '\(key.value)' beside layer kind '\(first.key.value)'; arguments go inside the kind's map",
                          at: key.range, notes: [Note("the layer's kind is '\(first.key.value)'", at: first.key.range)])
                } else {
                    kind = (key, v)
                }
            }
            guard let (kindKey, kindValue) = kind else {
                error("missing-key", "layer has no kind", at: range)
                return nil
            }
            if kindKey.value == "repeat" {
                for b in beside {
                    error("unknown-key", "'\(b.key.value)' is not allowed on a repeat", at: b.key.range)
                }
                return repeatItem(kindKey, kindValue, range: range)
            }
            return .layer(layer(kindKey, kindValue, beside: beside, range: range))
        }
    }

    private func layer(_ kind: Located<String>, _ v: YNode, beside: [(key: Located<String>, value: YNode)],
                       range: SourceRange) -> Layer {
        var layer = Layer(kind: kind, range: range)
        var placement = beside
        switch v {
        case .mapping(let pairs, _):
            let inner = pairs.filter { $0.key.scalar.map { besideKeys.contains($0.text) } ?? false }
            for (k, x) in inner {
                guard let key = keyName(k) else { continue }
                if let other = placement.first(where: { $0.key.value == key.value }) {
                    error("duplicate-key", "duplicate key '\(key.value)'", at: key.range,
                          notes: [Note("'\(key.value)' is first defined here", at: other.key.range)])
                    continue
                }
                placement.append((key, x))
            }
            let rest = pairs.filter { !($0.key.scalar.map { besideKeys.contains($0.text) } ?? false) }
            layer.arguments = entries(.mapping(rest, v.range), layerLists: true)
        case .scalar(let s) where !s.isQuoted && s.text.isEmpty:
            break
        default:
            layer.primary = value(v, layerLists: false)
        }
        for (key, x) in placement {
            switch key.value {
            case "name": layer.name = name(x, for: "'name'")
            case "from": layer.from = references(x)
            default: layer.expect = expectation(x)
            }
        }
        return layer
    }

    /// `from: a` or `from: [a, b]`.
    private func references(_ v: YNode) -> [Located<String>]? {
        if case .sequence(let items, _) = v {
            return items.compactMap { name($0, for: "an element of 'from'") }
        }
        return name(v, for: "'from'").map { [$0] }
    }

    /// `expect: [d1, d2, ...]`.
    private func expectation(_ v: YNode) -> Located<[Value]>? {
        guard case .sequence(let dims, let r) = v else {
            error("wrong-type", "'expect' must be a list of dimensions, found \(v.typeName)", at: v.range)
            return nil
        }
        return Located(dims.map { value($0, layerLists: false) }, r)
    }

    /// `- repeat: {count: N, as: i, layers: [...]}`.
    private func repeatItem(_ key: Located<String>, _ v: YNode, range: SourceRange) -> LayerItem? {
        guard case .mapping(let pairs, _) = v else {
            error("wrong-type", "'repeat' must be a map with 'count', 'as' and 'layers', found \(v.typeName)", at: v.range)
            return nil
        }
        var count: Value?
        var index: Located<String>?
        var body: [LayerItem]?
        // A misspelt key explains a missing one; reporting both would say the same thing twice.
        var sawUnknown = false
        for (k, x) in pairs {
            guard let field = keyName(k) else { continue }
            switch field.value {
            case "count": count = value(x, layerLists: false)
            case "as": index = name(x, for: "'as'")
            case "layers": body = layerList(x, of: "'layers' of a repeat")
            default:
                error("unknown-key", "unknown key '\(field.value)' in 'repeat'\(suggestion(for: field.value, among: ["count", "as", "layers"]))",
                      at: field.range)
                sawUnknown = true
            }
        }
        if sawUnknown { return nil }
        guard let count else {
            error("missing-key", "'repeat' needs a 'count'", at: key.range)
            return nil
        }
        guard let body else {
            error("missing-key", "'repeat' needs 'layers'", at: key.range)
            return nil
        }
        return .repeat(Repeat(count: count, index: index, body: body, range: range))
    }
}
