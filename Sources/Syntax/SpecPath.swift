import Diagnostics

// Overrides of spec values by path, for `regula sweep --set PATH=VALUE`. A path names a value the
// way the spec text reads, with dots:
//
//   layers.2.dropout          the value of `- dropout: 0.5` (the third layer, counted from 0)
//   layers.2.p                the same value by its argument name; `layers.2.dropout.p` for `{p: 0.5}`
//   layers.head.units         a layer by its `name:`
//   layers.*.dropout          every layer of the list that is a `dropout` (or has a `dropout` argument)
//   layers.3.body.1.p         inside a layer list argument (`body:`, `shortcut:`, `layers:`)
//   defaults.weight_decay     a section key; a missing key is added (the checker validates it)
//   train.optimizer.lr        nested maps
//   blocks.resblock.params.survival   a block parameter's default
//   blocks.resblock.layers.0.p        a layer of a block's body
//
// The override's path and value keep ranges into the override's own text, so the checker's
// diagnostics about the new value point at the override like any mistake in a spec.

/// A dotted path into a spec, each component with its range in the override's text.
public struct SpecPath: Equatable {
    public var components: [Located<String>]

    public init(components: [Located<String>]) {
        self.components = components
    }

    /// Splits `text` at dots; `start` is where `text` begins in `file`.
    public init(parsing text: String, file: String, start: SourceLocation) {
        var components: [Located<String>] = []
        var column = start.column
        for part in text.split(separator: ".", omittingEmptySubsequences: false) {
            let count = part.unicodeScalars.count
            let range = SourceRange(file: file, start: SourceLocation(line: start.line, column: column),
                                    end: SourceLocation(line: start.line, column: column + count))
            components.append(Located(String(part), range))
            column += count + 1
        }
        self.components = components
    }

    public var text: String { components.map(\.value).joined(separator: ".") }
}

/// The value an override's text stands for: `true`/`false`, `null`, an integer, a number, else a
/// string (`adamw`, `val_loss`).
public func overrideValue(_ text: String, range: SourceRange) -> Value {
    switch text {
    case "true": return Value(.bool(true), range)
    case "false": return Value(.bool(false), range)
    case "null", "~": return Value(.null, range)
    default:
        if let i = Int(text) { return Value(.int(i), range) }
        if let x = Double(text), x.isFinite { return Value(.float(x), range) }
        return Value(.string(text), range)
    }
}

/// Puts `value` at `path` in `spec`; an error at the path when it names nothing that can hold a value.
///
/// A missing key of a map (or argument of a layer) is added rather than refused, since whether
/// a key is valid is the checker's business (`defaults.l1` when only `l2` is written is right);
/// the checker then reports an unknown key at the override's text.
/// - Parameter primaryArgument: the name of a layer kind's positional argument (`p` for dropout).
public func setValue(_ value: Value, at path: SpecPath, in spec: inout Spec,
                     primaryArgument: @escaping (String) -> String? = { _ in nil }) -> Diagnostic? {
    let blocks = spec.blocks
    var setter = PathSetter(value: value, path: path) { kind in
        if let block = blocks.first(where: { $0.name.value == kind }) { return block.parameters.first?.name.value }
        return primaryArgument(kind)
    }
    return setter.apply(to: &spec)
}

private struct PathSetter {
    let value: Value
    let path: SpecPath
    let primaryArgument: (String) -> String?

    init(value: Value, path: SpecPath, primaryArgument: @escaping (String) -> String?) {
        self.value = value
        self.path = path
        self.primaryArgument = primaryArgument
    }

    static let sections = ["model", "defaults", "regularize", "blocks", "layers", "loss", "train", "data"]

    mutating func apply(to spec: inout Spec) -> Diagnostic? {
        let c = path.components
        guard let head = c.first, !head.value.isEmpty else { return PathMsg.empty.error(path, at: 0) }
        if let empty = c.firstIndex(where: { $0.value.isEmpty }) { return PathMsg.emptyComponent.error(path, at: empty) }
        switch head.value {
        case "model":
            guard c.count == 1 else { return PathMsg.notAMap("model").error(path, at: 1) }
            guard case .string(let s) = value.kind else { return PathMsg.modelName.error(path, at: 0) }
            spec.model = Located(s, value.range)
            return nil
        case "defaults": return setEntry(in: &spec.defaults, from: 1, owner: "defaults")
        case "layers": return setLayer(in: &spec.layers, from: 1, owner: "layers")
        case "blocks": return setBlock(in: &spec.blocks, from: 1)
        case "regularize": return setOptional(&spec.regularize, from: 1, owner: "regularize")
        case "loss": return setOptional(&spec.loss, from: 1, owner: "loss")
        case "train": return setOptional(&spec.train, from: 1, owner: "train")
        case "data": return setOptional(&spec.data, from: 1, owner: "data")
        default: return PathMsg.unknownSection(head.value, closest(to: head.value, among: Self.sections)).error(path, at: 0)
        }
    }

    /// A section the spec may leave out: created as a map when the path goes inside it.
    func setOptional(_ section: inout Value?, from k: Int, owner: String) -> Diagnostic? {
        if section == nil {
            guard k < path.components.count else { section = value; return nil }
            section = Value(.map([]), path.components[k - 1].range)
        }
        guard var v = section else { return nil }
        let d = set(&v, from: k, owner: owner)
        section = v
        return d
    }

    func set(_ target: inout Value, from k: Int, owner: String) -> Diagnostic? {
        let c = path.components
        guard k < c.count else { target = value; return nil }
        switch target.kind {
        case .map(var entries):
            let d = setEntry(in: &entries, from: k, owner: owner)
            target.kind = .map(entries)
            return d
        case .list(var items):
            guard let i = Int(c[k].value) else { return PathMsg.needsIndex(owner, items.count).error(path, at: k) }
            guard items.indices.contains(i) else { return PathMsg.indexOutOfRange(owner, i, items.count).error(path, at: k) }
            let d = set(&items[i], from: k + 1, owner: owner + "." + c[k].value)
            target.kind = .list(items)
            return d
        case .layers(var items):
            let d = setLayer(in: &items, from: k, owner: owner)
            target.kind = .layers(items)
            return d
        default:
            return PathMsg.notAMap(owner).error(path, at: k)
        }
    }

    /// `key` of a map (added when missing), then the rest of the path inside its value.
    func setEntry(in entries: inout [Entry], from k: Int, owner: String) -> Diagnostic? {
        let c = path.components
        guard k < c.count else { return PathMsg.needsKey(owner).error(path, at: k - 1) }
        if let i = entries.firstIndex(where: { $0.key.value == c[k].value }) {
            return set(&entries[i].value, from: k + 1, owner: owner + "." + c[k].value)
        }
        guard k + 1 == c.count else { return PathMsg.missingKey(c[k].value, owner).error(path, at: k) }
        entries.append(Entry(key: c[k], value: value))
        return nil
    }

    /// A layer of a layer list, by position or `name:`, then the rest of the path inside it.
    func setLayer(in items: inout [LayerItem], from k: Int, owner: String) -> Diagnostic? {
        let c = path.components
        guard k < c.count else { return PathMsg.needsLayer(owner, items.count).error(path, at: k - 1) }
        if c[k].value == "*" { return setEveryLayer(in: &items, from: k, owner: owner) }
        let index: Int
        if let i = Int(c[k].value) {
            guard items.indices.contains(i) else { return PathMsg.indexOutOfRange(owner, i, items.count).error(path, at: k) }
            index = i
        } else {
            let names = items.compactMap { item -> String? in if case .layer(let l) = item { return l.name?.value }; return nil }
            guard let i = items.firstIndex(where: { if case .layer(let l) = $0 { return l.name?.value == c[k].value }; return false }) else {
                return PathMsg.unknownLayer(c[k].value, owner, closest(to: c[k].value, among: names)).error(path, at: k)
            }
            index = i
        }
        let owner = owner + "." + c[k].value
        switch items[index] {
        case .layer(var layer):
            let d = setArgument(in: &layer, from: k + 1, owner: owner)
            items[index] = .layer(layer)
            return d
        case .repeat(var r):
            guard k + 1 < c.count else { return PathMsg.needsKey(owner).error(path, at: k) }
            let d: Diagnostic?
            switch c[k + 1].value {
            case "count": d = k + 2 == c.count ? nil : PathMsg.notAMap(owner + ".count").error(path, at: k + 2)
                if d == nil { r.count = value }
            case "body", "layers": d = setLayer(in: &r.body, from: k + 2, owner: owner + "." + c[k + 1].value)
            default: d = PathMsg.unknownRepeatKey(c[k + 1].value).error(path, at: k + 1)
            }
            items[index] = .repeat(r)
            return d
        }
    }

    /// `layers.*.dropout`: every layer of the list (not inside repeats or layer-list arguments)
    /// whose kind or one of whose arguments is the next component.
    func setEveryLayer(in items: inout [LayerItem], from k: Int, owner: String) -> Diagnostic? {
        let c = path.components
        guard k + 1 < c.count else { return PathMsg.needsArgument(owner + ".*", "dropout").error(path, at: k) }
        let key = c[k + 1].value
        var matched = 0
        for i in items.indices {
            guard case .layer(var layer) = items[i], layer.kind.value == key || layer.argument(key) != nil else { continue }
            if let d = setArgument(in: &layer, from: k + 1, owner: owner + ".\(i)") { return d }
            items[i] = .layer(layer)
            matched += 1
        }
        return matched > 0 ? nil : PathMsg.noLayerHas(key, owner).error(path, at: k + 1)
    }

    /// An argument of a layer: by name, or by the layer's kind for its positional value
    /// (`layers.2.dropout` for `- dropout: 0.5`). A missing argument is added.
    func setArgument(in layer: inout Layer, from k: Int, owner: String) -> Diagnostic? {
        let c = path.components
        guard k < c.count else { return PathMsg.needsArgument(owner, layer.kind.value).error(path, at: k - 1) }
        var k = k
        if c[k].value == layer.kind.value && layer.argument(c[k].value) == nil {
            // `layers.2.dropout` is the positional value; `layers.2.dropout.p` an argument of it.
            if k + 1 < c.count { k += 1 } else {
                if layer.primary != nil { layer.primary = value; return nil }
                guard let primary = primaryArgument(layer.kind.value) else {
                    return PathMsg.noPositional(layer.kind.value).error(path, at: k)
                }
                return setNamed(primary, keyRange: c[k].range, in: &layer, from: k, owner: owner)
            }
        }
        return setNamed(c[k].value, keyRange: c[k].range, in: &layer, from: k, owner: owner)
    }

    func setNamed(_ name: String, keyRange: SourceRange, in layer: inout Layer, from k: Int, owner: String) -> Diagnostic? {
        let c = path.components
        if let i = layer.arguments.firstIndex(where: { $0.key.value == name }) {
            return set(&layer.arguments[i].value, from: k + 1, owner: owner + "." + name)
        }
        if layer.primary != nil, name == primaryArgument(layer.kind.value) {
            guard var v = layer.primary else { return nil }
            let d = set(&v, from: k + 1, owner: owner + "." + name)
            layer.primary = v
            return d
        }
        guard k + 1 == c.count else { return PathMsg.missingKey(name, owner).error(path, at: k) }
        layer.arguments.append(Entry(key: Located(name, keyRange), value: value))
        return nil
    }

    /// `blocks.NAME.params.P` (a parameter's default) or `blocks.NAME.layers...` (its body).
    func setBlock(in blocks: inout [BlockDef], from k: Int) -> Diagnostic? {
        let c = path.components
        let names = blocks.map(\.name.value)
        guard k < c.count else { return PathMsg.needsBlock(names).error(path, at: k - 1) }
        guard let b = blocks.firstIndex(where: { $0.name.value == c[k].value }) else {
            return PathMsg.unknownBlock(c[k].value, closest(to: c[k].value, among: names)).error(path, at: k)
        }
        let owner = "blocks." + c[k].value
        guard k + 1 < c.count else { return PathMsg.needsKey(owner).error(path, at: k) }
        switch c[k + 1].value {
        case "params":
            let params = blocks[b].parameters.map(\.name.value)
            guard k + 2 < c.count else { return PathMsg.needsKey(owner + ".params").error(path, at: k + 1) }
            guard let p = params.firstIndex(of: c[k + 2].value) else {
                return PathMsg.unknownParameter(c[k + 2].value, c[k].value, closest(to: c[k + 2].value, among: params)).error(path, at: k + 2)
            }
            guard k + 3 == c.count else { return PathMsg.notAMap(owner + ".params." + c[k + 2].value).error(path, at: k + 3) }
            blocks[b].parameters[p].defaultValue = value
            return nil
        case "layers", "body":
            return setLayer(in: &blocks[b].body, from: k + 2, owner: owner + "." + c[k + 1].value)
        default:
            return PathMsg.unknownBlockKey(c[k + 1].value).error(path, at: k + 1)
        }
    }
}

/// The messages of path resolution (one lowercase phrase each, no final period).
enum PathMsg {
    struct Text {
        var id: String
        var text: String

        func error(_ path: SpecPath, at k: Int) -> Diagnostic {
            let c = path.components
            let range = c.isEmpty ? SourceRange(file: "", at: SourceLocation(line: 1, column: 1)) : c[min(max(k, 0), c.count - 1)].range
            return .error(id, text, at: range)
        }
    }

    static func suffix(_ s: String?) -> String { s.map { "; did you mean '\($0)'?" } ?? "" }

    static let empty = Text(id: "bad-override-path", text: "an override needs a path before '=' (for example layers.2.dropout)")
    static let emptyComponent = Text(id: "bad-override-path", text: "an override path has an empty component between dots")
    static let modelName = Text(id: "bad-override-value", text: "'model' must be a name")
    static func unknownSection(_ s: String, _ near: String?) -> Text {
        Text(id: "unknown-override-path", text: "no section '\(s)' in a spec" + (near.map { "; did you mean '\($0)'?" }
            ?? " (sections: \(PathSetter.sections.joined(separator: ", ")))"))
    }
    static func notAMap(_ owner: String) -> Text {
        Text(id: "unknown-override-path", text: "'\(owner)' is a single value; the path cannot go inside it")
    }
    static func needsIndex(_ owner: String, _ n: Int) -> Text {
        Text(id: "unknown-override-path", text: "'\(owner)' is a list; the next path component must be an index from 0 to \(n - 1)")
    }
    static func indexOutOfRange(_ owner: String, _ i: Int, _ n: Int) -> Text {
        Text(id: "unknown-override-path", text: "'\(owner)' has \(n) item\(n == 1 ? "" : "s") (0 to \(n - 1)); there is no item \(i)")
    }
    static func needsKey(_ owner: String) -> Text {
        Text(id: "unknown-override-path", text: "the path must go on inside '\(owner)' to name a value")
    }
    static func missingKey(_ key: String, _ owner: String) -> Text {
        Text(id: "unknown-override-path", text: "no '\(key)' in '\(owner)' to go inside; set '\(owner).\(key)' itself")
    }
    static func needsLayer(_ owner: String, _ n: Int) -> Text {
        Text(id: "unknown-override-path", text: "the path must name a layer of '\(owner)' by index (0 to \(n - 1)) or name")
    }
    static func unknownLayer(_ name: String, _ owner: String, _ near: String?) -> Text {
        Text(id: "unknown-override-path", text: "no layer named '\(name)' in '\(owner)'" + suffix(near))
    }
    static func noLayerHas(_ key: String, _ owner: String) -> Text {
        Text(id: "unknown-override-path", text: "no layer of '\(owner)' is a '\(key)' or has an argument '\(key)'")
    }
    static func needsArgument(_ owner: String, _ kind: String) -> Text {
        Text(id: "unknown-override-path", text: "the path must name an argument of '\(owner)' (for example '\(owner).\(kind)' for its value)")
    }
    static func noPositional(_ kind: String) -> Text {
        Text(id: "unknown-override-path", text: "'\(kind)' takes no positional value; name the argument to set")
    }
    static func unknownRepeatKey(_ key: String) -> Text {
        Text(id: "unknown-override-path", text: "a repeat has 'count' and 'body', not '\(key)'")
    }
    static func needsBlock(_ names: [String]) -> Text {
        Text(id: "unknown-override-path", text: "the path must name a block" + (names.isEmpty ? " (the spec defines none)" : " (\(names.joined(separator: ", ")))"))
    }
    static func unknownBlock(_ name: String, _ near: String?) -> Text {
        Text(id: "unknown-override-path", text: "no block named '\(name)'" + suffix(near))
    }
    static func unknownParameter(_ name: String, _ block: String, _ near: String?) -> Text {
        Text(id: "unknown-override-path", text: "block '\(block)' has no parameter '\(name)'" + suffix(near))
    }
    static func unknownBlockKey(_ key: String) -> Text {
        Text(id: "unknown-override-path", text: "a block has 'params' and 'layers', not '\(key)'")
    }
}
