import Diagnostics
import Yams

// Checks made on the raw text before libyaml sees it: problems libyaml reports poorly (tabs)
// or that would make Yams' composer hang (a collection or alias used as a key is hashed whole,
// so an alias of a billion-laughs tree as a key would never finish).

/// Tabs used for indentation and complex keys (`? x`, `[a]: 1`, `*alias : 1`).
func prescanYAML(_ text: SourceText) -> [Diagnostic] {
    var result: [Diagnostic] = []
    var quote: Unicode.Scalar?
    for (index, line) in text.lines.enumerated() {
        let number = index + 1
        let point = { (c: Int) in SourceRange(file: text.path, start: SourceLocation(line: number, column: c),
                                               end: SourceLocation(line: number, column: c + 1)) }
        var column = 0
        if quote == nil {
            let indent = line.prefix { $0 == " " || $0 == "\t" }
            if let tab = indent.firstIndex(of: "\t"), indent.count < line.count, line[indent.count] != "#" {
                result.append(.error("tab-indentation", "tab character used for indentation; indent with spaces", at: point(tab + 1)))
                continue
            }
            column = indent.count
            // `? key` (explicit key) after any `- ` prefixes.
            var c = column
            while c + 1 < line.count, line[c] == "-", line[c + 1] == " " { c += 2; while c < line.count, line[c] == " " { c += 1 } }
            if c < line.count, line[c] == "?", c + 1 == line.count || line[c + 1] == " " {
                result.append(.error("complex-key", "complex mapping keys are not supported; keys must be names", at: point(c + 1)))
            }
        }
        var previous: Unicode.Scalar = " "
        while column < line.count {
            let c = line[column]
            if let q = quote {
                if q == "\"" && c == "\\" { column += 2; previous = "a"; continue }
                if c == q {
                    if q == "'" && column + 1 < line.count && line[column + 1] == "'" { column += 2; continue }
                    quote = nil
                    previous = c
                }
                column += 1
                continue
            }
            let tokenStart = " \t[{,:-?".unicodeScalars.contains(previous)
            if (c == "\"" || c == "'") && tokenStart {
                quote = c
            } else if c == "#" && (previous == " " || previous == "\t") {
                break
            } else if c == "]" || c == "}" || (c == "*" && tokenStart) {
                var j = column + 1
                if c == "*" { while j < line.count, !" \t,[]{}".unicodeScalars.contains(line[j]) { j += 1 } }
                while j < line.count, line[j] == " " { j += 1 }
                if j < line.count, line[j] == ":", j + 1 == line.count || " ,]}".unicodeScalars.contains(line[j + 1]) {
                    result.append(.error("complex-key", "complex mapping keys are not supported; keys must be names", at: point(j + 1)))
                }
            }
            previous = c
            column += 1
        }
    }
    return result
}

/// Finds the second occurrence of a duplicate key in the mapping whose first such key starts at
/// `mark`, by scanning the text after it: in block style the next line at the same indentation
/// that starts with the key, in flow style the next `key:` at the same bracket depth.
func findDuplicate(_ key: String, firstAt mark: Yams.Mark, in lines: [[Unicode.Scalar]]) -> (SourceLocation, SourceLocation)? {
    let k = Array(key.unicodeScalars)
    let first = SourceLocation(line: mark.line, column: mark.column)
    guard mark.line >= 1, mark.line <= lines.count else { return nil }
    let startLine = lines[mark.line - 1]
    let before = startLine.prefix(max(0, mark.column - 1)).reversed().first { $0 != " " }
    let isFlow = before == "{" || before == ","
    func keyAt(_ line: [Unicode.Scalar], _ c: Int) -> Bool {
        var c = c
        var quote: Unicode.Scalar?
        if c < line.count, line[c] == "\"" || line[c] == "'" { quote = line[c]; c += 1 }
        guard c + k.count <= line.count, Array(line[c..<(c + k.count)]) == k else { return false }
        c += k.count
        if let q = quote { guard c < line.count, line[c] == q else { return false }; c += 1 }
        while c < line.count, line[c] == " " { c += 1 }
        return c < line.count && line[c] == ":"
    }
    if !isFlow {
        let indent = mark.column - 1
        for l in mark.line..<lines.count {
            let line = lines[l]
            let lead = line.prefix { $0 == " " }.count
            if lead == line.count || line[lead] == "#" { continue }
            if lead < indent { return nil }
            if lead == indent, keyAt(line, lead) { return (first, SourceLocation(line: l + 1, column: lead + 1)) }
        }
        return nil
    }
    var depth = 0
    var l = mark.line - 1, c = mark.column - 1 + k.count
    while l < lines.count {
        let line = lines[l]
        while c < line.count {
            let ch = line[c]
            if ch == "{" || ch == "[" { depth += 1 } else if ch == "}" || ch == "]" {
                depth -= 1
                if depth < 0 { return nil }
            } else if ch == "," && depth == 0 {
                var j = c + 1
                while j < line.count, line[j] == " " { j += 1 }
                if j == line.count { l += 1; j = 0; while l < lines.count, lines[l].allSatisfy({ $0 == " " }) { l += 1 }
                    guard l < lines.count else { return nil }
                    let next = lines[l]; j = next.prefix { $0 == " " }.count
                    if keyAt(next, j) { return (first, SourceLocation(line: l + 1, column: j + 1)) }
                    c = j; continue
                }
                if keyAt(line, j) { return (first, SourceLocation(line: l + 1, column: j + 1)) }
            }
            c += 1
        }
        l += 1
        c = 0
    }
    return nil
}
