import Check
import Diagnostics
import Driver
import Syntax

/// What the compiler's front half made of one version of a document, with the line index that
/// maps its ranges to LSP positions. Computed once per change and shared by every request
/// until the next change, so hover and symbols never re-run the checker.
public struct Analysis {
    public let document: Document
    public let lines: LineIndex
    public let result: FrontendResult

    /// Parses and checks the document exactly as `regula lint` does (`Frontend.run`).
    public init(_ document: Document) {
        self.document = document
        lines = LineIndex(document.text)
        result = Frontend.run(source: document.source)
    }

    /// The `params` of `textDocument/publishDiagnostics`.
    public var publishParams: JSONObject {
        ["uri": document.uri, "version": document.version, "diagnostics": result.diagnostics.map(lspDiagnostic)]
    }

    /// One diagnostic in LSP form: `code` is the stable id, notes with a place become related
    /// information, notes without one are appended to the message so nothing is lost.
    func lspDiagnostic(_ d: Diagnostic) -> JSONObject {
        var message = d.message
        var related: [JSONObject] = []
        for note in d.notes {
            if let range = note.range {
                related.append(["location": location(range), "message": note.message])
            } else {
                message += "\nnote: \(note.message)"
            }
        }
        var object: JSONObject = ["range": lines.range(of: d.range), "severity": severity(d.severity),
                                  "code": d.id, "source": "regula", "message": message]
        if !related.isEmpty { object["relatedInformation"] = related }
        return object
    }

    /// An LSP Location; a range in another file (none today) gets that file's URI.
    func location(_ range: SourceRange) -> JSONObject {
        let uri = range.file == document.path ? document.uri : "file://" + range.file
        return ["uri": uri, "range": lines.range(of: range)]
    }

    private func severity(_ s: Severity) -> Int {
        switch s {
        case .error: return 1
        case .warning: return 2
        case .note: return 3
        }
    }
}
