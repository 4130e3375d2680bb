import Check
import Diagnostics
import Syntax

extension Analysis {
    /// `textDocument/formatting`: the whole document reprinted by the printers `regula fmt`
    /// (DSL) and `regula convert --to yaml` (YAML) use, comments kept. Like those commands it
    /// needs only a parse, not a clean check; a document that does not parse, or that the YAML
    /// printer refuses, gets no edits, since formatting must never lose text.
    func formattingEdits() -> [JSONObject] {
        let source = document.source
        let parsed = parseSpec(source)
        guard let spec = parsed.spec, !parsed.diagnostics.contains(where: { $0.severity == .error }) else { return [] }
        let text: String
        if document.path.hasSuffix(".regula") {
            text = printDSL(spec, comments: comments(in: source))
        } else {
            let printed = printYAML(spec, comments: comments(in: source), primaryArgument: primaryArgumentName(ofKind:))
            guard printed.refused.isEmpty else { return [] }
            text = printed.text
        }
        guard text != document.text else { return [] }
        let end = lines.position(of: SourceLocation(line: lines.lineCount, column: Int.max))
        return [["range": ["start": Position(line: 0, character: 0).json, "end": end.json], "newText": text]]
    }
}
