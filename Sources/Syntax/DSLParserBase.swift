import Diagnostics

/// Recursive-descent parser for the `.regula` DSL; its grammar is in Grammar.md and its rules
/// are spread over DSLParser.swift (statements, layers), DSLValues.swift and ExprParser.swift.
///
/// Error recovery: a rule that fails reports one error and returns nil; the enclosing list
/// (statements, layer items, entries) then skips to the next line or closing bracket at its own
/// depth and goes on, so one run reports every independent mistake.
final class DSLParser {
    var tokens: [Token]
    var pos = 0
    let file: String
    var diagnostics: [Diagnostic] = []
    /// Block parameters and repeat indices visible here: a bare identifier naming one of them is
    /// an expression, any other bare identifier is a string (`padding: same`).
    var scopes: [Set<String>] = []
    /// Every name an expression read so far, with its range; `parseValue` hands the ones of each
    /// expression to its `Value.names`.
    var exprNames: [Located<String>] = []
    private var nesting = 0
    /// Set after a nesting error: the rest of the input is skipped, and reports about it would be noise.
    private var gaveUp = false
    /// Deeper nesting is refused so recursion cannot exhaust the stack.
    static let maxNesting = 200

    init(tokens: [Token], file: String) {
        self.tokens = tokens
        self.file = file
    }

    var current: Token { tokens[pos] }

    func peek(_ k: Int) -> Token { tokens[min(pos + k, tokens.count - 1)] }

    @discardableResult
    func advance() -> Token {
        let t = tokens[pos]
        if pos < tokens.count - 1 { pos += 1 }
        return t
    }

    func skipNewlines() {
        while current.kind == .newline || current.isPunct(";") { advance() }
    }

    /// Reports an error, unless one was already reported at the same place (an invalid
    /// character is reported by the lexer; the parser would only repeat it).
    func error(_ message: String, id: String = "dsl-syntax", at range: SourceRange, notes: [Note] = []) {
        if gaveUp || diagnostics.contains(where: { $0.range.start == range.start }) { return }
        diagnostics.append(.error(id, message, at: range, notes: notes))
    }

    /// Consumes the punctuation `p` or reports "expected 'p' `context`".
    @discardableResult
    func expect(_ p: String, _ context: String) -> Token? {
        if current.isPunct(p) { return advance() }
        error("expected '\(p)' \(context), found \(current.describe)", at: current.range)
        return nil
    }

    func inScope(_ name: String) -> Bool { scopes.contains { $0.contains(name) } }

    /// Enters one level of bracket nesting; false (after an error) when that is too deep.
    func enterNesting(at range: SourceRange) -> Bool {
        nesting += 1
        if nesting > Self.maxNesting {
            error("nesting is deeper than \(Self.maxNesting) levels", id: "nesting-too-deep", at: range)
            gaveUp = true
            nesting -= 1
            skipToEnd()
            return false
        }
        return true
    }

    func leaveNesting() { nesting -= 1 }

    /// Gives up on the rest of the input (after a nesting error, to avoid one error per level).
    func skipToEnd() { pos = tokens.count - 1 }

    /// Skips to the end of the current line or to a closing bracket of the current level,
    /// jumping over nested brackets. Returns without consuming the newline or the bracket.
    func synchronize() {
        var depth = 0
        while current.kind != .eof {
            if depth == 0 && (current.kind == .newline || current.isPunct(";")) { return }
            if current.kind == .punct {
                switch current.text {
                case "{", "[", "(": depth += 1
                case "}", "]", ")":
                    if depth == 0 { return }
                    depth -= 1
                default: break
                }
            }
            advance()
        }
    }
}
