/// Builds Swift source text line by line with four-space indentation.
///
/// Generated code is read by people, so the writer owns the formatting (indentation, blank
/// lines, trailing newline) and every emitter just says what to write. Output depends only on
/// the calls made, which keeps `regula compile` byte-for-byte deterministic.
struct SwiftWriter {
    private(set) var text = ""
    private var depth = 0

    /// One line at the current indentation; an empty string writes a blank line.
    mutating func line(_ s: String = "") {
        if s.isEmpty {
            // Never two blank lines in a row, never a blank line right after an opening brace.
            if text.isEmpty || text.hasSuffix("\n\n") || text.hasSuffix("{\n") { return }
            text += "\n"
            return
        }
        text += String(repeating: "    ", count: depth) + s + "\n"
    }

    /// `header {`, the body one level deeper, then `}` (plus `trailer`, e.g. `)`).
    mutating func block(_ header: String, opener: String = " {", trailer: String = "", _ body: (inout SwiftWriter) -> Void) {
        line(header + opener)
        depth += 1
        body(&self)
        depth -= 1
        if text.hasSuffix("\n\n") { text.removeLast() }
        line("}" + trailer)
    }

    /// A `//` comment; each line of `s` becomes its own comment line (see `Names.comment`).
    mutating func comment(_ s: String) {
        for part in s.split(separator: "\n", omittingEmptySubsequences: false) { line("// " + Names.comment(String(part))) }
    }

    /// A `///` doc comment.
    mutating func doc(_ s: String) {
        for part in s.split(separator: "\n", omittingEmptySubsequences: false) { line("/// " + Names.comment(String(part))) }
    }

    /// Verbatim lines (a template), re-indented to the current depth.
    mutating func raw(_ s: String) {
        for part in s.split(separator: "\n", omittingEmptySubsequences: false) {
            line(part.allSatisfy { $0 == " " } ? "" : String(part))
        }
    }

    /// The finished file: exactly one trailing newline.
    var file: String {
        var t = text
        while t.hasSuffix("\n\n") { t.removeLast() }
        return t
    }
}
