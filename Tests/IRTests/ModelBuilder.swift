import Check
import Diagnostics
@testable import IR

/// Builds `CheckedModel`s by hand, the way the checker would: per-example shapes, PyTorch
/// parameter names (`<path>.weight`), layouts and default initializers.
struct ModelBuilder {
    var name: String
    var input: Shape
    var nodes: [CheckedNode] = []
    var training = TrainingConfig()
    var nextIndex = 0

    init(_ name: String, input: [Int]) {
        self.name = name
        self.input = input.map { .fixed($0) }
        nodes.append(CheckedNode(id: 0, op: .input, inputs: [], shape: self.input, path: "", name: nil,
                                 displayKind: "input", range: Self.range(0)))
    }

    static func range(_ line: Int) -> SourceRange {
        SourceRange(file: "model.yaml", at: SourceLocation(line: line + 1, column: 3))
    }

    var last: Int { nodes.count - 1 }
    func shape(_ id: Int) -> [Int] { nodes[id].shape.map { $0.value ?? -1 } }

    /// Appends a layer reading `from` (default: the previous node); `path` defaults to the next
    /// top-level index, as in `nn.Sequential`.
    @discardableResult
    mutating func add(_ op: LayerOp, _ kind: String, from: [Int]? = nil, path: String? = nil, params: [ParamInfo] = []) -> Int {
        let ins = from ?? [last]
        let p = path ?? { defer { nextIndex += 1 }; return String(nextIndex) }()
        let x = shape(ins[0])
        let out: [Int]
        switch op {
        case .dense(let u, _): out = Array(x.dropLast()) + [u]
        case .conv2d(let f, let k, let s, let pad, _, _, _):
            out = [f, (x[1] + 2 * pad[0] - k[0]) / s[0] + 1, (x[2] + 2 * pad[1] - k[1]) / s[1] + 1]
        case .maxPool(let k, let s, _, _), .avgPool(let k, let s, _, _): out = [x[0], (x[1] - k[0]) / s[0] + 1, (x[2] - k[1]) / s[1] + 1]
        case .globalAvgPool: out = [x[0]]
        case .flatten: out = [x.reduce(1, *)]
        default: out = x
        }
        let id = nodes.count
        nodes.append(CheckedNode(id: id, op: op, inputs: ins, shape: out.map { .fixed($0) }, params: params.map {
            var q = $0; q.name = p + "." + q.name; return q
        }, path: p, name: nil, displayKind: kind, range: Self.range(id)))
        return id
    }

    @discardableResult
    mutating func dense(_ units: Int, from: [Int]? = nil, path: String? = nil, l2: Double = 0, l1: Double = 0) -> Int {
        let fanIn = shape((from ?? [last])[0]).last ?? 0
        var r = Regularization()
        r.l2 = l2
        r.l1 = l1
        return add(.dense(units: units, bias: true), "dense", from: from, path: path, params: [
            ParamInfo(name: "weight", shape: [units, fanIn], role: .weight, trainable: true, initializer: .uniformFanIn(fanIn: fanIn), regularization: r),
            ParamInfo(name: "bias", shape: [units], role: .bias, trainable: true, initializer: .uniformFanIn(fanIn: fanIn)),
        ])
    }

    @discardableResult
    mutating func conv(_ filters: Int, kernel: Int = 3, pad: Int = 1, from: [Int]? = nil, path: String? = nil, bias: Bool = true) -> Int {
        let c = shape((from ?? [last])[0])[0], fanIn = c * kernel * kernel
        var ps = [ParamInfo(name: "weight", shape: [filters, c, kernel, kernel], role: .weight, trainable: true, initializer: .uniformFanIn(fanIn: fanIn))]
        if bias { ps.append(ParamInfo(name: "bias", shape: [filters], role: .bias, trainable: true, initializer: .uniformFanIn(fanIn: fanIn))) }
        return add(.conv2d(filters: filters, kernel: [kernel, kernel], stride: [1, 1], padding: [pad, pad], dilation: [1, 1], groups: 1, bias: bias),
                   "conv2d", from: from, path: path, params: ps)
    }

    @discardableResult
    mutating func batchNorm(from: [Int]? = nil, path: String? = nil) -> Int {
        let c = shape((from ?? [last])[0])[0]
        return add(.batchNorm(momentum: 0.1, eps: 1e-5), "batchnorm", from: from, path: path, params: [
            ParamInfo(name: "weight", shape: [c], role: .gamma, trainable: true, initializer: .ones),
            ParamInfo(name: "bias", shape: [c], role: .beta, trainable: true, initializer: .zeros),
            ParamInfo(name: "running_mean", shape: [c], role: .runningMean, trainable: false, initializer: .zeros),
            ParamInfo(name: "running_var", shape: [c], role: .runningVar, trainable: false, initializer: .ones),
            ParamInfo(name: "num_batches_tracked", shape: [], role: .numBatchesTracked, trainable: false, initializer: .zeros),
        ])
    }

    @discardableResult
    mutating func relu(from: [Int]? = nil, path: String? = nil) -> Int {
        add(.activation(.relu, slope: 0, axis: 0), "relu", from: from, path: path)
    }

    func model() -> CheckedModel {
        CheckedModel(name: name, input: InputInfo(shape: input, dtype: .float32, channelsLast: false),
                     nodes: nodes, output: last, training: training)
    }
}

/// The tutorial's models and residual blocks with each regularizer.
enum Models {
    /// 784 → dense 256 → relu → dropout 0.5 → dense 256 → relu → dropout 0.5 → dense 10,
    /// cross-entropy with label smoothing 0.1, AdamW, batch 128.
    static func mlp() -> CheckedModel {
        var b = ModelBuilder("mnist_mlp", input: [784])
        b.training.batchSize = 128
        b.training.loss.labelSmoothing = 0.1
        b.training.optimizer.kind = .adamw
        for _ in 0..<2 {
            b.dense(256)
            b.relu()
            b.add(.dropout(p: 0.5, scaling: .inverted), "dropout")
        }
        b.dense(10)
        return b.model()
    }

    /// 1×28×28 → conv16 pad1 → bn → relu → maxpool2 → conv32 → bn → relu → maxpool2 → flatten → dense 10.
    static func cnn() -> CheckedModel {
        var b = ModelBuilder("mnist_cnn", input: [1, 28, 28])
        b.training.batchSize = 64
        for f in [16, 32] {
            b.conv(f)
            b.batchNorm()
            b.relu()
            b.add(.maxPool(size: [2, 2], stride: [2, 2], padding: [0, 0], ceilMode: false), "maxpool")
        }
        b.add(.flatten(startDim: 0), "flatten")
        b.dense(10)
        return b.model()
    }

    /// conv8 → bn → relu → a residual join of (conv-bn-relu-conv-bn) `join`ed to the stem →
    /// relu → global average pool → dense 10, on 1×8×8 inputs.
    static func residual(_ name: String, join: (inout ModelBuilder, _ shortcut: Int, _ block: String) -> Int) -> CheckedModel {
        var b = ModelBuilder(name, input: [1, 8, 8])
        b.training.batchSize = 32
        b.conv(8)
        b.batchNorm()
        let stem = b.relu()
        _ = join(&b, stem, String(b.nextIndex))
        b.nextIndex += 1
        b.relu()
        b.add(.globalAvgPool, "global_avgpool")
        b.dense(10)
        return b.model()
    }

    /// One conv-bn-relu-conv-bn branch under `prefix`.
    static func branch(_ b: inout ModelBuilder, from: Int, prefix: String) -> Int {
        b.conv(8, from: [from], path: prefix + ".0")
        b.batchNorm(path: prefix + ".1")
        b.relu(path: prefix + ".2")
        b.conv(8, path: prefix + ".3")
        return b.batchNorm(path: prefix + ".4")
    }

    static func stochasticDepth(mode: StochasticDepth.Mode = .batch) -> CheckedModel {
        residual("resnet_sd") { b, stem, block in
            let f = branch(&b, from: stem, prefix: block + ".body")
            return b.add(.residual(stochasticDepth: StochasticDepth(survival: 0.8, mode: mode)), "resblock/residual", from: [stem, f], path: block)
        }
    }

    static func shakeShake(backward: ShakeShake.Backward = .shake) -> CheckedModel {
        residual("shake_shake") { b, stem, block in
            let f1 = branch(&b, from: stem, prefix: block + ".branches.0")
            let f2 = branch(&b, from: stem, prefix: block + ".branches.1")
            return b.add(.shakeShake(ShakeShake(backward: backward)), "shake_shake", from: [stem, f1, f2], path: block)
        }
    }

    static func shakeDrop() -> CheckedModel {
        residual("shakedrop") { b, stem, block in
            let f = branch(&b, from: stem, prefix: block + ".body")
            return b.add(.shakeDrop(ShakeDrop(p: 0.5)), "shakedrop", from: [stem, f], path: block)
        }
    }
}
