import Check
import Diagnostics

/// Names one value of a graph; an index into `Graph.values`.
public struct ValueID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var raw: Int
    public init(_ raw: Int) { self.raw = raw }
    public static func < (a: ValueID, b: ValueID) -> Bool { a.raw < b.raw }
    public var description: String { "%\(raw)" }
}

/// Keys one counter-based random stream: the runtime draws from Philox keyed by
/// (seed, step, key id) and indexes the stream by element, so a backward op that carries the
/// same key regenerates its forward op's mask instead of storing it.
public struct RngKey: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var id: Int
    public init(_ id: Int) { self.id = id }
    public static func < (a: RngKey, b: RngKey) -> Bool { a.id < b.id }
    public var description: String { "#\(id)" }
}

/// Where a key is drawn and what for (`"2" dropout mask`, `"3" shake-shake β`).
public struct RngKeyInfo: Hashable, Sendable {
    public var key: RngKey
    public var site: String
    public var purpose: String
    public init(key: RngKey, site: String, purpose: String) {
        self.key = key
        self.site = site
        self.purpose = purpose
    }
}

/// The spec layer a node came from, for comments in the IR text and in generated code.
public struct Origin: Hashable, Sendable {
    /// The `state_dict` prefix of the layer (`3`, `2.body.0`).
    public var path: String
    /// The kind as the user wrote it (`dense`, `resblock/conv2d`).
    public var kind: String
    public var range: SourceRange?
    public init(path: String, kind: String, range: SourceRange? = nil) {
        self.path = path
        self.kind = kind
        self.range = range
    }
}

/// One elementwise step executed in the epilogue of a fused node, on the running value
/// (the producer's first output, or the previous step's result) and `operands`.
public struct EpilogueStep: Hashable, Sendable {
    public var op: Op
    /// Operands after the running value (a bias, a residual shortcut).
    public var operands: [ValueID]
    /// The value this step defines.
    public var result: ValueID
    public init(op: Op, operands: [ValueID], result: ValueID) {
        self.op = op
        self.operands = operands
        self.result = result
    }
}

/// One op application. Effect ops (`Op.isEffect`) have no outputs and update state inputs in place.
public struct Node: Hashable, Sendable {
    public var op: Op
    public var inputs: [ValueID]
    public var outputs: [ValueID]
    /// Elementwise steps fused into this node's epilogue by `fuse`; empty before.
    public var epilogue: [EpilogueStep]
    /// Values defined by this node that no one reads outside it: a fused kernel keeps them in
    /// registers and the planner gives them no memory.
    public var transient: Set<ValueID>
    public var origin: Origin?

    public init(op: Op, inputs: [ValueID], outputs: [ValueID], epilogue: [EpilogueStep] = [],
                transient: Set<ValueID> = [], origin: Origin? = nil) {
        self.op = op
        self.inputs = inputs
        self.outputs = outputs
        self.epilogue = epilogue
        self.transient = transient
        self.origin = origin
    }

    /// Every value the node defines: its outputs, then each epilogue step's result.
    public var defined: [ValueID] { outputs + epilogue.map(\.result) }
    /// Every value the node reads, epilogue operands included.
    public var used: [ValueID] { inputs + epilogue.flatMap(\.operands) }
    /// The value the node leaves for its consumers (the last epilogue result, else output 0).
    public var result: ValueID? { epilogue.last?.result ?? outputs.first }
}

/// What a graph input stands for.
public enum InputKind: Hashable, Sendable {
    /// The mini-batch of examples.
    case data
    /// The mini-batch of targets (class ids `i32[N]` for cross-entropy, else like the output).
    case labels
    /// A trainable (or frozen) parameter, named and laid out as in the PyTorch `state_dict`.
    case parameter(ParamInfo)
    /// A non-trainable buffer (batchnorm running statistics); effects update it in place.
    case buffer(ParamInfo)
    /// The consistency term's target distribution, [N, …, K], written by the loop before each step.
    case consistencyTarget
    /// The consistency term's current weight w(t), a scalar written by the loop.
    case consistencyWeight
}

public struct GraphInput: Hashable, Sendable {
    public var value: ValueID
    public var kind: InputKind
    public init(value: ValueID, kind: InputKind) {
        self.value = value
        self.kind = kind
    }
    public var param: ParamInfo? {
        switch kind {
        case .parameter(let p), .buffer(let p): return p
        case .data, .labels, .consistencyTarget, .consistencyWeight: return nil
        }
    }
}

/// What a graph output means to the driver.
public enum OutputKind: Hashable, Sendable {
    /// The model's output (logits for cross-entropy).
    case logits
    /// The objective that is differentiated: data loss plus penalties.
    case loss
    /// The data term alone (mean over the batch), reported as "loss" in metrics.
    case dataLoss
    /// Fraction of the batch whose argmax equals the label.
    case accuracy
    /// ∂loss/∂parameter, for the parameter with this `state_dict` name.
    case gradient(String)
    /// ∂loss/∂input, for adversarial training's attack (only when the spec asks for it).
    case inputGradient
    /// The consistency term (part of the objective `loss`, not of `dataLoss`).
    case consistency
}

public struct GraphOutput: Hashable, Sendable {
    public var value: ValueID
    public var kind: OutputKind
    public init(value: ValueID, kind: OutputKind) {
        self.value = value
        self.kind = kind
    }
}

public enum Mode: String, Hashable, Sendable, CaseIterable {
    case train, inference
}

/// A typed graph of primitive ops. Nodes are in execution order; every value is defined once
/// (by a graph input or a node) before it is used.
public struct Graph: Hashable, Sendable {
    public var name: String
    public var mode: Mode
    /// Type of every value, indexed by `ValueID.raw`.
    public var values: [TensorType]
    public var inputs: [GraphInput]
    public var nodes: [Node]
    public var outputs: [GraphOutput]
    public var rngKeys: [RngKeyInfo]
    /// Sizes for the symbols in shapes; `N` is the training batch size unless set otherwise.
    public var bindings: [String: Int]
    public var training: TrainingConfig
    /// Set by `plan`.
    public var memory: MemoryPlan?

    public init(name: String, mode: Mode, values: [TensorType] = [], inputs: [GraphInput] = [],
                nodes: [Node] = [], outputs: [GraphOutput] = [], rngKeys: [RngKeyInfo] = [],
                bindings: [String: Int] = [:], training: TrainingConfig = TrainingConfig(), memory: MemoryPlan? = nil) {
        self.name = name
        self.mode = mode
        self.values = values
        self.inputs = inputs
        self.nodes = nodes
        self.outputs = outputs
        self.rngKeys = rngKeys
        self.bindings = bindings
        self.training = training
        self.memory = memory
    }

    public subscript(_ v: ValueID) -> TensorType { values[v.raw] }

    /// Parameters and buffers, in `state_dict` order.
    public var state: [GraphInput] { inputs.filter { $0.param != nil } }
    public var trainableParameters: [GraphInput] {
        inputs.filter { if case .parameter(let p) = $0.kind { return p.trainable }; return false }
    }
    public func input(_ kind: InputKind) -> ValueID? { inputs.first { $0.kind == kind }?.value }
    public func output(_ kind: OutputKind) -> ValueID? { outputs.first { $0.kind == kind }?.value }

    /// For every value, the indices of the nodes that read it.
    public func uses() -> [ValueID: [Int]] {
        var u: [ValueID: [Int]] = [:]
        for (i, n) in nodes.enumerated() { for v in n.used { u[v, default: []].append(i) } }
        return u
    }

    /// Nodes whose inputs are only parameters and buffers (directly or through other such
    /// nodes), such as folded batchnorm weights. In an inference graph the parameters do not
    /// change between steps, so an executor may run these once after loading; `plan` keeps their
    /// values live for the whole step so nothing overwrites them. In a training graph (where
    /// penalties read only parameters that change every step) this is empty.
    public func parameterOnlyNodes() -> Set<Int> {
        guard mode == .inference else { return [] }
        var constant = Set(state.map(\.value))
        var out: Set<Int> = []
        for (i, n) in nodes.enumerated() where !n.op.isEffect && !n.op.isStochastic && n.used.allSatisfy(constant.contains) {
            out.insert(i)
            constant.formUnion(n.defined)
        }
        return out
    }
}
