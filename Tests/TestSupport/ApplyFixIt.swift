/// `text` with the span from (line, column) to (line, column) replaced: what an editor does when
/// the user accepts a fix-it. Lines and columns count from 1, columns in Unicode scalars, as
/// `SourceLocation` does. Single-line spans only (every fix-it Regula makes is one).
public func applyingEdit(_ text: String, line: Int, startColumn: Int, endColumn: Int, replacement: String) -> String {
    var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { Array(String($0).unicodeScalars) }
    var l = lines[line - 1]
    l.replaceSubrange((startColumn - 1)..<(endColumn - 1), with: Array(replacement.unicodeScalars))
    lines[line - 1] = l
    return lines.map { String(String.UnicodeScalarView($0)) }.joined(separator: "\n")
}
