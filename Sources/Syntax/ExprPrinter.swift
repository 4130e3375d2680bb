// Prints expressions with the fewest parentheses that parse back to the same tree.

private func precedence(_ op: Expr.BinaryOp) -> Int {
    switch op {
    case .add, .subtract: return 1
    case .multiply, .divide, .floorDivide, .modulo: return 2
    case .power: return 4
    }
}

private let unaryPrecedence = 3
private let atomPrecedence = 5

/// The expression as source text (`filters * 2`, `1 - 0.5 * i / n`, `(a + b) ** 2`).
func printExpr(_ e: Expr) -> String { printExpr(e, needs: 0) }

/// - Parameter needs: the lowest precedence this position accepts without parentheses.
private func printExpr(_ e: Expr, needs: Int) -> String {
    let (text, own) = render(e)
    return own < needs ? "(" + text + ")" : text
}

private func render(_ e: Expr) -> (String, Int) {
    switch e {
    case .number(let x, let isInteger):
        return (formatNumber(x, isInteger: isInteger), atomPrecedence)
    case .name(let n):
        return (n, atomPrecedence)
    case .string(let s):
        return (quoteDSLString(s), atomPrecedence)
    case .negate(let x):
        return ("-" + printExpr(x, needs: unaryPrecedence), unaryPrecedence)
    case .call(let f, let args):
        return (f + "(" + args.map { printExpr($0, needs: 0) }.joined(separator: ", ") + ")", atomPrecedence)
    case .binary(let op, let l, let r):
        let p = precedence(op)
        if op == .power {
            // Right-associative: the base must be an atom, the exponent may be unary.
            return (printExpr(l, needs: atomPrecedence) + " ** " + printExpr(r, needs: unaryPrecedence), p)
        }
        return (printExpr(l, needs: p) + " \(op.rawValue) " + printExpr(r, needs: p + 1), p)
    }
}

/// Integers without a fraction, floats with one (or an exponent), as both readers expect.
func formatNumber(_ x: Double, isInteger: Bool) -> String {
    if isInteger, let n = Int(exactly: x) { return String(n) }
    return formatFloat(x)
}

func formatFloat(_ x: Double) -> String {
    let s = x.description
    return s.contains(".") || s.contains("e") || !x.isFinite ? s : s + ".0"
}

/// A double-quoted DSL string with `\"`, `\\`, `\n` and `\t` escaped.
func quoteDSLString(_ s: String) -> String {
    var out = "\""
    for c in s.unicodeScalars {
        switch c {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\t": out += "\\t"
        default: out.unicodeScalars.append(c)
        }
    }
    return out + "\""
}
