import Diagnostics
import Foundation

/// One open document: its text as the editor sees it, and the path its format is judged by.
public struct Document {
    public var uri: String
    public var version: Int
    public var text: String
    /// The file-system path of a `file:` URI (the URI itself otherwise). The parser picks the
    /// format from the extension (`.regula` is the DSL, anything else YAML), and diagnostics
    /// carry this path back in their ranges.
    public var path: String

    public init(uri: String, version: Int, text: String) {
        self.uri = uri
        self.version = version
        self.text = text
        self.path = Document.path(of: uri)
    }

    public var source: SourceFile { SourceFile(path: path, text: text) }

    /// `file:///a/b%20c.regula` → `/a/b c.regula`.
    static func path(of uri: String) -> String {
        if let url = URL(string: uri), url.isFileURL { return url.path }
        return uri
    }

    /// Applies one `contentChanges` entry: with a `range`, replaces that span (positions in
    /// UTF-16 units of the current text); without one, the whole text.
    public mutating func apply(_ change: JSONObject) throws {
        let newText = try change.string("text")
        guard let range = change["range"] as? JSONObject else {
            text = newText
            return
        }
        let lines = LineIndex(text)
        let start = lines.index(of: try Position(json: try range.object("start")))
        let end = lines.index(of: try Position(json: try range.object("end")))
        guard start <= end else { throw ResponseError(.invalidParams, "a change's range ends before it starts") }
        text.replaceSubrange(start..<end, with: newText)
    }
}

/// The open documents by URI. Only what the editor sent is analysed; the server never reads
/// files behind the editor's back.
public struct DocumentStore {
    private var documents: [String: Document] = [:]

    public init() {}

    public subscript(uri: String) -> Document? { documents[uri] }

    public mutating func open(_ document: Document) { documents[document.uri] = document }

    public mutating func close(_ uri: String) { documents[uri] = nil }

    /// Applies `changes` in order (LSP sends them in the order they were made).
    public mutating func change(_ uri: String, version: Int, changes: [JSONObject]) throws {
        guard var document = documents[uri] else { throw ResponseError(.invalidParams, "'\(uri)' is not open") }
        for change in changes { try document.apply(change) }
        document.version = version
        documents[uri] = document
    }
}
