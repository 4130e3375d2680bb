import Diagnostics

// How a YAML scalar becomes a value. The rules follow YAML 1.2's core schema (so `yes`, `no`,
// `on` and `off` are strings, unlike YAML 1.1), with one addition: `${ expr }` is an expression.
//
//   null    ~ | null | Null | NULL | (empty)
//   bool    true | True | TRUE | false | False | FALSE
//   int     [-+]? [0-9]+                          (beyond 64 bits: "number too large")
//   float   [-+]? (\.[0-9]+ | [0-9]+ (\.[0-9]*)?) ([eE] [-+]? [0-9]+)? | [-+]? .inf | .nan
//   expr    ${ expr }                             (plain or quoted; see ExprParser.swift)
//   string  anything else, and every quoted scalar

private let nulls: Set<String> = ["", "~", "null", "Null", "NULL"]
private let trues: Set<String> = ["true", "True", "TRUE"]
private let falses: Set<String> = ["false", "False", "FALSE"]

/// Whether a plain scalar reads as something other than a string; the YAML printer quotes
/// strings for which this is true.
func plainScalarIsSpecial(_ s: String) -> Bool {
    nulls.contains(s) || trues.contains(s) || falses.contains(s) || looksNumeric(s) || isExpressionText(s)
}

func isExpressionText(_ s: String) -> Bool {
    let t = s.trimmingSpaces
    return t.hasPrefix("${") && t.hasSuffix("}")
}

private func looksNumeric(_ s: String) -> Bool {
    isIntText(s) || isFloatText(s) || specialFloat(s) != nil
}

private func isIntText(_ s: String) -> Bool {
    var u = Substring(s).unicodeScalars
    if let f = u.first, f == "-" || f == "+" { u = u.dropFirst() }
    return !u.isEmpty && u.allSatisfy { $0 >= "0" && $0 <= "9" }
}

private func isFloatText(_ s: String) -> Bool {
    var u = Array(s.unicodeScalars)[...]
    if let f = u.first, f == "-" || f == "+" { u = u.dropFirst() }
    func digits(_ u: inout ArraySlice<Unicode.Scalar>) -> Int {
        var n = 0
        while let c = u.first, c >= "0" && c <= "9" { u = u.dropFirst(); n += 1 }
        return n
    }
    var mantissa = digits(&u)
    if u.first == "." {
        u = u.dropFirst()
        mantissa += digits(&u)
    }
    guard mantissa > 0 else { return false }
    if let e = u.first, e == "e" || e == "E" {
        u = u.dropFirst()
        if let sign = u.first, sign == "-" || sign == "+" { u = u.dropFirst() }
        guard digits(&u) > 0 else { return false }
    }
    return u.isEmpty
}

private func specialFloat(_ s: String) -> Double? {
    switch s {
    case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .infinity
    case "-.inf", "-.Inf", "-.INF": return -.infinity
    case ".nan", ".NaN", ".NAN": return .nan
    default: return nil
    }
}

/// How messages name the type of a plain scalar.
func scalarTypeName(_ s: YScalar) -> String {
    if nulls.contains(s.text) { return "null" }
    if trues.contains(s.text) || falses.contains(s.text) { return "a boolean" }
    if looksNumeric(s.text) { return "a number" }
    if isExpressionText(s.text) { return "an expression" }
    return "a string"
}

extension YAMLReader {
    /// The value of a scalar, reporting numbers that do not fit and malformed expressions.
    func scalarValue(_ s: YScalar) -> Value {
        if isExpressionText(s.text) { return expressionValue(s) }
        if s.isQuoted { return Value(.string(s.text), s.range) }
        let t = s.text
        if nulls.contains(t) { return Value(.null, s.range) }
        if trues.contains(t) { return Value(.bool(true), s.range) }
        if falses.contains(t) { return Value(.bool(false), s.range) }
        if isIntText(t) {
            guard let n = Int(t.hasPrefix("+") ? String(t.dropFirst()) : t) else {
                error("number-too-large", "number too large: \(t)", at: s.range)
                return Value(.null, s.range)
            }
            return Value(.int(n), s.range)
        }
        if let x = specialFloat(t) { return Value(.float(x), s.range) }
        if isFloatText(t) {
            guard let x = Double(t), x.isFinite else {
                error("number-too-large", "number too large: \(t)", at: s.range)
                return Value(.null, s.range)
            }
            return Value(.float(x), s.range)
        }
        return Value(.string(t), s.range)
    }

    /// `${ expr }`: lexed and parsed with the DSL's expression grammar. Positions inside the
    /// expression (the names in `Value.names`) are exact for single-line scalars.
    private func expressionValue(_ s: YScalar) -> Value {
        let raw = s.text
        let leading = raw.unicodeScalars.prefix { $0 == " " }.count
        let inner = String(raw.trimmingSpaces.dropFirst(2).dropLast())
        let quote = s.isQuoted ? 1 : 0
        let start = SourceLocation(line: s.range.start.line, column: s.range.start.column + quote + leading + 2)
        let (tokens, lexErrors) = DSLLexer.tokenize(inner, file: s.range.file, start: start)
        let parser = DSLParser(tokens: tokens, file: s.range.file)
        parser.diagnostics = lexErrors
        let parsed = parser.parseExpr()
        if parsed != nil && parser.current.kind != .eof {
            parser.error("unexpected \(parser.current.describe) after the expression", at: parser.current.range)
        }
        guard parser.diagnostics.isEmpty, let (e, _) = parsed else {
            for d in parser.diagnostics {
                // Every mistake inside `${ }` is one kind of problem for the user.
                var d = d
                if d.id == "dsl-syntax" { d.id = "invalid-expression"; d.message = "invalid expression: \(d.message)" }
                diagnostics.append(d)
            }
            return Value(.null, s.range)
        }
        if let literal = literalValue(of: e) { return Value(literal, s.range) }
        return Value(.expr(e), s.range, names: parser.exprNames)
    }
}

extension String {
    var trimmingSpaces: Substring {
        let u = Substring(self)
        guard let a = u.firstIndex(where: { $0 != " " }), let b = u.lastIndex(where: { $0 != " " }) else { return "" }
        return u[a...b]
    }
}
