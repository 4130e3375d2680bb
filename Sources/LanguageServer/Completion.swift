import Check
import Foundation
import Syntax

extension Analysis {
    /// `textDocument/completion`. Inside a layer's arguments (`dense(` in the DSL, `- dense: {`
    /// in YAML, on the cursor's line) the attribute names of that kind; at the start of a layer
    /// (an identifier alone on its line, after `- ` in YAML) the layer kinds and the spec's
    /// blocks. Elsewhere nothing, rather than noise. Heuristic on the current line's text, so it
    /// works while the document does not parse.
    func completions(at position: Position) -> [JSONObject] {
        let start = lines.index(of: Position(line: position.line, character: 0))
        let prefix = String(lines.text[start..<lines.index(of: position)])
        if let kind = enclosingKind(prefix), let spec = kindsByAnyName[kind] {
            return spec.args.map { arg in
                ["label": arg.name, "kind": 5, "detail": "\(spec.name) attribute",
                 "documentation": arg.doc, "insertText": arg.name + ": "]
            }
        }
        let layerStart = #"^\s*(-\s+)?[A-Za-z_][A-Za-z0-9_]*$|^\s*(-\s*)?$"#
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

    /// The kind whose argument list the line is inside: `conv2d(16, ` or `- conv2d: {filters: 16, `.
    private func enclosingKind(_ prefix: String) -> String? {
        let patterns = [#"([A-Za-z_][A-Za-z0-9_]*)\s*\([^()]*$"#, #"([A-Za-z_][A-Za-z0-9_]*)\s*:\s*\{[^{}]*$"#]
        for pattern in patterns {
            guard let regex = try? NSRegularExpression(pattern: pattern),
                  let match = regex.firstMatch(in: prefix, range: NSRange(prefix.startIndex..., in: prefix)),
                  let range = Range(match.range(at: 1), in: prefix) else { continue }
            // After `name:` (not after `, `/`(`/`{`) a value is being typed, not an attribute.
            let tail = prefix[range.upperBound...]
            if let last = tail.last(where: { $0 != " " }), last == ":" { return nil }
            return String(prefix[range])
        }
        return nil
    }
}
