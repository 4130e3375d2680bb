import Diagnostics

/// Random access to a file's lines as Unicode scalars, for turning Yams' start marks into
/// ranges (Yams records where a node starts, not where it ends).
struct SourceText {
    let path: String
    let lines: [[Unicode.Scalar]]

    init(_ file: SourceFile) {
        path = file.path
        lines = file.lines.map { Array($0.unicodeScalars) }
    }

    /// The scalar at 1-based `line` and `column`, or nil past the end of the line or file.
    func scalar(_ line: Int, _ column: Int) -> Unicode.Scalar? {
        guard line >= 1, line <= lines.count, column >= 1, column <= lines[line - 1].count else { return nil }
        return lines[line - 1][column - 1]
    }

    func lineLength(_ line: Int) -> Int {
        line >= 1 && line <= lines.count ? lines[line - 1].count : 0
    }

    func location(_ line: Int, _ column: Int) -> SourceLocation { SourceLocation(line: line, column: column) }

    func range(_ start: SourceLocation, _ end: SourceLocation) -> SourceRange {
        SourceRange(file: path, start: start, end: end)
    }

    /// The end of a plain scalar of `length` scalars starting at `start` (clamped to its line).
    func plainEnd(_ start: SourceLocation, length: Int) -> SourceLocation {
        location(start.line, max(start.column, min(start.column + length, lineLength(start.line) + 1)))
    }

    /// The location just past the closing quote of a quoted scalar that starts at `start`.
    func quotedEnd(_ start: SourceLocation) -> SourceLocation {
        guard let quote = scalar(start.line, start.column) else { return start }
        var line = start.line, column = start.column + 1
        while line <= lines.count {
            let text = lines[line - 1]
            while column <= text.count {
                let c = text[column - 1]
                if quote == "\"" && c == "\\" {
                    column += 2
                    continue
                }
                if c == quote {
                    if quote == "'" && column < text.count && text[column] == "'" {
                        column += 2
                        continue
                    }
                    return location(line, column + 1)
                }
                column += 1
            }
            line += 1
            column = 1
        }
        return location(start.line, lineLength(start.line) + 1)
    }

    /// The location just past the bracket `close` that ends a flow collection whose last content
    /// ends at `after`, skipping blanks, commas and comments; `after` itself if none is found.
    func flowEnd(after: SourceLocation, close: Unicode.Scalar) -> SourceLocation {
        var line = after.line, column = after.column
        while line <= lines.count {
            let text = lines[line - 1]
            while column <= text.count {
                let c = text[column - 1]
                if c == close { return location(line, column + 1) }
                if c == "#" { break }
                guard c == " " || c == "\t" || c == "," else { return after }
                column += 1
            }
            line += 1
            column = 1
        }
        return after
    }

    /// The end of the last non-blank line, for the range of a whole file.
    var end: SourceLocation {
        location(max(1, lines.count), (lines.last?.count ?? 0) + 1)
    }
}
