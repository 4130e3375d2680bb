import Diagnostics

// The top level of a YAML spec: which keys exist and what type each must have.

extension YAMLReader {
    func spec(from root: YNode) -> Spec? {
        guard case .mapping(let pairs, _) = root else {
            error("wrong-type", "a spec must be a map with keys such as 'model' and 'layers', found \(root.typeName)", at: root.range)
            return nil
        }
        var spec = Spec(file: file.path, range: SourceRange(file: file.path, start: SourceLocation(line: 1, column: 1), end: text.end))
        // The version comes first so a file for a newer format gets one clear message.
        if let v = pairs.first(where: { $0.key.scalar?.text == "regula" })?.value {
            guard let version = readVersion(v) else { return nil }
            spec.version = version
        }
        for (k, v) in pairs {
            guard let key = keyName(k) else { continue }
            switch key.value {
            case "regula": break
            case "model": spec.model = name(v, for: "'model'")
            case "input": spec.input = input(v)
            case "defaults":
                guard case .mapping = v else {
                    error("wrong-type", "'defaults' must be a map of attributes, found \(v.typeName)", at: v.range)
                    continue
                }
                spec.defaults = entries(v, layerLists: false)
            case "regularize": spec.regularize = value(v, layerLists: false)
            case "layers": spec.layers = layerList(v, of: "'layers'")
            case "blocks": spec.blocks = blocks(v)
            case "loss": spec.loss = value(v, layerLists: false)
            case "train": spec.train = value(v, layerLists: false)
            case "data": spec.data = value(v, layerLists: false)
            default:
                error("unknown-key", "unknown top-level key '\(key.value)'\(suggestion(for: key.value, among: Self.topLevelKeys))",
                      at: key.range)
            }
        }
        return spec
    }

    /// `regula: 1`; nil (after an error) for any other version, which stops reading.
    private func readVersion(_ v: YNode) -> Located<Int>? {
        guard case .int(let n) = value(v, layerLists: false).kind else {
            error("wrong-type", "'regula' must be the format version number, found \(v.typeName)", at: v.range)
            return nil
        }
        guard n == Self.supportedVersion else {
            error("unsupported-version",
                  "spec format version \(n) is not supported by this regula (supports \(Self.supportedVersion))", at: v.range)
            return nil
        }
        return Located(n, v.range)
    }

    /// `input: [1, 28, 28]` or `input: {shape: [...], dtype: ..., data_format: ...}`.
    private func input(_ v: YNode) -> InputDecl? {
        switch v {
        case .sequence(let dims, let r):
            return InputDecl(shape: dims.map { value($0, layerLists: false) }, range: r)
        case .mapping(let pairs, let r):
            var decl = InputDecl(shape: [], range: r)
            var sawShape = false
            for (k, x) in pairs {
                guard let key = keyName(k) else { continue }
                switch key.value {
                case "shape":
                    guard case .sequence(let dims, _) = x else {
                        error("wrong-type", "'shape' must be a list of dimensions, found \(x.typeName)", at: x.range)
                        continue
                    }
                    decl.shape = dims.map { value($0, layerLists: false) }
                    sawShape = true
                case "dtype": decl.dtype = name(x, for: "'dtype'")
                case "data_format": decl.dataFormat = name(x, for: "'data_format'")
                default:
                    error("unknown-key", "unknown key '\(key.value)' in 'input'\(suggestion(for: key.value, among: ["shape", "dtype", "data_format"]))",
                          at: key.range)
                    sawShape = true  // a misspelt 'shape' is already reported
                }
            }
            if !sawShape { error("missing-key", "'input' needs a 'shape'", at: r) }
            return decl
        default:
            error("wrong-type", "'input' must be a list of dimensions or a map with 'shape', found \(v.typeName)", at: v.range)
            return nil
        }
    }

    /// `blocks: {NAME: {params: {p: default, ...} | [p, ...], layers: [...]}}`.
    private func blocks(_ v: YNode) -> [BlockDef] {
        guard case .mapping(let pairs, _) = v else {
            error("wrong-type", "'blocks' must be a map from block names to blocks, found \(v.typeName)", at: v.range)
            return []
        }
        var result: [BlockDef] = []
        for (k, b) in pairs {
            guard let blockName = keyName(k) else { continue }
            guard case .mapping(let fields, let r) = b else {
                error("wrong-type", "block '\(blockName.value)' must be a map with 'params' and 'layers', found \(b.typeName)", at: b.range)
                continue
            }
            var def = BlockDef(name: blockName, parameters: [], body: [], range: blockName.range.union(r))
            var sawLayers = false
            for (fk, fv) in fields {
                guard let field = keyName(fk) else { continue }
                switch field.value {
                case "params": def.parameters = parameters(fv, of: blockName.value)
                case "layers":
                    def.body = layerList(fv, of: "block '\(blockName.value)'")
                    sawLayers = true
                default:
                    error("unknown-key", "unknown key '\(field.value)' in block '\(blockName.value)'\(suggestion(for: field.value, among: ["params", "layers"]))",
                          at: field.range)
                    sawLayers = true  // a misspelt 'layers' is already reported
                }
            }
            if !sawLayers { error("missing-key", "block '\(blockName.value)' needs 'layers'", at: blockName.range) }
            result.append(def)
        }
        return result
    }

    private func parameters(_ v: YNode, of block: String) -> [BlockDef.Parameter] {
        switch v {
        case .sequence(let names, _):
            return names.compactMap { n in name(n, for: "a parameter of block '\(block)'").map { BlockDef.Parameter(name: $0, defaultValue: nil) } }
        case .mapping(let pairs, _):
            return pairs.compactMap { k, d in
                guard let p = keyName(k) else { return nil }
                let dv = value(d, layerLists: false)
                return BlockDef.Parameter(name: p, defaultValue: dv.kind == .null ? nil : dv)
            }
        case .scalar(let s) where s.text.isEmpty && !s.isQuoted:
            return []
        default:
            error("wrong-type", "'params' of block '\(block)' must be a map of defaults or a list of names, found \(v.typeName)", at: v.range)
            return []
        }
    }
}
