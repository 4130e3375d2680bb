import Diagnostics

/// A `#` comment in a spec file. The AST keeps no comments; printers that are given the
/// comments of the source put each one back before the statement or layer it preceded, or at
/// the end of its line.
public struct SourceComment: Equatable {
    public var line: Int
    /// The comment from its `#` on.
    public var text: String
    /// Whether the comment is alone on its line (else it trails code).
    public var ownLine: Bool
}

/// Every comment in a YAML or DSL file, in order. A `#` starts a comment at the start of a line
/// or after a space, outside quoted strings (`"..."`, and in YAML `'...'` at the start of a token).
public func comments(in file: SourceFile) -> [SourceComment] {
    let yaml = !file.path.hasSuffix(".regula")
    var result: [SourceComment] = []
    var quote: Unicode.Scalar?
    for (index, line) in file.lines.enumerated() {
        let s = Array(line.unicodeScalars)
        var previous: Unicode.Scalar = " "
        var onlySpace = true
        var c = 0
        if !yaml { quote = nil }  // DSL strings end at the end of their line
        while c < s.count {
            let ch = s[c]
            if let q = quote {
                if ch == "\\" && q == "\"" { c += 2; continue }
                if ch == "'" && q == "'" && c + 1 < s.count && s[c + 1] == "'" { c += 2; continue }
                if ch == q { quote = nil }
            } else if ch == "#" && (previous == " " || previous == "\t" || c == 0) {
                var text = ""
                text.unicodeScalars.append(contentsOf: s[c...])
                result.append(SourceComment(line: index + 1, text: text, ownLine: onlySpace))
                break
            } else if ch == "\"" || (yaml && ch == "'" && " \t[{,:-".unicodeScalars.contains(previous)) {
                quote = ch
            }
            if ch != " " && ch != "\t" { onlySpace = false }
            previous = ch
            c += 1
        }
    }
    return result
}

/// Hands out comments in source order as the printer walks the AST.
struct CommentQueue {
    private var comments: [SourceComment]
    private var next = 0

    init(_ comments: [SourceComment]) { self.comments = comments }

    /// Every comment that starts before `line`, as lines indented by `indent`.
    mutating func before(_ line: Int, indent: String) -> String {
        var out = ""
        while next < comments.count && comments[next].line < line {
            out += indent + comments[next].text + "\n"
            next += 1
        }
        return out
    }

    /// The comment trailing code on `line`, if it is next.
    mutating func trailing(_ line: Int) -> String? {
        guard next < comments.count, comments[next].line == line, !comments[next].ownLine else { return nil }
        next += 1
        return comments[next - 1].text
    }

    /// Whatever is left, for the end of the file.
    mutating func rest() -> String { before(Int.max, indent: "") }
}

/// Appends `comment` to the first line of `text`.
func appendingTrailing(_ comment: String?, to text: String) -> String {
    guard let comment else { return text }
    guard let newline = text.firstIndex(of: "\n") else { return text + "  " + comment }
    return String(text[..<newline]) + "  " + comment + String(text[newline...])
}
