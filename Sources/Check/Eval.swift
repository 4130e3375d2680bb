import Foundation
import Syntax
import Diagnostics

/// A value an expression evaluates to.
enum Scalar: Equatable {
    case int(Int)
    case float(Double)
    case string(String)
    case bool(Bool)

    var double: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .float(let d): return d
        case .string, .bool: return nil
        }
    }

    func value(_ range: SourceRange) -> Value {
        switch self {
        case .int(let i): return Value(.int(i), range)
        case .float(let d): return Value(.float(d), range)
        case .string(let s): return Value(.string(s), range)
        case .bool(let b): return Value(.bool(b), range)
        }
    }
}

/// Why an expression could not be evaluated; becomes a diagnostic at the expression.
enum EvalError: Error, Equatable {
    case unknownName(String, suggestion: String?)
    case notANumber(String)
    case divisionByZero
    case unknownFunction(String)
    case badArity(String)
    case overflow
}

/// Evaluates `e` with block parameters and repeat indices bound in `env`. Integer arithmetic
/// stays integral (`filters * 2`); `/` always gives a float, `//` floors, as in Python.
extension Expr {
    /// Whether the expression reads `name`.
    func mentions(_ name: String) -> Bool {
        switch self {
        case .name(let n): return n == name
        case .number, .string: return false
        case .negate(let x): return x.mentions(name)
        case .binary(_, let l, let r): return l.mentions(name) || r.mentions(name)
        case .call(_, let args): return args.contains { $0.mentions(name) }
        }
    }
}

func evaluate(_ e: Expr, _ env: [String: Scalar]) throws -> Scalar {
    switch e {
    case .number(let d, let isInteger):
        if isInteger, let i = Int(exactly: d) { return .int(i) }
        return .float(d)
    case .string(let s): return .string(s)
    case .name(let n):
        guard let v = env[n] else { throw EvalError.unknownName(n, suggestion: closest(to: n, in: Array(env.keys).sorted())) }
        return v
    case .negate(let x):
        switch try evaluate(x, env) {
        case .int(let i): return .int(-i)
        case .float(let d): return .float(-d)
        case .string(let s): throw EvalError.notANumber(s)
        case .bool(let b): throw EvalError.notANumber(String(b))
        }
    case .binary(let op, let l, let r):
        return try binary(op, try evaluate(l, env), try evaluate(r, env))
    case .call(let f, let args):
        let xs = try args.map { try evaluate($0, env) }
        return try call(f, xs)
    }
}

private func number(_ s: Scalar) throws -> Double {
    guard let d = s.double else {
        if case .string(let t) = s { throw EvalError.notANumber(t) }
        throw EvalError.notANumber("?")
    }
    return d
}

private func binary(_ op: Expr.BinaryOp, _ a: Scalar, _ b: Scalar) throws -> Scalar {
    if case .int(let x) = a, case .int(let y) = b {
        switch op {
        case .add: let (r, o) = x.addingReportingOverflow(y); if o { throw EvalError.overflow }; return .int(r)
        case .subtract: let (r, o) = x.subtractingReportingOverflow(y); if o { throw EvalError.overflow }; return .int(r)
        case .multiply: let (r, o) = x.multipliedReportingOverflow(by: y); if o { throw EvalError.overflow }; return .int(r)
        case .floorDivide:
            if y == 0 { throw EvalError.divisionByZero }
            return .int(Int((Double(x) / Double(y)).rounded(.down)))
        case .modulo:
            if y == 0 { throw EvalError.divisionByZero }
            return .int(((x % y) + y) % y)
        case .power:
            if y >= 0 && y < 64 {
                var r = 1
                for _ in 0..<y { let (m, o) = r.multipliedReportingOverflow(by: x); if o { throw EvalError.overflow }; r = m }
                return .int(r)
            }
        case .divide: break
        }
    }
    let x = try number(a), y = try number(b)
    let r: Double
    switch op {
    case .add: r = x + y
    case .subtract: r = x - y
    case .multiply: r = x * y
    case .divide: if y == 0 { throw EvalError.divisionByZero }; r = x / y
    case .floorDivide: if y == 0 { throw EvalError.divisionByZero }; r = (x / y).rounded(.down)
    case .modulo: if y == 0 { throw EvalError.divisionByZero }; r = x - y * (x / y).rounded(.down)
    case .power: r = pow(x, y)
    }
    guard r.isFinite else { throw EvalError.overflow }
    return .float(r)
}

private func call(_ f: String, _ xs: [Scalar]) throws -> Scalar {
    switch f {
    case "min", "max":
        guard !xs.isEmpty else { throw EvalError.badArity(f) }
        if xs.allSatisfy({ if case .int = $0 { return true }; return false }) {
            let ints = xs.compactMap { if case .int(let i) = $0 { return i }; return nil }
            return .int((f == "min" ? ints.min() : ints.max()) ?? 0)
        }
        let ds = try xs.map(number)
        return .float((f == "min" ? ds.min() : ds.max()) ?? 0)
    case "floor", "ceil", "round", "int":
        guard xs.count == 1 else { throw EvalError.badArity(f) }
        let d = try number(xs[0])
        let rule: FloatingPointRoundingRule = f == "floor" ? .down : f == "ceil" ? .up : f == "round" ? .toNearestOrAwayFromZero : .towardZero
        let r = d.rounded(rule)
        guard let i = Int(exactly: r) else { throw EvalError.overflow }
        return .int(i)
    default:
        throw EvalError.unknownFunction(f)
    }
}
