import Diagnostics

/// One token of the `.regula` DSL (also used for `${ ... }` expressions inside YAML).
struct Token: Equatable {
    enum Kind: Equatable {
        case identifier, int, float, string, punct, newline, eof
        /// A character that starts no token; the lexer has already reported it.
        case invalid
    }

    var kind: Kind
    /// The identifier, the number as written, the decoded string, or the punctuation itself.
    var text: String
    var range: SourceRange

    func isPunct(_ p: String) -> Bool { kind == .punct && text == p }
    func isWord(_ w: String) -> Bool { kind == .identifier && text == w }
}

/// Splits DSL text into tokens. Comments run from `#` to the end of the line; newlines are tokens
/// because they end layer items and statements (the parser skips them inside brackets).
///
/// The lexer never fails: characters that start no token become `.invalid` tokens with a
/// diagnostic, and an unterminated string ends at the end of its line.
struct DSLLexer {
    private let scalars: [Unicode.Scalar]
    private let file: String
    private var i = 0
    private var line: Int
    private var column: Int
    private(set) var diagnostics: [Diagnostic] = []

    /// Two-character punctuation wins over its first character (`//` over `/`).
    private static let pairs: Set<String> = ["<-", "//", "**"]
    private static let singles: Set<Unicode.Scalar> = ["{", "}", "[", "]", "(", ")", ",", ":", "=", "+", "-", "*", "/", "%", ";"]

    /// - Parameters:
    ///   - start: where `text` begins in its file (not 1:1 for an expression embedded in YAML).
    init(_ text: String, file: String, start: SourceLocation = SourceLocation(line: 1, column: 1)) {
        self.scalars = Array(text.unicodeScalars)
        self.file = file
        self.line = start.line
        self.column = start.column
    }

    static func tokenize(_ text: String, file: String,
                         start: SourceLocation = SourceLocation(line: 1, column: 1)) -> ([Token], [Diagnostic]) {
        var lexer = DSLLexer(text, file: file, start: start)
        var tokens: [Token] = []
        while true {
            let t = lexer.next()
            tokens.append(t)
            if t.kind == .eof { break }
        }
        return (tokens, lexer.diagnostics)
    }

    private var here: SourceLocation { SourceLocation(line: line, column: column) }

    private func peek(_ offset: Int = 0) -> Unicode.Scalar? {
        i + offset < scalars.count ? scalars[i + offset] : nil
    }

    private mutating func bump() {
        let c = scalars[i]
        i += 1
        if c == "\n" || (c == "\r" && peek() != "\n") {
            line += 1
            column = 1
        } else if c != "\r" {
            column += 1
        }
    }

    private func range(from start: SourceLocation) -> SourceRange {
        SourceRange(file: file, start: start, end: here)
    }

    mutating func next() -> Token {
        while let c = peek() {
            if c == " " || c == "\t" {
                bump()
            } else if c == "#" {
                while let d = peek(), d != "\n", d != "\r" { bump() }
            } else {
                break
            }
        }
        let start = here
        guard let c = peek() else { return Token(kind: .eof, text: "", range: range(from: start)) }
        if c == "\n" || c == "\r" {
            bump()
            return Token(kind: .newline, text: "\n", range: SourceRange(file: file, at: start))
        }
        if Self.isIdentifierStart(c) {
            var s = ""
            while let d = peek(), Self.isIdentifierContinue(d) { s.unicodeScalars.append(d); bump() }
            return Token(kind: .identifier, text: s, range: range(from: start))
        }
        if Self.isDigit(c) { return number(start) }
        if c == "\"" { return string(start) }
        if let d = peek(1) {
            var pair = String(Character(c))
            pair.unicodeScalars.append(d)
            if Self.pairs.contains(pair) {
                bump()
                bump()
                return Token(kind: .punct, text: pair, range: range(from: start))
            }
        }
        if Self.singles.contains(c) {
            bump()
            return Token(kind: .punct, text: String(Character(c)), range: range(from: start))
        }
        bump()
        let r = range(from: start)
        diagnostics.append(.error("dsl-syntax", "unexpected character '\(Character(c))'", at: r))
        return Token(kind: .invalid, text: String(Character(c)), range: r)
    }

    /// `123`, `0.5`, `1e-3`, `2.5E+4`. A float is any number with a fraction or an exponent.
    private mutating func number(_ start: SourceLocation) -> Token {
        var s = ""
        var isFloat = false
        func digits(_ lexer: inout DSLLexer, _ s: inout String) {
            while let d = lexer.peek(), Self.isDigit(d) || d == "_" {
                if d != "_" { s.unicodeScalars.append(d) }
                lexer.bump()
            }
        }
        digits(&self, &s)
        if peek() == ".", let d = peek(1), Self.isDigit(d) {
            isFloat = true
            s += "."
            bump()
            digits(&self, &s)
        }
        if let e = peek(), e == "e" || e == "E" {
            let signed = peek(1) == "+" || peek(1) == "-"
            if let d = peek(signed ? 2 : 1), Self.isDigit(d) {
                isFloat = true
                s += "e"
                bump()
                if signed, let sign = peek() { s.unicodeScalars.append(sign); bump() }
                digits(&self, &s)
            }
        }
        return Token(kind: isFloat ? .float : .int, text: s, range: range(from: start))
    }

    /// A double-quoted string with the escapes `\"`, `\\`, `\n` and `\t`.
    private mutating func string(_ start: SourceLocation) -> Token {
        bump()
        var s = ""
        while let c = peek(), c != "\"" {
            if c == "\n" || c == "\r" { break }
            bump()
            if c == "\\", let e = peek(), e != "\n", e != "\r" {
                bump()
                switch e {
                case "n": s += "\n"
                case "t": s += "\t"
                default: s.unicodeScalars.append(e)
                }
            } else {
                s.unicodeScalars.append(c)
            }
        }
        if peek() == "\"" {
            bump()
        } else {
            diagnostics.append(.error("dsl-syntax", "unterminated string literal", at: range(from: start)))
        }
        return Token(kind: .string, text: s, range: range(from: start))
    }

    static func isIdentifierStart(_ c: Unicode.Scalar) -> Bool {
        (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c == "_"
    }

    static func isIdentifierContinue(_ c: Unicode.Scalar) -> Bool {
        isIdentifierStart(c) || isDigit(c)
    }

    static func isDigit(_ c: Unicode.Scalar) -> Bool { c >= "0" && c <= "9" }

    /// Whether `s` can be written as a bare identifier.
    static func isIdentifier(_ s: String) -> Bool {
        guard let f = s.unicodeScalars.first, isIdentifierStart(f) else { return false }
        return s.unicodeScalars.allSatisfy(isIdentifierContinue)
    }
}
