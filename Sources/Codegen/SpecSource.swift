import IR

/// The spec file a package is generated from, for the comments that point back to it
/// (`// mnist_mlp.yaml:12 dense: 256`). Only the file's base name appears, so the output does
/// not depend on where `regula compile` was run.
public struct SpecSource: Sendable {
    public var fileName: String
    public var lines: [String]

    public init(path: String, text: String) {
        fileName = String(path.split(separator: "/").last ?? Substring(path))
        lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    /// `file:line` and the spec's own text of that line (list markers and comments dropped).
    func comment(for origin: Origin?) -> String {
        guard let origin else { return fileName }
        guard let r = origin.range else { return "\(fileName) \(origin.kind)" }
        let line = r.start.line
        var text = line >= 1 && line <= lines.count ? lines[line - 1] : origin.kind
        if let hash = text.firstIndex(of: "#") { text = String(text[..<hash]) }
        text = text.trimmingCharacters(in: " \t-")
        if text.isEmpty { text = origin.kind }
        return Names.comment("\(fileName):\(line) \(text)")
    }
}

private extension String {
    func trimmingCharacters(in set: String) -> String {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s.removeFirst() }
        while let l = s.last, set.contains(l) { s.removeLast() }
        return String(s)
    }
}
