import Diagnostics

/// An LSP position: a 0-based line and a 0-based offset in UTF-16 code units, as the protocol
/// requires (the default `positionEncoding`). The Diagnostics module counts differently (1-based
/// lines, columns in Unicode scalars, see SourceFile.swift), so every position crossing between
/// the two goes through `LineIndex`.
public struct Position: Hashable, Comparable {
    public var line: Int
    public var character: Int

    public init(line: Int, character: Int) {
        self.line = line
        self.character = character
    }

    public static func < (a: Position, b: Position) -> Bool { (a.line, a.character) < (b.line, b.character) }

    var json: JSONObject { ["line": line, "character": character] }

    init(json: JSONObject) throws {
        self.init(line: try json.int("line"), character: try json.int("character"))
    }
}

/// Where each line of a text starts, in UTF-16 code units, with the same line breaks as
/// `SourceFile` (`\n`, `\r\n` and a lone `\r`).
public struct LineIndex {
    public let text: String
    /// UTF-16 offset of each line's first unit.
    private var starts: [Int] = [0]
    /// UTF-16 offset of each line's terminator (or of the end of the text for the last line).
    private var ends: [Int] = []

    public init(_ text: String) {
        self.text = text
        var offset = 0
        var previousCR = false
        for unit in text.utf16 {
            if previousCR {
                if unit == 10 {  // \r\n: one break, already ended at the \r
                    starts[starts.count - 1] = offset + 1
                    previousCR = false
                    offset += 1
                    continue
                }
                previousCR = false
            }
            if unit == 10 || unit == 13 {
                ends.append(offset)
                starts.append(offset + 1)
                previousCR = unit == 13
            }
            offset += 1
        }
        ends.append(offset)
    }

    public var lineCount: Int { starts.count }

    /// The UTF-16 offset of `position`, clamped to its line (a character past the end of the
    /// line means its end, as LSP specifies) and to the text.
    public func offset(of position: Position) -> Int {
        guard position.line >= 0 else { return 0 }
        guard position.line < starts.count else { return ends[ends.count - 1] }
        return starts[position.line] + min(max(0, position.character), ends[position.line] - starts[position.line])
    }

    /// The `String.Index` of `position`.
    public func index(of position: Position) -> String.Index {
        let utf16 = text.utf16
        return utf16.index(utf16.startIndex, offsetBy: offset(of: position))
    }

    /// The Diagnostics location (1-based line, column in Unicode scalars) of an LSP position.
    public func location(of position: Position) -> SourceLocation {
        let line = min(max(0, position.line), starts.count - 1)
        let start = text.utf16.index(text.utf16.startIndex, offsetBy: starts[line])
        let end = index(of: Position(line: line, character: position.character))
        return SourceLocation(line: line + 1, column: text[start..<end].unicodeScalars.count + 1)
    }

    /// The LSP position of a Diagnostics location; columns past the end of the line clamp to it.
    public func position(of location: SourceLocation) -> Position {
        let line = location.line - 1
        guard line >= 0 else { return Position(line: 0, character: 0) }
        guard line < starts.count else {
            return Position(line: starts.count - 1, character: ends[ends.count - 1] - starts[starts.count - 1])
        }
        let utf16 = text.utf16
        let start = utf16.index(utf16.startIndex, offsetBy: starts[line])
        let end = utf16.index(utf16.startIndex, offsetBy: ends[line])
        var character = 0
        var column = 1
        for scalar in text[start..<end].unicodeScalars where column < location.column {
            character += scalar.utf16.count
            column += 1
        }
        return Position(line: line, character: character)
    }

    /// An LSP range (`{start, end}`) for a Diagnostics range.
    public func range(of range: SourceRange) -> JSONObject {
        ["start": position(of: range.start).json, "end": position(of: range.end).json]
    }

    /// Whether the LSP `position` falls inside `range` (end inclusive, so a cursor just after a
    /// word still hovers it).
    public func contains(_ range: SourceRange, _ position: Position) -> Bool {
        let l = location(of: position)
        return range.start <= l && l <= range.end
    }
}
