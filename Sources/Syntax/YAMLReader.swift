import Diagnostics
import Yams

/// Reads a YAML spec into the AST; every problem becomes a diagnostic, never a crash.
///
/// The format is described in Grammar.md. Parsing goes through Yams' node tree so every value
/// keeps its line and column; `YNodeBuilder` adds end positions and expands aliases under a cap.
///
/// - Returns: the spec, unless there is an error other than a refused value; and every
///   diagnostic found. A value that is refused (a malformed `${ }`, a number too large) is read
///   as null, which the checker treats as absent, so the spec is still checked and the user sees
///   all problems at once. Any structural error (unknown or duplicate key, wrong type, malformed
///   YAML, ...) yields no spec, so the checker never reports consequences of it.
public func parseYAML(_ file: SourceFile) -> (spec: Spec?, diagnostics: [Diagnostic]) {
    onLargeStack {
        let reader = YAMLReader(file)
        let spec = reader.read()
        let structural = reader.diagnostics.contains { $0.severity == .error && !YAMLReader.valueErrors.contains($0.id) }
        return (structural ? nil : spec, reader.diagnostics)
    }
}

final class YAMLReader {
    let file: SourceFile
    let text: SourceText
    var diagnostics: [Diagnostic] = []

    /// Aliases can make a small file describe an enormous tree; past this many nodes the file is refused.
    static let maxNodes = 1_000_000
    /// Deeper nesting is refused (libyaml itself stops at 1000 levels, before Yams' recursion can overflow).
    static let maxDepth = 200
    /// How many duplicate keys are reported before giving up on a file.
    static let maxDuplicateRecoveries = 20

    static let topLevelKeys = ["regula", "model", "input", "defaults", "regularize", "layers", "blocks", "loss", "train", "data"]
    static let supportedVersion = 1
    /// Errors that refuse one value but leave the spec's structure intact.
    static let valueErrors: Set<String> = ["invalid-expression", "number-too-large"]

    init(_ file: SourceFile) {
        self.file = file
        self.text = SourceText(file)
    }

    func error(_ id: String, _ message: String, at range: SourceRange, notes: [Note] = []) {
        diagnostics.append(.error(id, message, at: range, notes: notes))
    }

    func point(_ line: Int, _ column: Int) -> SourceRange {
        SourceRange(file: file.path, at: SourceLocation(line: line, column: column))
    }

    func read() -> Spec? {
        if file.text.unicodeScalars.allSatisfy({ $0 == " " || $0 == "\n" || $0 == "\r" || $0 == "\t" }) {
            error("empty-file", "spec file is empty", at: point(1, 1))
            return nil
        }
        let prescan = prescanYAML(text)
        guard prescan.isEmpty else {
            diagnostics.append(contentsOf: prescan)
            return nil
        }
        guard let root = compose() else { return nil }
        var builder = YNodeBuilder(text: text, maxNodes: Self.maxNodes, maxDepth: Self.maxDepth, droppedKeys: dropped)
        let tree: YNode
        do {
            tree = try builder.build(root)
        } catch YNodeLimit.tooManyNodes(let r) {
            error("alias-expansion", "alias expansion exceeds \(Self.maxNodes) nodes", at: r)
            return nil
        } catch YNodeLimit.tooDeep(let r) {
            error("nesting-too-deep", "nesting is deeper than \(Self.maxDepth) levels", at: r)
            return nil
        } catch {
            preconditionFailure("YNodeBuilder throws only YNodeLimit")
        }
        return spec(from: tree)
    }

    /// Key positions renamed while recovering from duplicate keys.
    private var dropped: Set<SourceLocation> = []

    /// Runs Yams' composer, turning its errors into diagnostics. A duplicate key is reported and
    /// renamed in a scratch copy of the text, and the document composed again, so one run reports
    /// every duplicate and whatever else is wrong.
    private func compose() -> Node? {
        var lines = text.lines
        for _ in 0...Self.maxDuplicateRecoveries {
            let yaml = lines.map { String(String.UnicodeScalarView($0)) }.joined(separator: "\n")
            do {
                guard let root = try Yams.compose(yaml: yaml, .basic) else {
                    error("empty-file", "spec file is empty", at: point(1, 1))
                    return nil
                }
                return root
            } catch let e as YamlError {
                guard case .duplicatedKeysInMapping(let keys, let context) = e, let key = keys.first,
                      let (first, second) = findDuplicate(key, firstAt: context.mark, in: lines) else {
                    diagnostics.append(yamlErrorDiagnostic(e))
                    return nil
                }
                let keyRange = { (loc: SourceLocation) in
                    SourceRange(file: self.file.path, start: loc,
                                end: SourceLocation(line: loc.line, column: loc.column + key.unicodeScalars.count))
                }
                error("duplicate-key", "duplicate key '\(key)'", at: keyRange(second),
                      notes: [Note("'\(key)' is first defined here", at: keyRange(first))])
                rename(at: second, length: key.unicodeScalars.count, attempt: dropped.count, in: &lines)
                dropped.insert(second)
            } catch {
                self.error("yaml-syntax", "cannot read YAML: \(error)", at: point(1, 1))
                return nil
            }
        }
        error("duplicate-key", "too many duplicate keys; stopped reading", at: point(1, 1))
        return nil
    }

    /// Replaces a duplicate key with a private-use name of the same length, keeping columns.
    private func rename(at loc: SourceLocation, length: Int, attempt: Int, in lines: inout [[Unicode.Scalar]]) {
        let base = 0xE000 + attempt % 0x1000
        for k in 0..<length {
            guard let s = Unicode.Scalar(k == 0 ? base : 0xE000) else { continue }
            lines[loc.line - 1][loc.column - 1 + k] = s
        }
    }

    private func yamlErrorDiagnostic(_ e: YamlError) -> Diagnostic {
        switch e {
        case .scanner(let context, let problem, let mark, _),
             .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            let notes = context.map { [Note($0.text, at: point($0.mark.line, $0.mark.column))] } ?? []
            let line = min(max(1, mark.line), text.lines.count)
            let column = mark.line > text.lines.count ? text.lineLength(line) + 1 : max(1, mark.column)
            return .error("yaml-syntax", "invalid YAML: \(problem)", at: point(line, column), notes: notes)
        case .reader(let problem, let offset, _, let yaml):
            var loc = SourceLocation(line: 1, column: 1)
            if let offset { loc = locationOfCharacter(offset, in: yaml) }
            return .error("yaml-syntax", "invalid YAML: \(problem)", at: point(loc.line, loc.column))
        default:
            return .error("yaml-syntax", "cannot read YAML: \(e)", at: point(1, 1))
        }
    }

    /// The line and column of the `offset`-th Character of `s`.
    private func locationOfCharacter(_ offset: Int, in s: String) -> SourceLocation {
        var line = 1, column = 1
        for c in s.prefix(offset) {
            if c == "\n" || c == "\r\n" || c == "\r" { line += 1; column = 1 } else { column += c.unicodeScalars.count }
        }
        return SourceLocation(line: line, column: column)
    }

    // MARK: Generic values

    /// A value of any shape; with `layerLists`, keys such as `body:` hold layer lists.
    func value(_ n: YNode, layerLists: Bool) -> Value {
        switch n {
        case .scalar(let s):
            return scalarValue(s)
        case .sequence(let items, let r):
            return Value(.list(items.map { value($0, layerLists: layerLists) }), r)
        case .mapping(_, let r):
            return Value(.map(entries(n, layerLists: layerLists)), r)
        }
    }

    /// The entries of a map, applying YAML merge keys (`<<: *base`): merged entries come first
    /// and explicit keys override them.
    func entries(_ n: YNode, layerLists: Bool) -> [Entry] {
        guard case .mapping(let pairs, _) = n else { return [] }
        var result: [Entry] = []
        var merged: [Entry] = []
        for (k, v) in pairs {
            guard let key = keyName(k) else { continue }
            if key.value == "<<" && k.scalar?.isQuoted == false {
                let sources: [YNode]
                if case .sequence(let items, _) = v { sources = items } else { sources = [v] }
                for m in sources {
                    guard case .mapping = m else {
                        error("wrong-type", "merge key '<<' needs a map or a list of maps, found \(m.typeName)", at: m.range)
                        continue
                    }
                    merged += entries(m, layerLists: layerLists)
                }
                continue
            }
            result.append(Entry(key: key, value: entryValue(key.value, v, layerLists: layerLists)))
        }
        let explicit = Set(result.map(\.key.value))
        var seen = Set<String>()
        let kept = merged.reversed().filter { !explicit.contains($0.key.value) && seen.insert($0.key.value).inserted }
        return kept.reversed() + result
    }

    private func entryValue(_ key: String, _ v: YNode, layerLists: Bool) -> Value {
        guard layerLists else { return value(v, layerLists: false) }
        if LayerListKeys.single.contains(key) {
            return Value(.layers(layerList(v, of: "'\(key)'")), v.range)
        }
        if LayerListKeys.multiple.contains(key) {
            guard case .sequence(let lists, let r) = v else {
                error("wrong-type", "'\(key)' must be a list of layer lists, found \(v.typeName)", at: v.range)
                return Value(.list([]), v.range)
            }
            return Value(.list(lists.map { Value(.layers(layerList($0, of: "a branch")), $0.range) }), r)
        }
        return value(v, layerLists: true)
    }

    /// A map key as a located name; non-scalar keys are refused before composing.
    func keyName(_ k: YNode) -> Located<String>? {
        guard let s = k.scalar else {
            error("wrong-type", "map keys must be names, found \(k.typeName)", at: k.range)
            return nil
        }
        return Located(s.text, s.range)
    }

    /// A name (a plain or quoted string scalar), or nil after reporting what was found instead.
    func name(_ n: YNode, for what: String) -> Located<String>? {
        guard let s = n.scalar, s.isQuoted || n.typeName == "a string" else {
            error("wrong-type", "\(what) must be a name, found \(n.typeName)", at: n.range)
            return nil
        }
        return Located(s.text, s.range)
    }
}
