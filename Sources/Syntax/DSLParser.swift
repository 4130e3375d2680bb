import Diagnostics

/// Parses a `.regula` file (grammar in Grammar.md) into the same AST as the YAML reader.
///
/// - Returns: the spec, or nil exactly when there is an error (the parser recovers to report
///   every mistake, but a partial spec is not handed on), and the diagnostics in file order.
public func parseDSL(_ file: SourceFile) -> (spec: Spec?, diagnostics: [Diagnostic]) {
    let (spec, diagnostics) = parseDSLPartially(file)
    return (diagnostics.contains { $0.severity == .error } ? nil : spec, diagnostics)
}

/// `parseDSL`, but also returning what was parsed around the errors (for tests of recovery).
func parseDSLPartially(_ file: SourceFile) -> (spec: Spec?, diagnostics: [Diagnostic]) {
    onLargeStack { parseDSLOnThisStack(file) }
}

private func parseDSLOnThisStack(_ file: SourceFile) -> (spec: Spec?, diagnostics: [Diagnostic]) {
    if file.text.unicodeScalars.allSatisfy({ $0 == " " || $0 == "\n" || $0 == "\r" || $0 == "\t" }) {
        return (nil, [.error("empty-file", "spec file is empty", at: SourceRange(file: file.path, at: SourceLocation(line: 1, column: 1)))])
    }
    let (tokens, lexErrors) = DSLLexer.tokenize(file.text, file: file.path)
    let parser = DSLParser(tokens: tokens, file: file.path)
    parser.diagnostics = lexErrors
    let spec = parser.parseSpec(end: SourceText(file).end)
    let all = parser.diagnostics.enumerated().sorted { a, b in
        a.element.range.start != b.element.range.start ? a.element.range.start < b.element.range.start : a.offset < b.offset
    }.map(\.element)
    return (spec, all)
}

/// Parses a spec in the format its extension names: `.regula` is the DSL, anything else YAML.
public func parseSpec(_ file: SourceFile) -> (spec: Spec?, diagnostics: [Diagnostic]) {
    file.path.hasSuffix(".regula") ? parseDSL(file) : parseYAML(file)
}

extension DSLParser {
    static let statements = ["regula", "model", "input", "defaults", "regularize", "block", "layers", "loss", "train", "data"]

    func parseSpec(end: SourceLocation) -> Spec? {
        var spec = Spec(file: file, range: SourceRange(file: file, start: SourceLocation(line: 1, column: 1), end: end))
        var seen: [String: SourceRange] = [:]
        skipNewlines()
        while current.kind != .eof {
            let keyword = current
            if keyword.kind == .identifier, Self.statements.contains(keyword.text) {
                if keyword.text != "block", let first = seen[keyword.text] {
                    error("duplicate '\(keyword.text)' statement", at: keyword.range,
                          notes: [Note("'\(keyword.text)' is first given here", at: first)])
                }
                seen[keyword.text] = seen[keyword.text] ?? keyword.range
                advance()
                if !statement(keyword, into: &spec) {
                    if keyword.text == "regula" && spec.version == nil && diagnostics.last?.id == "unsupported-version" { return nil }
                    synchronize()
                    if current.kind == .punct && "}])".contains(current.text) { advance() }
                }
            } else {
                let hint = keyword.kind == .identifier ? suggestion(for: keyword.text, among: Self.statements) : ""
                error("expected a statement such as 'model' or 'layers', found \(keyword.describe)\(hint)", at: keyword.range)
                synchronize()
                if current.kind == .punct && "}])".contains(current.text) { advance() }
            }
            endOfLine("after the '\(keyword.text)' statement")
        }
        return spec
    }

    /// Requires the end of a line (or `;`, or the end of the file) and skips blank lines.
    func endOfLine(_ context: String) {
        if current.kind != .newline && current.kind != .eof && !current.isPunct(";") {
            error("expected end of line \(context), found \(current.describe)", at: current.range)
            synchronize()
            if current.kind == .punct && "}])".contains(current.text) { advance() }
        }
        skipNewlines()
    }

    /// One statement after its keyword; false after an error (the caller synchronizes).
    private func statement(_ keyword: Token, into spec: inout Spec) -> Bool {
        switch keyword.text {
        case "regula":
            let t = current
            guard t.kind == .int, case .int(let n)? = numberValue(advance()) else {
                error("expected the format version number after 'regula', found \(t.describe)", at: t.range)
                return false
            }
            guard n == 1 else {
                error("spec format version \(n) is not supported by this regula (supports 1)", id: "unsupported-version", at: t.range)
                return false
            }
            spec.version = Located(n, t.range)
        case "model":
            guard current.kind == .identifier || current.kind == .string else {
                error("expected a model name after 'model', found \(current.describe)", at: current.range)
                return false
            }
            let t = advance()
            spec.model = Located(t.text, t.range)
        case "input":
            guard let shape = parseValue(), case .list(let dims) = shape.kind else {
                if diagnostics.last?.range.start != current.range.start {
                    error("expected the input shape as a list such as [1, 28, 28]", at: keyword.range)
                }
                return false
            }
            var decl = InputDecl(shape: dims, range: keyword.range.union(shape.range))
            if current.isPunct("(") {
                guard let args = parseArgumentList(layerLists: false) else { return false }
                for a in args.entries {
                    switch a.key.value {
                    case "dtype": decl.dtype = stringArgument(a)
                    case "data_format": decl.dataFormat = stringArgument(a)
                    default:
                        error("unknown key '\(a.key.value)' in 'input'\(suggestion(for: a.key.value, among: ["dtype", "data_format"]))",
                              id: "unknown-key", at: a.key.range)
                    }
                }
                if let p = args.positional { error("'input' takes only named options after its shape", at: p.range) }
                decl.range = decl.range.union(args.range)
            }
            spec.input = decl
        case "defaults":
            guard current.isPunct("{"), let v = parseValue(), case .map(let entries) = v.kind else {
                error("expected a map such as {weight_decay: 5e-4} after 'defaults'", at: current.range)
                return false
            }
            spec.defaults = entries
        case "block":
            guard let b = parseBlock(keyword) else { return false }
            spec.blocks.append(b)
        case "layers":
            guard let items = parseLayerList(owner: "'layers'") else { return false }
            spec.layers = items.items
        default:
            guard let v = parseValue() else { return false }
            switch keyword.text {
            case "loss": spec.loss = v
            case "regularize": spec.regularize = v
            case "train": spec.train = v
            default: spec.data = v
            }
        }
        return true
    }

    private func stringArgument(_ e: Entry) -> Located<String>? {
        guard case .string(let s) = e.value.kind else {
            error("'\(e.key.value)' must be a name", id: "wrong-type", at: e.value.range)
            return nil
        }
        return Located(s, e.value.range)
    }

    /// `block NAME(p1, p2 = default) { items }`.
    private func parseBlock(_ keyword: Token) -> BlockDef? {
        guard current.kind == .identifier else {
            error("expected a block name after 'block', found \(current.describe)", at: current.range)
            return nil
        }
        let nameToken = advance()
        var parameters: [BlockDef.Parameter] = []
        if current.isPunct("(") {
            advance()
            skipNewlines()
            while !current.isPunct(")") {
                guard current.kind == .identifier else {
                    error("expected a parameter name, found \(current.describe)", at: current.range)
                    return nil
                }
                let p = advance()
                var defaultValue: Value?
                if current.isPunct("=") {
                    advance()
                    guard let v = parseValue() else { return nil }
                    defaultValue = v
                }
                parameters.append(.init(name: Located(p.text, p.range), defaultValue: defaultValue))
                skipNewlines()
                if current.isPunct(",") { advance(); skipNewlines() } else { break }
            }
            guard expect(")", "to close the parameters of block '\(nameToken.text)'") != nil else { return nil }
        }
        scopes.append(Set(parameters.map(\.name.value)))
        defer { scopes.removeLast() }
        guard let body = parseLayerList(owner: "block '\(nameToken.text)'") else { return nil }
        return BlockDef(name: Located(nameToken.text, nameToken.range), parameters: parameters, body: body.items,
                        range: keyword.range.union(body.range))
    }
}
