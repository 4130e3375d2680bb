import IR

/// Collects the ONNX nodes and constant initializers of one exported graph.
///
/// Rules ask it for nodes by op type; it names every intermediate after the layer being
/// emitted (`0/Mul_3`), so onnxruntime's errors and Netron's view point back at the spec.
struct ONNXEmitter {
    private(set) var nodes: [ONNXNode] = []
    private(set) var constants: [ONNXTensor] = []
    /// The `state_dict` prefix of the layer being emitted (`0`, `2.body.0`); empty outside layers.
    var layer = ""
    /// Doc string of the nodes being emitted: the layer's kind and spec line.
    var doc: String?
    private var fresh = 0
    private var constantNames: [String: String] = [:]

    /// Adds one node and returns its (first) output's name: `out` when given, else a fresh name.
    @discardableResult
    mutating func node(_ opType: String, _ inputs: [String], _ attributes: [ONNXAttribute] = [], out: String? = nil) -> String {
        fresh += 1
        let prefix = layer.isEmpty ? "" : layer + "/"
        let result = out ?? "\(prefix)\(opType)_\(fresh)"
        nodes.append(ONNXNode(opType: opType, inputs: inputs, outputs: [result], name: "\(prefix)\(opType)_\(fresh)",
                              attributes: attributes, docString: doc))
        return result
    }

    /// Adds one node with several outputs (`""` for an optional output nobody reads) and
    /// returns their names: `out[i]` when given and non-nil, else fresh names.
    mutating func node(_ opType: String, _ inputs: [String], _ attributes: [ONNXAttribute] = [], outputs: [String?]) -> [String] {
        fresh += 1
        let prefix = layer.isEmpty ? "" : layer + "/"
        let names = outputs.enumerated().map { i, o in o ?? "\(prefix)\(opType)_\(fresh)_\(i)" }
        nodes.append(ONNXNode(opType: opType, inputs: inputs, outputs: names, name: "\(prefix)\(opType)_\(fresh)",
                              attributes: attributes, docString: doc))
        return names
    }

    /// A 0-D int64 constant (a Gather index that drops its axis).
    mutating func index(_ value: Int) -> String {
        let key = "s\(value)"
        if let name = constantNames[key] { return name }
        let name = "const_i64_scalar_\(value)"
        constants.append(.int64(name, dims: [], [Int64(value)]))
        constantNames[key] = name
        return name
    }

    /// A float32 constant of any shape (a mask), not shared.
    mutating func tensor(_ values: [Float], dims: [Int]) -> String {
        let name = "const_f32_\(constants.count)"
        constants.append(.float(name, dims: dims, values))
        return name
    }

    /// A 1-D int64 constant (shapes, axes), shared by every node that needs the same values.
    mutating func ints(_ values: [Int]) -> String {
        let key = "i" + values.map(String.init).joined(separator: ",")
        if let name = constantNames[key] { return name }
        let name = "const_i64_" + values.map { $0 < 0 ? "m\(-$0)" : "\($0)" }.joined(separator: "_")
        constants.append(.int64(name, dims: [values.count], values.map(Int64.init)))
        constantNames[key] = name
        return name
    }

    /// A float32 scalar constant (an epsilon, a scale).
    mutating func scalar(_ value: Double) -> String {
        let f = Float(value)
        let key = "f\(f.bitPattern)"
        if let name = constantNames[key] { return name }
        let name = "const_f32_\(constants.count)"
        constants.append(.float(name, dims: [], [f]))
        constantNames[key] = name
        return name
    }

    /// A 1-D float32 constant.
    mutating func floats(_ values: [Float]) -> String {
        let key = "v" + values.map { String($0.bitPattern) }.joined(separator: ",")
        if let name = constantNames[key] { return name }
        let name = "const_f32_\(constants.count)"
        constants.append(.float(name, dims: [values.count], values))
        constantNames[key] = name
        return name
    }

    /// `x` reshaped so that a per-channel vector of `[C]` broadcasts along `axis` of a value of
    /// rank `rank` (`[C, 1, 1]` for NCHW channels); `x` itself when `axis` is the last one.
    mutating func alongAxis(_ x: String, count: Int, axis: Int, rank: Int) -> String {
        if axis == rank - 1 { return x }
        return node("Reshape", [x, ints([count] + Array(repeating: 1, count: rank - 1 - axis))])
    }
}

/// What a rule sees of one IR node: ONNX names and IR types of its operands and result.
struct ONNXNodeContext {
    /// ONNX value names of the IR node's inputs, in the op's operand order.
    var inputs: [String]
    var inputTypes: [TensorType]
    /// The name the rule must give the node's (first) result.
    var output: String
    var outputType: TensorType
}
