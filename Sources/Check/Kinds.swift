import Syntax

// The kinds table: every layer kind the checker knows, with its aliases, its primary argument
// (`dense: 256` means `units: 256`), and its arguments' names, aliases, types, defaults and ranges.
// Argument checking, `regula schema` and the docs are all generated from these rows.

/// Which checker rule handles a kind (shape inference, parameters, lowering to `LayerOp`).
public enum KindID: Hashable, Sendable {
    case dense, conv2d, maxPool, avgPool, globalAvgPool, upsample, flatten, reshape
    case activation(Activation)
    case dropout, spatialDropout, lockedDropout, gaussianNoise, gaussianDropout, alphaDropout, dropBlock, batchNorm, layerNorm, groupNorm, embedding, lstm, gru, attention
    case sequencePool, positionalEncoding
    case padChannels, shift, pad, crop, permute
    case add, concat, residual, shakeShake, shakeDrop
}

/// The type of an argument's value, as accepted in a spec.
public enum ArgType: Hashable, Sendable {
    case int
    /// An int or a float.
    case number
    case bool
    /// A string from `choices` (any string if empty).
    case choice([String])
    /// An int or a list of two ints (`kernel: 3`, `kernel: [3, 5]`).
    case intPair
    /// An int, a pair of ints, `same` or `valid`.
    case padding
    /// A list of ints (`reshape.shape`; one -1 allowed).
    case intList
    /// An int or a list of ints (`layernorm.shape`).
    case intOrList
    /// One layer list (`body:`, `shortcut:`).
    case layers
    /// A list of layer lists (`branches:`).
    case branches
    /// A survival probability, or `{survival: p, mode: batch|sample}`.
    case survival
    /// A pair of numbers `[lo, hi]` (ShakeDrop's α and β ranges).
    case numberRange
    /// `shortcut:` — a layer list, or `none` for no skip connection.
    case shortcut

    /// How the type reads in a diagnostic ("expected an integer").
    var phrase: String {
        switch self {
        case .int: return "an integer"
        case .number: return "a number"
        case .bool: return "true or false"
        case .choice(let c): return c.isEmpty ? "a string" : "one of " + c.joined(separator: ", ")
        case .intPair: return "an integer or a list of two integers"
        case .padding: return "an integer, a list of two integers, 'same' or 'valid'"
        case .intList: return "a list of integers"
        case .intOrList: return "an integer or a list of integers"
        case .layers: return "a list of layers"
        case .branches: return "a list of layer lists"
        case .survival: return "a survival probability or {survival, mode}"
        case .numberRange: return "a list of two numbers"
        case .shortcut: return "a list of layers or 'none'"
        }
    }
}

/// The allowed values of a numeric argument.
public enum ArgRange: Hashable, Sendable {
    case positive          // x > 0
    case nonNegative       // x ≥ 0
    case dropRate          // 0 ≤ p < 1
    case probability       // 0 ≤ p ≤ 1
    case survival          // 0 < p ≤ 1
    case gtMinusOne        // x ≥ -1 (flatten start_dim, concat axis: -1 is the last axis)

    func contains(_ x: Double) -> Bool {
        switch self {
        case .positive: return x > 0
        case .nonNegative: return x >= 0
        case .dropRate: return x >= 0 && x < 1
        case .probability: return x >= 0 && x <= 1
        case .survival: return x > 0 && x <= 1
        case .gtMinusOne: return x >= -1
        }
    }

    var phrase: String {
        switch self {
        case .positive: return "must be positive"
        case .nonNegative: return "must not be negative"
        case .dropRate: return "must be in [0, 1)"
        case .probability: return "must be in [0, 1]"
        case .survival: return "must be in (0, 1]"
        case .gtMinusOne: return "must be -1 or more"
        }
    }
}

/// A typed, checked argument value.
public enum ArgValue: Equatable {
    case int(Int)
    case number(Double)
    case bool(Bool)
    case string(String)
    case ints([Int])
    case layers([LayerItem])
    case branches([[LayerItem]])
    case survival(Double, StochasticDepth.Mode)
    case range(Double, Double)
    /// `padding: same|valid` (ints are `.ints`).
    case keyword(String)
    /// `shortcut: none`.
    case none

    public var intValue: Int? { if case .int(let i) = self { return i }; return nil }
    /// A number, or an int read as one.
    public var numberValue: Double? {
        switch self {
        case .number(let d): return d
        case .int(let i): return Double(i)
        default: return nil
        }
    }
    public var boolValue: Bool? { if case .bool(let b) = self { return b }; return nil }
    public var stringValue: String? { if case .string(let s) = self { return s }; return nil }
}

public struct ArgSpec: Sendable {
    public var name: String
    public var aliases: [String]
    public var type: ArgType
    public var range: ArgRange?
    public var required: Bool
    /// The value an omitted argument takes (PyTorch's default), if it has a fixed one.
    public var defaultValue: ArgDefault?
    public var doc: String
    /// Takes a schedule map as well as a number (`p: {schedule: linear, from: 0, to: 0.3, epochs: 5}`).
    public var schedulable: Bool

    /// How the type reads in the reference ("a number or a schedule").
    var typePhrase: String { type.phrase + (schedulable ? " or a schedule" : "") }

    init(_ name: String, _ type: ArgType, aliases: [String] = [], range: ArgRange? = nil,
         required: Bool = false, default defaultValue: ArgDefault? = nil, schedulable: Bool = false, doc: String = "") {
        self.name = name
        self.schedulable = schedulable
        self.type = type
        self.aliases = aliases
        self.range = range
        self.required = required
        self.defaultValue = defaultValue
        self.doc = doc
    }
}

/// A default argument value, as the table writes it.
public enum ArgDefault: Hashable, Sendable {
    case int(Int), number(Double), bool(Bool), string(String), pair(Int), range(Double, Double)

    var value: ArgValue {
        switch self {
        case .int(let i): return .int(i)
        case .number(let d): return .number(d)
        case .bool(let b): return .bool(b)
        case .string(let s): return .string(s)
        case .pair(let i): return .ints([i, i])
        case .range(let lo, let hi): return .range(lo, hi)
        }
    }

    /// How the default reads in docs (`0.5`, `[1, 1]`, `inverted`).
    var text: String {
        switch self {
        case .int(let i): return String(i)
        case .number(let d): return formatNumber(d)
        case .bool(let b): return String(b)
        case .string(let s): return s
        case .pair(let i): return "\(i)"
        case .range(let lo, let hi): return "[\(formatNumber(lo)), \(formatNumber(hi))]"
        }
    }
}

public struct KindSpec: Sendable {
    public var name: String
    public var aliases: [String]
    public var id: KindID
    /// The argument a positional value fills.
    public var primary: String?
    public var args: [ArgSpec]
    /// Has parameters, so it takes the regularization attributes too.
    public var parametric: Bool
    public var doc: String

    public func arg(_ name: String) -> ArgSpec? {
        args.first { $0.name == name || $0.aliases.contains(name) }
    }
}

/// Regularization attributes, accepted by every parametric kind and in `defaults:`.
public let regularizationArgs: [ArgSpec] = [
    ArgSpec("weight_decay", .number, range: .nonNegative, schedulable: true, doc: "weight decay coefficient (the optimizer's decay meaning)"),
    ArgSpec("l1", .number, range: .nonNegative, schedulable: true, doc: "L1 penalty λ₁·Σ|w|"),
    ArgSpec("l2", .number, range: .nonNegative, schedulable: true, doc: "L2 penalty λ₂·Σw² (no ½)"),
    ArgSpec("max_norm", .number, range: .positive, doc: "max-norm constraint per output unit"),
    ArgSpec("spectral_penalty", .number, range: .nonNegative, schedulable: true,
            doc: "spectral-norm penalty (λ/2)·σ_max(W)² (Yoshida & Miyato 2017), σ by power iteration on W as [out, in·…]"),
    ArgSpec("weight_norm", .bool, doc: "weight normalization w = g·v/‖v‖"),
    ArgSpec("spectral_norm", .bool, doc: "spectral normalization w/σ(w)"),
    ArgSpec("dropconnect", .number, range: .dropRate,
            doc: "DropConnect (Wan et al. 2013): each weight dropped with probability p at every step, the kept ones scaled by 1/(1−p); the full weight at evaluation"),
    ArgSpec("decay_bias", .bool, doc: "also apply decay and penalties to biases (not recommended)"),
    ArgSpec("decay_norm", .bool, doc: "also apply decay and penalties to normalization scale and shift (not recommended)"),
]

/// The attributes a normalization layer takes: decay and penalties on its scale and shift.
/// Max-norm, weight and spectral normalization act on a weight matrix, which a norm layer lacks,
/// and `decay_bias` on a bias, whose role its shift already has (`decay_norm` covers both).
let normRegularizationArgs: [ArgSpec] = regularizationArgs.filter { ["weight_decay", "l1", "l2", "decay_norm"].contains($0.name) }

/// Why a regularization attribute is refused on a kind that does not take it.
func regularizationNotApplicable(_ attribute: String, _ kind: KindSpec) -> String? {
    guard regularizationArgs.contains(where: { $0.name == attribute }) else { return nil }
    switch kind.id {
    case .batchNorm, .layerNorm, .groupNorm:
        return attribute == "decay_bias" ? "a normalization layer's shift is decayed with decay_norm"
                                         : "a normalization layer has no weight matrix; \(attribute) applies to dense and conv2d weights"
    case _ where !kind.parametric:
        return "'\(kind.name)' has no parameters"
    case _ where attribute == "decay_norm":
        return "it has no normalization parameters; decay_norm applies to batchnorm, layernorm and groupnorm (or to all of them in defaults:)"
    case .embedding where attribute == "decay_bias":
        return "an embedding has no bias"
    default:
        return nil
    }
}

private let activationNames = Activation.allCases.map(\.rawValue)

private func activationKind(_ a: Activation) -> KindSpec {
    var args: [ArgSpec] = []
    switch a {
    case .leakyRelu: args = [ArgSpec("slope", .number, aliases: ["negative_slope"], range: .nonNegative, default: .number(0.01))]
    case .elu: args = [ArgSpec("alpha", .number, range: .nonNegative, default: .number(1))]
    case .softmax, .logSoftmax: args = [ArgSpec("axis", .int, aliases: ["dim"], range: .gtMinusOne, default: .int(-1), doc: "per-example axis, -1 = last")]
    default: break
    }
    return KindSpec(name: a.rawValue, aliases: [], id: .activation(a), primary: args.first?.name, args: args,
                    parametric: false, doc: "\(a.rawValue) activation")
}

/// Every kind, in documentation order.
public let kindTable: [KindSpec] = ([
    KindSpec(name: "dense", aliases: ["linear"], id: .dense, primary: "units", args: [
        ArgSpec("units", .int, aliases: ["out_features"], range: .positive, required: true),
        ArgSpec("in", .int, aliases: ["in_features"], range: .positive, doc: "declared input size, checked"),
        ArgSpec("bias", .bool, default: .bool(true)),
        ArgSpec("activation", .choice(activationNames), doc: "adds a separate activation layer"),
    ], parametric: true, doc: "fully connected layer over the last axis"),
    KindSpec(name: "conv2d", aliases: ["conv"], id: .conv2d, primary: "filters", args: [
        ArgSpec("filters", .int, aliases: ["out_channels"], range: .positive, required: true),
        ArgSpec("in_channels", .int, range: .positive, doc: "declared input channels, checked"),
        ArgSpec("kernel", .intPair, aliases: ["kernel_size"], range: .positive, required: true),
        ArgSpec("stride", .intPair, range: .positive, default: .pair(1)),
        ArgSpec("padding", .padding, range: .nonNegative, default: .pair(0)),
        ArgSpec("dilation", .intPair, range: .positive, default: .pair(1)),
        ArgSpec("groups", .int, range: .positive, default: .int(1)),
        ArgSpec("bias", .bool, default: .bool(true)),
        ArgSpec("activation", .choice(activationNames)),
    ], parametric: true, doc: "2-D convolution over [C, H, W]"),
    KindSpec(name: "maxpool", aliases: ["maxpool2d"], id: .maxPool, primary: "size", args: [
        ArgSpec("size", .intPair, aliases: ["kernel", "kernel_size", "pool_size"], range: .positive, required: true),
        ArgSpec("stride", .intPair, range: .positive, doc: "defaults to size"),
        ArgSpec("padding", .intPair, range: .nonNegative, default: .pair(0)),
        ArgSpec("ceil_mode", .bool, default: .bool(false)),
    ], parametric: false, doc: "2-D max pooling"),
    KindSpec(name: "avgpool", aliases: ["avgpool2d"], id: .avgPool, primary: "size", args: [
        ArgSpec("size", .intPair, aliases: ["kernel", "kernel_size", "pool_size"], range: .positive, required: true),
        ArgSpec("stride", .intPair, range: .positive, doc: "defaults to size"),
        ArgSpec("padding", .intPair, range: .nonNegative, default: .pair(0)),
        ArgSpec("ceil_mode", .bool, default: .bool(false)),
    ], parametric: false, doc: "2-D average pooling"),
    KindSpec(name: "global_avgpool", aliases: ["global_avgpool2d"], id: .globalAvgPool, primary: nil, args: [],
             parametric: false, doc: "mean over the spatial axes: [C, H, W] → [C]"),
    KindSpec(name: "upsample", aliases: [], id: .upsample, primary: "scale", args: [
        ArgSpec("scale", .int, aliases: ["scale_factor"], range: .positive, required: true),
    ], parametric: false, doc: "nearest-neighbour upsampling"),
    KindSpec(name: "pad_channels", aliases: [], id: .padChannels, primary: "channels", args: [
        ArgSpec("channels", .int, range: .positive, required: true, doc: "output channels, at least the input's"),
        ArgSpec("stride", .int, range: .positive, default: .int(1), doc: "keeps every stride-th row and column, x[:, ::s, ::s]"),
        ArgSpec("placement", .choice(["end", "both"]), default: .string("end"),
                doc: "zeros after the input channels (PyramidNet), or split before and after (the CIFAR ResNet option A)"),
    ], parametric: false, doc: "parameter-free shortcut: subsamples [C, H, W] by stride and zero-pads the channels (He et al. 2016 option A, Han et al. 2017)"),
    KindSpec(name: "shift", aliases: [], id: .shift, primary: nil, args: [
        ArgSpec("x", .int, default: .int(0), doc: "columns the content moves right (negative: left)"),
        ArgSpec("y", .int, default: .int(0), doc: "rows the content moves down (negative: up)"),
    ], parametric: false, doc: "moves [C, H, W] by whole pixels with zero fill, as torch.roll without the wrap-around; Shake-Shake's shortcut uses x: -1, y: -1 (Gastaldi 2017)"),
    KindSpec(name: "pad", aliases: ["zero_pad", "zeropad2d"], id: .pad, primary: nil, args: [
        ArgSpec("top", .int, range: .nonNegative, default: .int(0), doc: "rows of zeros above"),
        ArgSpec("bottom", .int, range: .nonNegative, default: .int(0), doc: "rows of zeros below"),
        ArgSpec("left", .int, range: .nonNegative, default: .int(0), doc: "columns of zeros on the left"),
        ArgSpec("right", .int, range: .nonNegative, default: .int(0), doc: "columns of zeros on the right"),
    ], parametric: false, doc: "zero padding of [C, H, W] (PyTorch ZeroPad2d, Keras ZeroPadding2D)"),
    KindSpec(name: "crop", aliases: ["cropping2d"], id: .crop, primary: nil, args: [
        ArgSpec("top", .int, range: .nonNegative, default: .int(0), doc: "rows removed above"),
        ArgSpec("bottom", .int, range: .nonNegative, default: .int(0), doc: "rows removed below"),
        ArgSpec("left", .int, range: .nonNegative, default: .int(0), doc: "columns removed on the left"),
        ArgSpec("right", .int, range: .nonNegative, default: .int(0), doc: "columns removed on the right"),
    ], parametric: false, doc: "removes rows and columns from the edges of [C, H, W] (Keras Cropping2D), the inverse of pad"),
    KindSpec(name: "permute", aliases: ["transpose"], id: .permute, primary: "axes", args: [
        ArgSpec("axes", .intList, required: true, doc: "output axis k is input axis axes[k], per example (the batch stays first)"),
    ], parametric: false, doc: "per-example axis permutation, e.g. [seq, features] → [features, seq] with [1, 0] (torch.permute, Keras Permute with 0-based axes)"),
    KindSpec(name: "flatten", aliases: [], id: .flatten, primary: "start_dim", args: [
        ArgSpec("start_dim", .int, range: .nonNegative, default: .int(0), doc: "per-example axis to flatten from"),
    ], parametric: false, doc: "flattens per-example axes"),
    KindSpec(name: "reshape", aliases: ["view"], id: .reshape, primary: "shape", args: [
        ArgSpec("shape", .intList, required: true, doc: "per-example shape, one -1 allowed"),
    ], parametric: false, doc: "per-example reshape"),
] + Activation.allCases.map(activationKind) + [
    KindSpec(name: "dropout", aliases: [], id: .dropout, primary: "p", args: [
        ArgSpec("p", .number, aliases: ["rate"], range: .dropRate, default: .number(0.5), schedulable: true, doc: "drop probability"),
        ArgSpec("scaling", .choice(["inverted", "classic"]), default: .string("inverted")),
    ], parametric: false, doc: "dropout (Srivastava et al. 2014)"),
    KindSpec(name: "spatial_dropout", aliases: ["dropout2d"], id: .spatialDropout, primary: "p", args: [
        ArgSpec("p", .number, aliases: ["rate"], range: .dropRate, default: .number(0.5), schedulable: true),
    ], parametric: false, doc: "channel dropout: whole channels of [C, H, W] (Tompson et al. 2015), whole features of a [seq, features] sequence (Keras SpatialDropout1D)"),
    KindSpec(name: "sequence_pool", aliases: [], id: .sequencePool, primary: "mode", args: [
        ArgSpec("mode", .choice(["mean", "max", "first"]), default: .string("mean"),
                doc: "mean or max over the steps (Keras GlobalAveragePooling1D, GlobalMaxPooling1D), or the first step ([CLS])"),
    ], parametric: false, doc: "pools a sequence to one vector: [seq, features] → [features]"),
    KindSpec(name: "positional_encoding", aliases: [], id: .positionalEncoding, primary: nil, args: [],
             parametric: false, doc: "adds the sinusoidal positions of Vaswani et al. 2017 to [seq, features]: sin(t/10000^(2i/F)) on even features, cos on odd"),
    KindSpec(name: "locked_dropout", aliases: [], id: .lockedDropout, primary: "p", args: [
        ArgSpec("p", .number, aliases: ["rate"], range: .dropRate, default: .number(0.5), schedulable: true, doc: "drop probability"),
    ], parametric: false, doc: "dropout with one mask per sequence over [seq, features], shared by every step (AWD-LSTM LockedDropout, Keras SpatialDropout1D)"),
    KindSpec(name: "gaussian_noise", aliases: [], id: .gaussianNoise, primary: "stddev", args: [
        ArgSpec("stddev", .number, aliases: ["std"], range: .positive, required: true, doc: "σ of the additive noise"),
    ], parametric: false, doc: "additive Gaussian noise x + σ·n in training, identity at evaluation (Keras GaussianNoise)"),
    KindSpec(name: "gaussian_dropout", aliases: [], id: .gaussianDropout, primary: "p", args: [
        ArgSpec("p", .number, aliases: ["rate"], range: .dropRate, required: true, doc: "drop rate whose dropout variance the noise has"),
    ], parametric: false, doc: "multiplicative Gaussian noise x·(1 + σ·n), σ = √(p/(1−p)), identity at evaluation (Srivastava et al. 2014)"),
    KindSpec(name: "alpha_dropout", aliases: [], id: .alphaDropout, primary: "p", args: [
        ArgSpec("p", .number, aliases: ["rate"], range: .dropRate, default: .number(0.5), schedulable: true, doc: "drop probability"),
    ], parametric: false, doc: "alpha dropout for SELU networks, keeps mean 0 and variance 1 (Klambauer et al. 2017)"),
    KindSpec(name: "dropblock", aliases: [], id: .dropBlock, primary: "p", args: [
        ArgSpec("p", .number, aliases: ["rate"], range: .dropRate, default: .number(0.1), schedulable: true, doc: "drop probability 1 − keep_prob (the target of schedule_steps)"),
        ArgSpec("block_size", .int, range: .positive, default: .int(7), doc: "side of the dropped squares; must fit the feature map"),
        ArgSpec("schedule_steps", .int, range: .positive, doc: "optimizer steps over which p rises linearly from 0 (constant without)"),
    ], parametric: false, doc: "DropBlock: zeroes block_size² squares of each channel of [C, H, W], one mask per (example, channel), rescaled by count/sum of the batch's mask (Ghiasi et al. 2018)"),
    KindSpec(name: "batchnorm", aliases: ["batchnorm1d", "batchnorm2d"], id: .batchNorm, primary: "features", args: [
        ArgSpec("features", .int, aliases: ["num_features"], range: .positive, doc: "declared channels, checked"),
        ArgSpec("momentum", .number, range: .probability, default: .number(0.1), doc: "PyTorch convention: the weight of the new value"),
        ArgSpec("eps", .number, range: .positive, default: .number(1e-5)),
    ] + normRegularizationArgs, parametric: true, doc: "batch normalization over the channel axis (Ioffe & Szegedy 2015)"),
    KindSpec(name: "layernorm", aliases: [], id: .layerNorm, primary: "shape", args: [
        ArgSpec("shape", .intOrList, aliases: ["normalized_shape"], range: .positive, doc: "declared trailing shape, checked (default last dim)"),
        ArgSpec("eps", .number, range: .positive, default: .number(1e-5)),
    ] + normRegularizationArgs, parametric: true, doc: "layer normalization (Ba et al. 2016)"),
    KindSpec(name: "groupnorm", aliases: [], id: .groupNorm, primary: "groups", args: [
        ArgSpec("groups", .int, aliases: ["num_groups"], range: .positive, required: true, doc: "channel groups; must divide the channels"),
        ArgSpec("channels", .int, aliases: ["num_channels"], range: .positive, doc: "declared channels, checked"),
        ArgSpec("eps", .number, range: .positive, default: .number(1e-5)),
    ] + normRegularizationArgs, parametric: true,
             doc: "group normalization over groups of channels of [C, …], per example (Wu & He 2018); groups 1 is layer norm over [C, …], groups C instance norm"),
    KindSpec(name: "embedding", aliases: [], id: .embedding, primary: "vocab", args: [
        ArgSpec("vocab", .int, aliases: ["num_embeddings"], range: .positive, required: true),
        ArgSpec("dim", .int, aliases: ["embedding_dim"], range: .positive, required: true),
        ArgSpec("embedding_dropout", .number, range: .dropRate, default: .number(0),
                doc: "drops whole words: each row of the table with probability p per step, the kept rows scaled by 1/(1−p) (Gal & Ghahramani 2016, AWD-LSTM)"),
    ], parametric: true, doc: "token embedding: int32 [seq] → [seq, dim]"),
    KindSpec(name: "lstm", aliases: [], id: .lstm, primary: "units", args: recurrentArgs,
             parametric: true, doc: "LSTM over [seq, features]"),
    KindSpec(name: "gru", aliases: [], id: .gru, primary: "units", args: recurrentArgs,
             parametric: true, doc: "GRU over [seq, features]"),
    KindSpec(name: "attention", aliases: ["mha"], id: .attention, primary: "heads", args: [
        ArgSpec("heads", .int, aliases: ["num_heads"], range: .positive, required: true),
        ArgSpec("dim", .int, aliases: ["embed_dim"], range: .positive, doc: "declared model width, checked"),
        ArgSpec("dropout", .number, range: .dropRate, default: .number(0), doc: "dropout on the attention weights"),
        ArgSpec("causal", .bool, default: .bool(false)),
    ], parametric: true, doc: "multi-head self-attention over [seq, dim]"),
    KindSpec(name: "add", aliases: [], id: .add, primary: nil, args: [], parametric: false,
             doc: "elementwise sum of the `from:` inputs"),
    KindSpec(name: "concat", aliases: ["cat"], id: .concat, primary: "axis", args: [
        ArgSpec("axis", .int, aliases: ["dim"], range: .gtMinusOne, default: .int(0), doc: "per-example axis, 0 = channels"),
    ], parametric: false, doc: "concatenation of the `from:` inputs"),
    KindSpec(name: "residual", aliases: [], id: .residual, primary: "body", args: [
        ArgSpec("body", .layers, required: true),
        ArgSpec("shortcut", .shortcut, doc: "default identity; `none` for no skip connection"),
        ArgSpec("skip", .bool, doc: "false: no skip connection at all, the block is its body alone (for ablations)"),
        ArgSpec("stochastic_depth", .survival, range: .survival, schedulable: true, doc: "survival probability (Huang et al. 2016)"),
    ], parametric: false, doc: "shortcut + body"),
    KindSpec(name: "shake_shake", aliases: [], id: .shakeShake, primary: "branches", args: [
        ArgSpec("branches", .branches, required: true),
        ArgSpec("shortcut", .layers),
        ArgSpec("forward", .choice(["shake", "even"]), default: .string("shake")),
        ArgSpec("backward", .choice(["shake", "even", "keep"]), default: .string("shake")),
        ArgSpec("level", .choice(["batch", "image"]), default: .string("image")),
        ArgSpec("stochastic_depth", .survival, range: .survival, schedulable: true, doc: "survival probability of the mixed branches (as residual)"),
    ], parametric: false, doc: "Shake-Shake branch mixing (Gastaldi 2017)"),
    KindSpec(name: "shakedrop", aliases: [], id: .shakeDrop, primary: "body", args: [
        ArgSpec("body", .layers, required: true),
        ArgSpec("p", .number, range: .survival, default: .number(0.5), doc: "probability the branch is kept as a plain residual"),
        ArgSpec("shortcut", .layers),
        ArgSpec("alpha", .numberRange, default: .range(-1, 1)),
        ArgSpec("beta", .numberRange, default: .range(0, 1)),
        ArgSpec("level", .choice(["batch", "image"]), default: .string("image")),
        ArgSpec("stochastic_depth", .survival, range: .survival, schedulable: true, doc: "survival probability of the shaken branch (as residual)"),
    ], parametric: false, doc: "ShakeDrop (Yamada et al. 2019)"),
]).map { k in
    // Parametric layers take the regularization attributes, but for `decay_norm` (normalization
    // layers list theirs) and, on layers without a bias, `decay_bias`.
    guard k.parametric, k.arg("weight_decay") == nil else { return k }
    var k = k
    k.args += regularizationArgs.filter { a in a.name != "decay_norm" && !(a.name == "decay_bias" && k.id == .embedding) }
    return k
}

private let recurrentArgs: [ArgSpec] = [
    ArgSpec("units", .int, aliases: ["hidden", "hidden_size"], range: .positive, required: true),
    ArgSpec("in", .int, aliases: ["input_size"], range: .positive, doc: "declared input features, checked"),
    ArgSpec("bidirectional", .bool, default: .bool(false)),
    ArgSpec("return_sequences", .bool, default: .bool(false)),
    ArgSpec("dropout", .number, range: .dropRate, default: .number(0), doc: "variational dropout on the inputs (Gal & Ghahramani 2016)"),
    ArgSpec("recurrent_dropout", .number, range: .dropRate, default: .number(0), doc: "variational dropout on h(t-1)"),
    ArgSpec("zoneout", .number, range: .dropRate, default: .number(0), doc: "zoneout probability (Krueger et al. 2017)"),
    ArgSpec("weight_drop", .number, range: .dropRate, default: .number(0),
            doc: "AWD-LSTM weight drop (Merity et al. 2018): DropConnect on the hidden-to-hidden weights, a new mask every step"),
]

/// Kinds by every name they answer to.
let kindsByName: [String: KindSpec] = {
    var table: [String: KindSpec] = [:]
    for k in kindTable {
        table[k.name] = k
        for a in k.aliases { table[a] = k }
    }
    return table
}()

/// Every name a kind answers to (for did-you-mean and the schema).
let allKindNames: [String] = kindTable.flatMap { [$0.name] + $0.aliases }

/// The name of the argument a positional value fills for `kind` (a name or alias), if any; for
/// printers that must spell it out (`regula convert` to YAML).
public func primaryArgumentName(ofKind kind: String) -> String? {
    kindsByName[kind]?.primary
}
