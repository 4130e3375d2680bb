import Diagnostics

// The checker's output: a flat, typed, shape-annotated graph of layers with every block,
// repeat, residual and branch expanded. This is the contract between the front half (Syntax,
// Check) and the back half (IR lowering). Nothing here refers to the AST except source ranges.

/// One per-example dimension: a known size, or a name from the spec (`seq`) standing for any size.
public enum Dim: Hashable, Sendable, CustomStringConvertible {
    case fixed(Int)
    case symbol(String)

    public var value: Int? {
        if case .fixed(let n) = self { return n }
        return nil
    }

    public var description: String {
        switch self {
        case .fixed(let n): return String(n)
        case .symbol(let s): return s
        }
    }
}

/// How `sequence_pool` summarizes the steps.
public enum SequencePoolMode: String, Hashable, Sendable, CaseIterable {
    case mean, max, first
}

/// Zero padding of a per-example [C, H, W] after keeping every `stride`-th row and column:
/// amounts are (before, after) per axis, a negative amount crops. Shared by `pad_channels`
/// and the IR's `pad2d`.
public struct PadAmounts: Hashable, Sendable {
    public var channels: [Int]
    public var height: [Int]
    public var width: [Int]
    public var stride: Int
    public init(channels: [Int] = [0, 0], height: [Int] = [0, 0], width: [Int] = [0, 0], stride: Int = 1) {
        self.channels = channels
        self.height = height
        self.width = width
        self.stride = stride
    }

    /// The output [C, H, W] of an input [C, H, W]: ⌈H/s⌉ + top + bottom (the same for W), C + before + after.
    public func output(_ c: Int, _ h: Int, _ w: Int) -> [Int] {
        let sub = { (n: Int) in (n + stride - 1) / stride }
        return [c + channels[0] + channels[1], sub(h) + height[0] + height[1], sub(w) + width[0] + width[1]]
    }
}

/// A per-example shape; the batch dimension is implicit. Layout is channels-first (`[C, H, W]`).
public typealias Shape = [Dim]

public enum Activation: String, Hashable, Sendable, CaseIterable {
    case relu, gelu, tanh, sigmoid, softmax, identity
    case logSoftmax = "log_softmax"
    case leakyRelu = "leaky_relu"
    case elu, silu, selu
}

/// Regularization attributes of one parameter tensor, fully resolved (layer value, else
/// `defaults:`, else the optimizer's global value; biases and normalization parameters get
/// zero decay and penalties unless the spec asks otherwise).
public struct Regularization: Hashable, Sendable {
    /// Weight decay coefficient; whether it is coupled (added to the gradient) or decoupled
    /// (AdamW-style shrink) is `OptimizerConfig.decay`.
    public var weightDecay: Double = 0
    /// L1 penalty λ₁·Σ|w| added to the loss.
    public var l1: Double = 0
    /// L2 penalty λ₂·Σw² added to the loss (sum of squares, no ½, as Keras `L2`).
    public var l2: Double = 0
    /// Max-norm constraint c: after each step, each output unit's incoming weight vector is
    /// rescaled to norm ≤ c (PyTorch `renorm` semantics).
    public var maxNorm: Double? = nil
    /// Spectral-norm penalty λ (Yoshida & Miyato 2017): (λ/2)·σ_max(W)² added to the loss, W as
    /// the matrix [out, in·…].
    public var spectralPenalty: Double = 0
    /// Weight normalization (Salimans & Kingma 2016): w = g·v/‖v‖ per output unit.
    public var weightNorm: Bool = false
    /// Spectral normalization (Miyato et al. 2018): w / σ(w), one power iteration per step.
    public var spectralNorm: Bool = false
    /// DropConnect (Wan et al. 2013): the weight in use is w·m/(1−p), m ~ Bernoulli(1−p) per
    /// element and step (one mask for the batch); w at evaluation.
    public var dropConnect: Double = 0
    /// The attributes `regularize:` rules set, in resolution order, each with the rule's number
    /// in the list from 1 (for `summary --params`; the same in both formats, unlike a line).
    public var rules: [RuleSetting] = []
    /// Penalty strengths given as schedules, by attribute (`weight_decay`, `l1`, `l2`,
    /// `spectral_penalty`, the `scheduledPenalties`): λ(step) during training, while the number
    /// above holds the value the schedule ends at.
    public var schedules: [String: ScalarSchedule] = [:]
    /// Each schedule's slot in the training loop's table (`CheckedModel.scheduledArguments`),
    /// by attribute: empty in the checked model, set on the training graph's parameter inputs by
    /// lowering, where autodiff and the optimizer's tensors read it.
    public var slots: [String: Int] = [:]

    public init() {}

    /// The attributes that take a schedule, in the order of the loop's table.
    public static let scheduledPenalties = ["l1", "l2", "spectral_penalty", "weight_decay"]

    /// Attribute `a`'s strength, a number or the value its schedule ends at.
    public func strength(_ a: String) -> Double {
        switch a {
        case "weight_decay": return weightDecay
        case "l1": return l1
        case "l2": return l2
        case "spectral_penalty": return spectralPenalty
        default: preconditionFailure("'\(a)' is not a penalty strength")
        }
    }

    /// Whether attribute `a` acts at some step: a nonzero number, or a schedule (which may end
    /// at 0 and still act before).
    public func applies(_ a: String) -> Bool { strength(a) != 0 || schedules[a] != nil }
}

/// One attribute a `regularize:` rule set on a tensor.
public struct RuleSetting: Hashable, Sendable {
    public var attribute: String
    public var rule: Int
}

public enum ParamRole: String, Hashable, Sendable {
    case weight, bias
    /// Normalization scale γ and shift β.
    case gamma, beta
    /// Batchnorm running statistics (non-trainable buffers).
    case runningMean, runningVar
    case numBatchesTracked
    /// Weight normalization's magnitude g (`weight_g`, shape [out, 1, …]); the direction v is the
    /// `.weight` row named `weight_v`.
    case weightGain
    /// Spectral normalization's power-iteration vectors (`weight_u` [out], `weight_v` [in·kh·kw]);
    /// the trainable W is the `.weight` row named `weight_orig`.
    case spectralU, spectralV
    /// The spectral penalty's power-iteration vectors (`spectral_u` [out], `spectral_v` [in·…]),
    /// kept between steps as the paper's one iteration per step needs (Yoshida & Miyato 2017).
    case penaltyU, penaltyV

    /// Non-trainable state updated by the forward pass rather than by the optimizer.
    public var isBuffer: Bool {
        switch self {
        case .runningMean, .runningVar, .numBatchesTracked, .spectralU, .spectralV, .penaltyU, .penaltyV: return true
        default: return false
        }
    }
}

/// How a parameter is initialized (PyTorch's defaults per layer kind).
public enum ParamInit: Hashable, Sendable {
    /// U(−1/√fanIn, 1/√fanIn): PyTorch's default for dense/conv weights (`kaiming_uniform_(a=√5)`) and biases.
    case uniformFanIn(fanIn: Int)
    case normal(std: Double)
    /// U(−a, a) with a = √(6/(fanIn+fanOut)): PyTorch `xavier_uniform_` (MultiheadAttention's in_proj_weight).
    case xavierUniform(fanIn: Int, fanOut: Int)
    case zeros
    case ones
}

/// One parameter or buffer tensor, named as in the PyTorch `state_dict` of the equivalent
/// `nn.Sequential` (`0.weight`, `2.body.1.running_mean`), with PyTorch layouts
/// (dense weight `[out, in]`, conv weight `[out, in/groups, kh, kw]`).
public struct ParamInfo: Hashable, Sendable {
    public var name: String
    public var shape: [Int]
    public var role: ParamRole
    public var trainable: Bool
    public var initializer: ParamInit
    public var regularization: Regularization

    public init(name: String, shape: [Int], role: ParamRole, trainable: Bool,
                initializer: ParamInit, regularization: Regularization = Regularization()) {
        self.name = name
        self.shape = shape
        self.role = role
        self.trainable = trainable
        self.initializer = initializer
        self.regularization = regularization
    }

    public var count: Int { shape.reduce(1, *) }
}

/// Stochastic depth (Huang et al. 2016) on a residual branch.
public struct StochasticDepth: Hashable, Sendable {
    public enum Mode: String, Hashable, Sendable {
        /// The paper: one Bernoulli draw per block per mini-batch; eval scales the branch by p.
        case batch
        /// timm/torchvision DropPath: one draw per sample, kept branches scaled by 1/p; eval identity.
        case sample
    }
    /// Survival probability p ∈ (0, 1].
    public var survival: Double
    public var mode: Mode

    public init(survival: Double, mode: Mode) {
        self.survival = survival
        self.mode = mode
    }
}

/// Shake-Shake (Gastaldi 2017) mixing of two or more branches.
public struct ShakeShake: Hashable, Sendable {
    public enum Forward: String, Hashable, Sendable { case shake, even }
    public enum Backward: String, Hashable, Sendable { case shake, even, keep }
    public enum Level: String, Hashable, Sendable { case batch, image }
    public var forward: Forward = .shake
    public var backward: Backward = .shake
    public var level: Level = .image
    /// Stochastic depth on the mixed branches (both regularizers in one block): the mix is gated like a
    /// `residual` body before the shortcut is added.
    public var stochasticDepth: StochasticDepth?

    public init(forward: Forward = .shake, backward: Backward = .shake, level: Level = .image, stochasticDepth: StochasticDepth? = nil) {
        self.forward = forward
        self.backward = backward
        self.level = level
        self.stochasticDepth = stochasticDepth
    }
}

/// ShakeDrop (Yamada et al. 2019): G(x) = x + (b + α − bα)·F(x), b ~ Bernoulli(p).
public struct ShakeDrop: Hashable, Sendable {
    public enum Level: String, Hashable, Sendable { case batch, image }
    /// Probability that b = 1 (the branch behaves as a plain residual branch).
    public var p: Double
    public var alpha: ClosedRange<Double> = -1...1
    public var beta: ClosedRange<Double> = 0...1
    /// Granularity of α and β (b is drawn once per mini-batch, as the common PyTorch port).
    public var level: Level = .image
    /// Stochastic depth on the shaken branch, gated before the shortcut is added.
    public var stochasticDepth: StochasticDepth?

    public init(p: Double, alpha: ClosedRange<Double> = -1...1, beta: ClosedRange<Double> = 0...1, level: Level = .image) {
        self.p = p
        self.alpha = alpha
        self.beta = beta
        self.level = level
    }
}

public enum DropoutScaling: String, Hashable, Sendable {
    /// Train: x·m/(1−p); eval: identity (PyTorch, Keras).
    case inverted
    /// Train: x·m; eval: (1−p)·x (Srivastava et al. 2014; the tutorial's text).
    case classic
}

/// A primitive layer after checking. Inputs are node ids in `CheckedNode.inputs`.
public enum LayerOp: Hashable, Sendable {
    /// The model input; has no inputs.
    case input
    /// y = x·Wᵀ + b over the last axis. Weight `[units, in]`.
    case dense(units: Int, bias: Bool)
    /// Weight `[filters, in/groups, kh, kw]`; padding is explicit (`same` is resolved).
    case conv2d(filters: Int, kernel: [Int], stride: [Int], padding: [Int], dilation: [Int], groups: Int, bias: Bool)
    case maxPool(size: [Int], stride: [Int], padding: [Int], ceilMode: Bool)
    case avgPool(size: [Int], stride: [Int], padding: [Int], ceilMode: Bool)
    case globalAvgPool
    /// Nearest-neighbour upsampling by an integer factor.
    case upsample(scale: Int)
    /// Per-example axis permutation: output axis k is input axis `axes[k]`.
    case permute(axes: [Int])
    /// Zero padding (negative: cropping) of [C, H, W] after a spatial subsampling.
    case pad(PadAmounts)
    /// Flattens per-example axes from `startDim` (per-example axis index) on.
    case flatten(startDim: Int)
    /// Per-example target shape, -1 resolved.
    case reshape([Int])
    /// `slope` is leaky_relu's negative slope or elu's alpha; `axis` is softmax's per-example axis.
    case activation(Activation, slope: Double, axis: Int)
    case dropout(p: Double, scaling: DropoutScaling)
    /// One Bernoulli draw per (sample, channel).
    case spatialDropout(p: Double)
    /// `x + σ·n` (additive) or `x·(1 + σ·n)` (multiplicative), n ~ N(0, 1) per element.
    case gaussianNoise(std: Double, multiplicative: Bool)
    /// One Bernoulli draw per (sample, feature) of a `[seq, features]` input, shared by every step.
    case lockedDropout(p: Double)
    /// Dropped units set to SELU's saturation, then an affine map (Klambauer et al. 2017).
    case alphaDropout(p: Double)
    /// Zeroes `blockSize`² squares of each (sample, channel) map of `[C, H, W]`, rescaled by the
    /// batch's count/sum of the mask; `p` rises linearly over `scheduleSteps` steps when given
    /// (Ghiasi et al. 2018).
    case dropBlock(p: Double, blockSize: Int, scheduleSteps: Int?)
    /// Normalizes over every axis but the channel axis (per-example axis 0), PyTorch semantics.
    case batchNorm(momentum: Double, eps: Double)
    /// Normalizes over the trailing `normalizedShape.count` axes.
    case layerNorm(normalizedShape: [Int], eps: Double)
    /// Normalizes each example over each of `groups` groups of consecutive channels (axis 0).
    case groupNorm(groups: Int, eps: Double)
    /// Input is int32 token ids `[seq]`; output `[seq, dim]`.
    case embedding(vocab: Int, dim: Int, dropout: Double)
    /// Input `[seq, features]`, batch-first. Variational (per-sequence) `dropout` on inputs and
    /// `recurrentDropout` on h_{t−1}; zoneout on both h and c with probability `zoneout`.
    case lstm(units: Int, bidirectional: Bool, returnSequences: Bool, dropout: Double, recurrentDropout: Double, zoneout: Double)
    case gru(units: Int, bidirectional: Bool, returnSequences: Bool, dropout: Double, recurrentDropout: Double, zoneout: Double)
    /// Multi-head self-attention over `[seq, dim]` (PyTorch `nn.MultiheadAttention` parameters),
    /// dropout on the attention weights.
    case attention(heads: Int, dim: Int, dropout: Double, causal: Bool)
    /// [seq, features] → [features]: the mean, the maximum or the first step.
    case sequencePool(SequencePoolMode)
    /// [seq, features] + the sinusoidal table (Vaswani et al. 2017), no parameters.
    case positionalEncoding
    /// Elementwise sum of all inputs.
    case add
    /// Concatenation along a per-example axis.
    case concat(axis: Int)
    /// inputs = [shortcut, branch]: shortcut + gate·branch.
    case residual(stochasticDepth: StochasticDepth?)
    /// inputs = [shortcut, branch₁, …, branchₙ].
    case shakeShake(ShakeShake)
    /// inputs = [shortcut, branch].
    case shakeDrop(ShakeDrop)
}

/// One node of the checked graph.
public struct CheckedNode: Hashable, Sendable {
    public var id: Int
    public var op: LayerOp
    public var inputs: [Int]
    /// Per-example output shape.
    public var shape: Shape
    public var params: [ParamInfo]
    /// The `state_dict` prefix (`3`, `2.body.0`, `4.branches.1.2`); "" for the input.
    public var path: String
    /// The spec's `name:`, if given.
    public var name: String?
    /// The kind as the user wrote it, for summaries (`conv2d`, `relu`, `resblock/conv2d`).
    public var displayKind: String
    /// The layer that produced this node (for nodes synthesized from `activation:` arguments or
    /// residual joins, the layer that asked for them).
    public var range: SourceRange
    /// The block uses this node is part of, outermost first (empty outside `blocks:`); the
    /// code generator gives each its own Swift type.
    public var blocks: [BlockUse] = []
    /// Arguments given as schedules (`p`, `stochastic_depth`), by canonical name; `op` holds the
    /// value each ends at.
    public var schedules: [String: ScalarSchedule] = [:]

    public init(id: Int, op: LayerOp, inputs: [Int], shape: Shape, params: [ParamInfo] = [],
                path: String, name: String?, displayKind: String, range: SourceRange) {
        self.id = id
        self.op = op
        self.inputs = inputs
        self.shape = shape
        self.params = params
        self.path = path
        self.name = name
        self.displayKind = displayKind
        self.range = range
    }
}

/// One use of a user-defined block: an instance with its own parameters.
public struct BlockUse: Hashable, Sendable {
    /// The block's name under `blocks:`.
    public var block: String
    /// The `state_dict` prefix of this instance (`3`, `stage1`, `2.0.branches.1.0`).
    public var path: String
    /// The use (the layer that names the block).
    public var range: SourceRange
    /// The block's definition (its name under `blocks:`).
    public var definition: SourceRange

    public init(block: String, path: String, range: SourceRange, definition: SourceRange) {
        self.block = block
        self.path = path
        self.range = range
        self.definition = definition
    }
}

public enum DType: String, Hashable, Sendable { case float32, int32 }

public struct InputInfo: Hashable, Sendable {
    public var shape: Shape
    public var dtype: DType
    /// The spec's data format; the graph itself is always channels-first and readers transpose.
    public var channelsLast: Bool

    public init(shape: Shape, dtype: DType, channelsLast: Bool) {
        self.shape = shape
        self.dtype = dtype
        self.channelsLast = channelsLast
    }
}

/// A fully checked model: nodes in topological order, node 0 is the input.
public struct CheckedModel: Hashable, Sendable {
    public var name: String
    public var input: InputInfo
    public var nodes: [CheckedNode]
    /// The node whose output is the model's output (logits for cross-entropy).
    public var output: Int
    public var training: TrainingConfig

    public init(name: String, input: InputInfo, nodes: [CheckedNode], output: Int, training: TrainingConfig) {
        self.name = name
        self.input = input
        self.nodes = nodes
        self.output = output
        self.training = training
    }

    public var parameters: [ParamInfo] { nodes.flatMap(\.params) }

    /// Every scheduled argument of the graph in a fixed order (nodes in order; in a node, its
    /// arguments by name, then its parameters' scheduled penalty strengths in `state_dict` order,
    /// `argument` then reading `<parameter> <attribute>`, e.g. `0.weight l2`): the table the
    /// training loop evaluates once per step, indexed by slot.
    public var scheduledArguments: [(node: Int, argument: String, schedule: ScalarSchedule)] {
        nodes.flatMap { n in
            n.schedules.keys.sorted().compactMap { a in n.schedules[a].map { (n.id, a, $0) } }
                + n.params.flatMap { p in
                    Regularization.scheduledPenalties.compactMap { a in p.regularization.schedules[a].map { (n.id, p.name + " " + a, $0) } }
                }
        }
    }

    /// The slot of argument `argument` of node `node` in `scheduledArguments`, if it is scheduled.
    public func scheduleSlot(node: Int, argument: String) -> Int? {
        scheduledArguments.firstIndex { $0.node == node && $0.argument == argument }
    }

    /// The slot of penalty strength `attribute` (`weight_decay`, `l1`, `l2`, `spectral_penalty`)
    /// of the parameter named `parameter` in `scheduledArguments`, if it is scheduled.
    public func scheduleSlot(parameter: String, attribute: String) -> Int? {
        scheduledArguments.firstIndex { $0.argument == parameter + " " + attribute }
    }

    /// The number of classes the data's labels must fall in: K, the output's last axis
    /// (cross-entropy logits or one-hot targets), or 2 for one-hot targets of a single output
    /// (binary labels, the id itself is the target); nil when the labels are not class ids.
    public var labelClasses: Int? {
        guard nodes.indices.contains(output), let k = nodes[output].shape.last?.value else { return nil }
        switch (training.loss.kind, training.loss.targets) {
        case (.crossEntropy, _): return k
        case (_, .oneHot): return k == 1 ? 2 : k
        case (_, .classIds): return nil
        }
    }
}
