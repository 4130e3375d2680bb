import Check
import Diagnostics
import Syntax

/// Every name an expression reads (`filters` in `${filters * 2}` or `conv2d(filters: filters)`),
/// with what it refers to: a parameter of the enclosing block, an enclosing repeat's index, or
/// one of the names the checker always defines (`depth`, `blocks`).
struct NameUses {
    enum Target {
        case parameter(BlockDef, BlockDef.Parameter)
        case repeatIndex(Repeat)
        case builtin(String)
    }

    struct Use {
        var name: Located<String>
        var target: Target?
    }

    private(set) var uses: [Use] = []

    /// What the checker defines in every expression unless a parameter or index hides it
    /// (Grammar.md §1.2).
    static let builtins: [String: String] = [
        "depth": "the residual block's position among the model's residual blocks, from 1 (inside one, its own; elsewhere the next one's)",
        "blocks": "the number of residual blocks (`residual`, `shake_shake`, `shakedrop`) in the model after expansion",
    ]

    init(spec: Spec) {
        for block in spec.blocks {
            // The declaration itself hovers like a use (its value at each use of the block).
            uses += block.parameters.map { Use(name: $0.name, target: .parameter(block, $0)) }
            // A default may read earlier parameters (`out = filters * 2`).
            for (i, p) in block.parameters.enumerated() {
                if let d = p.defaultValue { visit(d, Scope(block: block, visibleParameters: i, repeats: [])) }
            }
            visit(block.body, Scope(block: block, visibleParameters: block.parameters.count, repeats: []))
        }
        visit(spec.layers, Scope(block: nil, visibleParameters: 0, repeats: []))
    }

    /// The use whose name is under `position`.
    func use(at position: Position, _ lines: LineIndex) -> Use? {
        uses.first { lines.contains($0.name.range, position) }
    }

    private struct Scope {
        var block: BlockDef?
        var visibleParameters: Int
        /// Innermost last.
        var repeats: [Repeat]

        func resolve(_ name: String) -> Target? {
            if let r = repeats.last(where: { $0.index?.value == name }) { return .repeatIndex(r) }
            if let block, let p = block.parameters.prefix(visibleParameters).first(where: { $0.name.value == name }) {
                return .parameter(block, p)
            }
            return NameUses.builtins[name] != nil ? .builtin(name) : nil
        }
    }

    private mutating func visit(_ items: [LayerItem], _ scope: Scope) {
        for item in items {
            switch item {
            case .layer(let l):
                if let p = l.primary { visit(p, scope) }
                for a in l.arguments { visit(a.value, scope) }
                for v in l.expect?.value ?? [] { visit(v, scope) }
            case .repeat(let r):
                visit(r.count, scope)
                var inner = scope
                inner.repeats.append(r)
                visit(r.body, inner)
            }
        }
    }

    private mutating func visit(_ value: Value, _ scope: Scope) {
        switch value.kind {
        case .expr: uses += value.names.map { Use(name: $0, target: scope.resolve($0.value)) }
        case .list(let values): for v in values { visit(v, scope) }
        case .map(let entries): for e in entries { visit(e.value, scope) }
        case .layers(let items): visit(items, scope)
        default: break
        }
    }
}

extension Analysis {
    /// Hover on a name in an expression: a block parameter's value at each use of its block (the
    /// argument as written there, or the default, and the values the checker computed for that
    /// use's instances), a repeat index's range, a built-in's meaning.
    func nameHover(at position: Position) -> JSONObject? {
        guard let spec = result.spec, let use = NameUses(spec: spec).use(at: position, lines), let target = use.target else { return nil }
        let name = use.name.value
        var text: String
        switch target {
        case .parameter(let block, let parameter):
            text = "```\n\(name)\n```\nparameter of block `\(block.name.value)`"
            text += parameter.defaultValue.map { ", default `\(sourceText($0.range))`" } ?? ", no default"
            let uses = LayerMap(spec: spec, model: nil).layers.filter { $0.layer.kind.value == block.name.value }
            if !uses.isEmpty {
                let instances = Dictionary(grouping: blockInstances(in: spec).filter { $0.block == block.name.value }, by: \.use)
                text += "\n\nat each use:"
                for use in uses.prefix(Self.listedUses) {
                    let written = argument(parameter, of: block, at: use.layer).map { "`\(sourceText($0.range))`" }
                        ?? parameter.defaultValue.map { "`\(sourceText($0.range))` (default)" } ?? "missing"
                    let values = (instances[use.layer.kind.range] ?? []).compactMap { $0.values[name] }
                    text += "\n- line \(use.layer.kind.range.start.line)" + (use.block.map { " (in block `\($0)`)" } ?? "")
                        + ": `\(name)` = \(written)" + evaluated(values, written: written)
                }
                if uses.count > Self.listedUses { text += "\n- … and \(uses.count - Self.listedUses) more uses" }
            }
        case .repeatIndex(let r):
            text = "```\n\(name)\n```\nrepeat index: 0, 1, … up to `\(sourceText(r.count.range))` − 1"
        case .builtin(let builtin):
            text = "```\n\(name)\n```\n\(NameUses.builtins[builtin] ?? "")"
        }
        return ["contents": ["kind": "markdown", "value": text], "range": lines.range(of: use.name.range)]
    }

    /// Definition of a name in an expression: the parameter in its block's signature, or the
    /// repeat's index name.
    func nameDefinition(at position: Position) -> JSONObject? {
        guard let spec = result.spec, let use = NameUses(spec: spec).use(at: position, lines) else { return nil }
        switch use.target {
        case .parameter(_, let p)?: return location(p.name.range)
        case .repeatIndex(let r)?: return r.index.map { location($0.range) }
        case .builtin?, nil: return nil
        }
    }

    /// A hover lists this many uses of a block, then counts the rest.
    static let listedUses = 12

    /// ` → 0.875, 0.75, 0.625, 0.5`: the values the checker computed at a use's instances, when
    /// they say more than the text written there (an expression, or several instances).
    private func evaluated(_ values: [String], written: String) -> String {
        guard !values.isEmpty, !(Set(values).count == 1 && written.hasPrefix("`\(values[0])`")) else { return "" }
        let shown = values.prefix(6).joined(separator: ", ")
        return " → " + shown + (values.count > 6 ? ", … (\(values.count) instances)" : "")
    }

    /// References of a block parameter (from its declaration or any use): every use in an
    /// expression, and the declaration when the client asks for it; nil when the cursor is on
    /// no parameter.
    func parameterReferences(at position: Position, includeDeclaration: Bool) -> [JSONObject]? {
        guard let spec = result.spec else { return nil }
        let names = NameUses(spec: spec)
        guard case .parameter(let block, let parameter)? = names.use(at: position, lines)?.target else { return nil }
        var found = includeDeclaration ? [location(parameter.name.range)] : []
        for use in names.uses where use.name.range != parameter.name.range {
            if case .parameter(let b, let p)? = use.target, b.name.value == block.name.value, p.name.value == parameter.name.value {
                found.append(location(use.name.range))
            }
        }
        return found
    }

    /// The argument a block use gives `parameter`: the primary argument binds the first parameter.
    private func argument(_ parameter: BlockDef.Parameter, of block: BlockDef, at use: Layer) -> Value? {
        if let named = use.argument(parameter.name.value) { return named.value }
        if let primary = use.primary, block.parameters.first?.name.value == parameter.name.value { return primary }
        return nil
    }
}
