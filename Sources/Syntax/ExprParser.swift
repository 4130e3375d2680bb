import Diagnostics

// Arithmetic expressions, shared by the DSL and by `${ ... }` in YAML.
//
//   expr     = term { ("+" | "-") term }
//   term     = unary { ("*" | "/" | "//" | "%") unary }
//   unary    = "-" unary | power
//   power    = primary [ "**" unary ]            (right-associative; -2 ** 2 = -(2 ** 2))
//   primary  = NUMBER | STRING | IDENT | IDENT "(" [ expr { "," expr } ] ")" | "(" expr ")"

/// Functions an expression may call; the checker evaluates them.
let builtinFunctions: Set<String> = ["min", "max", "floor", "ceil", "round", "int"]

extension DSLParser {
    /// Parses one expression; nil after reporting an error.
    func parseExpr() -> (Expr, SourceRange)? {
        guard var (lhs, range) = parseTerm() else { return nil }
        while current.kind == .punct, let op = Self.additive[current.text] {
            advance()
            guard let (rhs, r) = parseTerm() else { return nil }
            lhs = .binary(op, lhs, rhs)
            range = range.union(r)
        }
        return (lhs, range)
    }

    private static let additive: [String: Expr.BinaryOp] = ["+": .add, "-": .subtract]
    private static let multiplicative: [String: Expr.BinaryOp] = ["*": .multiply, "/": .divide, "//": .floorDivide, "%": .modulo]

    private func parseTerm() -> (Expr, SourceRange)? {
        guard var (lhs, range) = parseUnary() else { return nil }
        while current.kind == .punct, let op = Self.multiplicative[current.text] {
            advance()
            guard let (rhs, r) = parseUnary() else { return nil }
            lhs = .binary(op, lhs, rhs)
            range = range.union(r)
        }
        return (lhs, range)
    }

    private func parseUnary() -> (Expr, SourceRange)? {
        if current.isPunct("-") {
            let minus = advance()
            guard enterNesting(at: minus.range) else { return nil }
            defer { leaveNesting() }
            guard let (e, r) = parseUnary() else { return nil }
            return (.negate(e), minus.range.union(r))
        }
        return parsePower()
    }

    private func parsePower() -> (Expr, SourceRange)? {
        guard let (base, range) = parsePrimary() else { return nil }
        guard current.isPunct("**") else { return (base, range) }
        advance()
        guard let (exponent, r) = parseUnary() else { return nil }
        return (.binary(.power, base, exponent), range.union(r))
    }

    private func parsePrimary() -> (Expr, SourceRange)? {
        let t = current
        switch t.kind {
        case .int, .float:
            advance()
            guard let v = numberValue(t) else { return nil }
            switch v {
            case .int(let n): return (.number(Double(n), isInteger: true), t.range)
            case .float(let x): return (.number(x, isInteger: false), t.range)
            default: preconditionFailure("numberValue returns ints and floats only")
            }
        case .string:
            advance()
            return (.string(t.text), t.range)
        case .identifier:
            advance()
            guard current.isPunct("(") else {
                exprNames.append(Located(t.text, t.range))
                return (.name(t.text), t.range)
            }
            advance()
            guard enterNesting(at: t.range) else { return nil }
            defer { leaveNesting() }
            var args: [Expr] = []
            skipNewlines()
            while !current.isPunct(")") {
                guard let (a, _) = parseExpr() else { return nil }
                args.append(a)
                skipNewlines()
                if current.isPunct(",") { advance(); skipNewlines() } else { break }
            }
            guard let close = expect(")", "to close the argument list of '\(t.text)'") else { return nil }
            if !builtinFunctions.contains(t.text) {
                error("unknown function '\(t.text)'\(suggestion(for: t.text, among: builtinFunctions))", at: t.range)
            }
            return (.call(t.text, args), t.range.union(close.range))
        case .punct where t.text == "(":
            advance()
            guard enterNesting(at: t.range) else { return nil }
            defer { leaveNesting() }
            skipNewlines()
            guard let (e, _) = parseExpr() else { return nil }
            skipNewlines()
            guard let close = expect(")", "to close the parenthesis") else { return nil }
            return (e, t.range.union(close.range))
        default:
            error("expected an expression, found \(t.describe)", at: t.range)
            return nil
        }
    }

    /// The value of a number token, or nil after reporting one that does not fit.
    func numberValue(_ t: Token) -> Value.Kind? {
        if t.kind == .int {
            guard let n = Int(t.text) else {
                error("number too large: \(t.text)", id: "number-too-large", at: t.range)
                return nil
            }
            return .int(n)
        }
        guard let x = Double(t.text), x.isFinite else {
            error("number too large: \(t.text)", id: "number-too-large", at: t.range)
            return nil
        }
        return .float(x)
    }
}

extension Token {
    /// How a message names this token: `'foo'`, `end of line`, `end of file`.
    var describe: String {
        switch kind {
        case .newline: return "end of line"
        case .eof: return "end of file"
        case .string: return "string \"\(text)\""
        default: return "'\(text)'"
        }
    }
}

/// Folds an expression that is a plain literal into the matching value, so `-1`, `0.5` and
/// `${ 3 }` are numbers rather than expressions, as the AST promises.
func literalValue(of e: Expr) -> Value.Kind? {
    switch e {
    case .number(let x, let isInteger):
        if isInteger, let n = Int(exactly: x) { return .int(n) }
        return isInteger ? nil : .float(x)
    case .negate(.number(let x, let isInteger)):
        if isInteger, let n = Int(exactly: -x) { return .int(n) }
        return isInteger ? nil : .float(-x)
    case .string(let s):
        return .string(s)
    default:
        return nil
    }
}
