import Check

/// A shape-rule violation: the message names the op and the rule it breaks.
public struct ShapeError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// One row of the op table: the shape rule and, next to it, the gradient rule.
struct OpRule {
    /// Output types from input types.
    var shape: ([TensorType]) throws -> [TensorType]
    /// Emits the backward ops for one node and records the gradient of each input that needs
    /// one; nil for ops that are never differentiated (backward ops, effects, metrics).
    var grad: ((inout GradContext) -> Void)?

    init(shape: @escaping ([TensorType]) throws -> [TensorType], grad: ((inout GradContext) -> Void)? = nil) {
        self.shape = shape
        self.grad = grad
    }
}

extension Op {
    /// This op's row in the rule table.
    var rule: OpRule {
        if let r = denseRule(self) ?? convRule(self) ?? elementwiseRule(self) ?? stochasticRule(self)
            ?? normRule(self) ?? reparamRule(self) ?? sequenceRule(self) ?? lossRule(self) { return r }
        preconditionFailure("op \(self) has no row in the rule table")
    }

    /// Output types for these input types, or the rule the inputs break.
    public func outputTypes(_ inputs: [TensorType]) -> Result<[TensorType], ShapeError> {
        do { return .success(try rule.shape(inputs)) } catch let e as ShapeError {
            return .failure(e)
        } catch {
            return .failure(ShapeError("\(error)"))
        }
    }

    /// Whether `autodiff` knows how to differentiate through this op.
    public var isDifferentiable: Bool { rule.grad != nil }
}

/// What a gradient rule sees and does: the node, the gradients of its outputs, which inputs
/// need gradients, and a builder to emit backward ops into.
struct GradContext {
    let node: Node
    var b: GraphBuilder
    let outputGrads: [ValueID?]
    let needs: [Bool]
    var inputGrads: [ValueID?]

    init(node: Node, builder: GraphBuilder, outputGrads: [ValueID?], needs: [Bool]) {
        self.node = node
        self.b = builder
        self.outputGrads = outputGrads
        self.needs = needs
        self.inputGrads = Array(repeating: nil, count: node.inputs.count)
    }

    func x(_ i: Int) -> ValueID { node.inputs[i] }
    func y(_ i: Int) -> ValueID { node.outputs[i] }
    /// The incoming gradient of output `i`; rules run only when output 0 has one.
    func dy(_ i: Int = 0) -> ValueID {
        guard let g = outputGrads[i] else { preconditionFailure("gradient rule for \(node.op) read a missing output gradient") }
        return g
    }
    func type(_ v: ValueID) -> TensorType { b.graph[v] }
    func needs(_ i: Int) -> Bool { needs[i] }

    mutating func emit(_ op: Op, _ inputs: [ValueID]) -> [ValueID] { b.emit(op, inputs, origin: node.origin) }
    mutating func emit1(_ op: Op, _ inputs: [ValueID]) -> ValueID { b.emit1(op, inputs, origin: node.origin) }
    mutating func set(_ i: Int, _ g: ValueID) {
        if needs[i] { inputGrads[i] = g }
    }
}

// MARK: Shape helpers

func require(_ ok: Bool, _ message: @autoclosure () -> String) throws {
    if !ok { throw ShapeError(message()) }
}

func arity(_ ts: [TensorType], _ n: Int, _ op: String) throws {
    try require(ts.count == n, "\(op) takes \(n) operands, got \(ts.count)")
}

func fixed(_ d: Dim, _ what: String) throws -> Int {
    guard let v = d.value else { throw ShapeError("\(what) must be a fixed size, got \(d)") }
    return v
}

/// Whether two dimension lists have the same number of elements (same fixed product, same symbols).
func sameCount(_ a: [Dim], _ b: [Dim]) -> Bool {
    func split(_ ds: [Dim]) -> (Int, [String]) {
        var p = 1
        var syms: [String] = []
        for d in ds {
            switch d {
            case .fixed(let v): p *= v
            case .symbol(let s): syms.append(s)
            }
        }
        return (p, syms.sorted())
    }
    let (pa, sa) = split(a), (pb, sb) = split(b)
    return pa == pb && sa == sb
}

func shapeString(_ ds: [Dim]) -> String { "[\(ds.map(\.description).joined(separator: ", "))]" }
