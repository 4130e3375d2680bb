import Check
import Foundation
import Syntax

extension Analysis {
    /// `textDocument/completion`. Inside a layer's arguments (`dense(` in the DSL, `- dense: {`
    /// in YAML, on the cursor's line) the attribute names of that kind, or after `attribute:`
    /// its enumerated values (choices, booleans); at the start of a layer
    /// (an indented identifier alone on its line in the DSL, a list item in YAML) the layer kinds and the spec's
    /// blocks. Elsewhere nothing, rather than noise. Heuristic on the current line's text, so it
    /// works while the document does not parse.
    func completions(at position: Position) -> [JSONObject] {
        let start = lines.index(of: Position(line: position.line, character: 0))
        let prefix = String(lines.text[start..<lines.index(of: position)])
        switch argumentContext(prefix) {
        case .attribute(let kind)?:
            guard let spec = kindsByAnyName[kind] else { return [] }
            return spec.args.map { arg in
                ["label": arg.name, "kind": 5, "detail": "\(spec.name) attribute",
                 "documentation": arg.doc, "insertText": arg.name + ": "]
            }
        case .value(let kind, let attribute)?:
            guard let arg = kindsByAnyName[kind]?.arg(attribute) else { return [] }
            switch arg.type {
            case .choice(let values): return values.map { ["label": $0, "kind": 20, "detail": "\(attribute) value"] }
            case .bool: return ["true", "false"].map { ["label": $0, "kind": 21, "detail": "\(attribute) value"] }
            default: return []
            }
        case nil:
            break
        }
        // A YAML layer is a list item; a DSL layer is an indented line (inside `layers {` or a block).
        let layerStart = document.path.hasSuffix(".regula") ? #"^\s+[A-Za-z_]?[A-Za-z0-9_]*$"# : #"^\s*-\s*[A-Za-z_]?[A-Za-z0-9_]*$"#
        guard prefix.range(of: layerStart, options: .regularExpression) != nil else { return [] }
        var items: [JSONObject] = kindTable.map { kind in
            ["label": kind.name, "kind": 7, "detail": kind.parametric ? "layer with parameters" : "layer",
             "documentation": ["kind": "markdown", "value": kindDoc(kind)]]
        }
        for block in result.spec?.blocks ?? [] {
            items.append(["label": block.name.value, "kind": 3, "detail": "block"])
        }
        return items
    }

    private enum ArgumentContext {
        /// Typing an attribute name in `kind`'s argument list.
        case attribute(kind: String)
        /// Typing the value of `attribute` (after its colon).
        case value(kind: String, attribute: String)
    }

    /// Where in a layer's argument list the line's text before the cursor ends: `conv2d(16, `
    /// or `- conv2d: {filters: 16, ` (an attribute), `dense(4, activation: ` (a value).
    private func argumentContext(_ prefix: String) -> ArgumentContext? {
        let patterns = [#"([A-Za-z_][A-Za-z0-9_]*)\s*\([^()]*$"#, #"([A-Za-z_][A-Za-z0-9_]*)\s*:\s*\{[^{}]*$"#]
        for pattern in patterns {
            guard let regex = try? NSRegularExpression(pattern: pattern),
                  let match = regex.firstMatch(in: prefix, range: NSRange(prefix.startIndex..., in: prefix)),
                  let range = Range(match.range(at: 1), in: prefix) else { continue }
            let kind = String(prefix[range])
            // The last argument's text: an attribute name so far, or `name: value-so-far`.
            let tail = prefix[range.upperBound...].drop { $0 != "(" && $0 != "{" }.dropFirst()
            let last = tail.split(separator: ",", omittingEmptySubsequences: false).last ?? ""
            let parts = last.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            if parts.count == 2 {
                let attribute = parts[0].trimmingCharacters(in: .whitespaces)
                let value = parts[1].trimmingCharacters(in: .whitespaces)
                return value.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) ? .value(kind: kind, attribute: attribute) : nil
            }
            return .attribute(kind: kind)
        }
        return nil
    }
}
