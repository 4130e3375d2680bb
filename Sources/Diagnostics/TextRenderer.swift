/// Renders diagnostics for people and machines. Diagnostics are plain data; each format here
/// is one function of them.
public enum DiagnosticRenderer {}

extension DiagnosticRenderer {
    /// The terminal format, one block per diagnostic:
    ///
    ///     spec.yaml:3:15: error: duplicate key 'filters'
    ///       - conv2d: {filters: 8, filters: 9}
    ///                              ^~~~~~~
    ///     spec.yaml:3:15: note: 'filters' is first defined here
    ///       ...
    ///     fix-it: replace 'x' with 'y'
    ///
    /// - Parameters:
    ///   - sources: the files the diagnostics point into, by path; a diagnostic whose file or
    ///     line is missing is printed without its source line.
    ///   - color: ANSI colours, for a terminal (the CLI decides with isatty).
    public static func text(_ diagnostics: [Diagnostic], sources: [String: SourceFile], color: Bool = false) -> String {
        var out = ""
        let style = Style(enabled: color)
        for d in diagnostics {
            out += header(d.range, d.severity, d.message, style)
            out += snippet(d.range, sources, style)
            for n in d.notes {
                if let r = n.range {
                    out += header(r, .note, n.message, style)
                    out += snippet(r, sources, style)
                } else {
                    out += style.note("note:") + " " + n.message + "\n"
                }
            }
            for f in d.fixIts {
                out += style.fixIt("fix-it:") + " " + describe(f, sources) + "\n"
            }
        }
        return out
    }

    private static func header(_ r: SourceRange, _ severity: Severity, _ message: String, _ style: Style) -> String {
        let label: String
        switch severity {
        case .error: label = style.error("error:")
        case .warning: label = style.warning("warning:")
        case .note: label = style.note("note:")
        }
        return style.bold("\(r.file):\(r.start.line):\(r.start.column):") + " " + label + " " + style.bold(message) + "\n"
    }

    /// The source line and a caret line: `^` under the first character, `~` under the rest of
    /// the range on that line. Tabs in the source are copied so the caret lines up.
    private static func snippet(_ r: SourceRange, _ sources: [String: SourceFile], _ style: Style) -> String {
        guard let line = sources[r.file]?.line(r.start.line) else { return "" }
        let scalars = Array(line.unicodeScalars)
        let startIndex = min(max(r.start.column - 1, 0), scalars.count)
        var pad = ""
        for s in scalars[..<startIndex] { pad.unicodeScalars.append(s == "\t" ? "\t" : " ") }
        let endColumn = r.end.line == r.start.line ? r.end.column : scalars.count + 1
        let width = max(1, min(endColumn, scalars.count + 1) - r.start.column)
        return String(line) + "\n" + pad + style.caret("^" + String(repeating: "~", count: width - 1)) + "\n"
    }

    /// `replace 'x' with 'y'`, `insert 'y'` or `remove 'x'`.
    static func describe(_ f: FixIt, _ sources: [String: SourceFile]) -> String {
        let old = sources[f.range.file].map { text(of: f.range, in: $0) } ?? ""
        if f.range.start == f.range.end { return "insert '\(f.replacement)'" }
        if f.replacement.isEmpty { return "remove '\(old)'" }
        return "replace '\(old)' with '\(f.replacement)'"
    }

    /// The text a range covers (lines joined with newlines).
    static func text(of r: SourceRange, in file: SourceFile) -> String {
        var out: [String] = []
        for n in r.start.line...max(r.start.line, r.end.line) {
            guard let line = file.line(n) else { break }
            let s = Array(line.unicodeScalars)
            let a = n == r.start.line ? min(max(r.start.column - 1, 0), s.count) : 0
            let b = n == r.end.line ? min(max(r.end.column - 1, a), s.count) : s.count
            var piece = ""
            piece.unicodeScalars.append(contentsOf: s[a..<b])
            out.append(piece)
        }
        return out.joined(separator: "\n")
    }
}

/// ANSI styling, or none.
private struct Style {
    let enabled: Bool

    private func wrap(_ s: String, _ code: String) -> String { enabled ? "\u{1B}[\(code)m\(s)\u{1B}[0m" : s }
    func bold(_ s: String) -> String { wrap(s, "1") }
    func error(_ s: String) -> String { wrap(s, "1;31") }
    func warning(_ s: String) -> String { wrap(s, "1;35") }
    func note(_ s: String) -> String { wrap(s, "1;36") }
    func caret(_ s: String) -> String { wrap(s, "1;32") }
    func fixIt(_ s: String) -> String { wrap(s, "1;32") }
}
