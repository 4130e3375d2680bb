import Check

/// Convolution geometry (NCHW input, weight `[OC, C/groups, KH, KW]`, PyTorch semantics).
public struct Conv2DAttrs: Hashable, Sendable {
    public var stride: [Int]
    public var padding: [Int]
    public var dilation: [Int]
    public var groups: Int
    public init(stride: [Int] = [1, 1], padding: [Int] = [0, 0], dilation: [Int] = [1, 1], groups: Int = 1) {
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.groups = groups
    }
}

/// Pooling window (NCHW, PyTorch semantics; average pooling counts padding, as PyTorch's default).
public struct Pool2DAttrs: Hashable, Sendable {
    public var size: [Int]
    public var stride: [Int]
    public var padding: [Int]
    public var ceilMode: Bool
    public init(size: [Int], stride: [Int], padding: [Int] = [0, 0], ceilMode: Bool = false) {
        self.size = size
        self.stride = stride
        self.padding = padding
        self.ceilMode = ceilMode
    }
}

/// Shake-Shake coefficients (Gastaldi 2017). Forward draws α from `forwardKey`, backward draws
/// β from `backwardKey`; the keys differ unless `backward == .keep` (β = α). With two branches
/// the coefficients are (α, 1−α); with n they are uᵢ/Σu of n uniform draws.
public struct ShakeAttrs: Hashable, Sendable {
    public var branches: Int
    public var forward: ShakeShake.Forward
    public var backward: ShakeShake.Backward
    public var level: ShakeShake.Level
    public var forwardKey: RngKey
    public var backwardKey: RngKey
    public init(branches: Int, forward: ShakeShake.Forward, backward: ShakeShake.Backward, level: ShakeShake.Level,
                forwardKey: RngKey, backwardKey: RngKey) {
        self.branches = branches
        self.forward = forward
        self.backward = backward
        self.level = level
        self.forwardKey = forwardKey
        self.backwardKey = backwardKey
    }
}

/// ShakeDrop (Yamada et al. 2019): gate b ~ Bernoulli(p) once per batch from `gateKey` (shared by
/// forward and backward), α ~ U(alpha) from `forwardKey`, β ~ U(beta) from `backwardKey`, per
/// sample at `.image` level.
public struct ShakeDropAttrs: Hashable, Sendable {
    public var p: Double
    public var alpha: ClosedRange<Double>
    public var beta: ClosedRange<Double>
    public var level: ShakeDrop.Level
    public var gateKey: RngKey
    public var forwardKey: RngKey
    public var backwardKey: RngKey
    public init(p: Double, alpha: ClosedRange<Double>, beta: ClosedRange<Double>, level: ShakeDrop.Level,
                gateKey: RngKey, forwardKey: RngKey, backwardKey: RngKey) {
        self.p = p
        self.alpha = alpha
        self.beta = beta
        self.level = level
        self.gateKey = gateKey
        self.forwardKey = forwardKey
        self.backwardKey = backwardKey
    }
}

/// Whole-sequence LSTM/GRU (batch-first input `[N, T, F]`, PyTorch parameter layout and order).
public struct RecurrentAttrs: Hashable, Sendable {
    public var units: Int
    public var bidirectional: Bool
    public var returnSequences: Bool
    public var dropout: Double
    public var recurrentDropout: Double
    public var zoneout: Double
    /// Draws the variational dropout masks (per sequence) and zoneout masks (per step).
    public var key: RngKey?
    /// False in inference graphs: no masks, zoneout by its expectation, no workspace output.
    public var train: Bool
    public init(units: Int, bidirectional: Bool, returnSequences: Bool, dropout: Double,
                recurrentDropout: Double, zoneout: Double, key: RngKey?, train: Bool) {
        self.units = units
        self.bidirectional = bidirectional
        self.returnSequences = returnSequences
        self.dropout = dropout
        self.recurrentDropout = recurrentDropout
        self.zoneout = zoneout
        self.key = key
        self.train = train
    }
    public var directions: Int { bidirectional ? 2 : 1 }
}

/// Multi-head self-attention over `[N, T, D]` with `nn.MultiheadAttention` parameters
/// (`in_proj_weight [3D, D]`, `in_proj_bias [3D]`, `out_proj.weight [D, D]`, `out_proj.bias [D]`).
public struct AttentionAttrs: Hashable, Sendable {
    public var heads: Int
    public var dim: Int
    public var dropout: Double
    public var causal: Bool
    /// Draws the dropout mask on the attention weights.
    public var key: RngKey?
    public var train: Bool
    public init(heads: Int, dim: Int, dropout: Double, causal: Bool, key: RngKey?, train: Bool) {
        self.heads = heads
        self.dim = dim
        self.dropout = dropout
        self.causal = causal
        self.key = key
        self.train = train
    }
}

/// Cross-entropy target smoothing (Szegedy et al. 2016): ε with the uniform (ε/K) or
/// off-target (ε/(K−1)) variant.
public struct Smoothing: Hashable, Sendable {
    public var epsilon: Double
    public var variant: LossConfig.SmoothingVariant
    public init(epsilon: Double, variant: LossConfig.SmoothingVariant) {
        self.epsilon = epsilon
        self.variant = variant
    }
}

/// A number a spec may schedule over training (dropout's p, stochastic depth's survival, a
/// penalty's λ).
///
/// `value` is the constant, or the value the schedule ends at, which evaluation graphs and export
/// use. In a training graph a scheduled rate also names its `slot` in the training loop's table
/// of scheduled values (`TrainingRecipe.scheduled`, in `CheckedModel.scheduledArguments`
/// order): the loop evaluates every schedule once per step, before the step, and the
/// interpreter and generated code read the slot, so a forward op and its backward see the same
/// value and a resumed run sees the value of an uninterrupted one.
public struct Rate: Hashable, Sendable, CustomStringConvertible {
    public var value: Double
    public var slot: Int?

    public init(_ value: Double, slot: Int? = nil) {
        self.value = value
        self.slot = slot
    }

    /// `0.3`, or `schedule#0→0.3` for slot 0 ending at 0.3.
    public var description: String { slot.map { "schedule#\($0)→\(value)" } ?? "\(value)" }
}

/// The primitive ops. Operand order is part of each op's contract and documented per case;
/// shape and gradient rules live in `Rules/`, one row per case.
public enum Op: Hashable, Sendable {
    // MARK: Dense algebra
    /// [A, B] → C = op(A)·op(B), A viewed as 2-D (all leading axes × last). Without `transA`
    /// the leading axes of A are kept; with it they are contracted (dW = dyᵀ·x).
    case matmul(transA: Bool, transB: Bool)
    /// [x, b] → x + b broadcast along `axis` (1 for NCHW channels, last for dense).
    case biasAdd(axis: Int)
    /// [dy] → Σ dy over every axis but `axis`.
    case biasGrad(axis: Int)

    // MARK: Convolution and pooling (NCHW)
    /// [x, w] → y.
    case conv2d(Conv2DAttrs)
    /// [dy, w] → dx of per-example shape `input` ([C, H, W]).
    case conv2dBackwardData(Conv2DAttrs, input: [Int])
    /// [dy, x] → dw of shape `weight` ([OC, C/g, KH, KW]).
    case conv2dBackwardFilter(Conv2DAttrs, weight: [Int])
    /// [x] → y.
    case maxPool2d(Pool2DAttrs)
    /// [dy, x] → dx (the kernel recomputes the arg-max; ties go to the first).
    case maxPool2dBackward(Pool2DAttrs)
    /// [x] → y.
    case avgPool2d(Pool2DAttrs)
    /// [dy] → dx of per-example shape `input`.
    case avgPool2dBackward(Pool2DAttrs, input: [Int])
    /// [x: N,C,H,W] → [N, C] (mean over H, W).
    case globalAvgPool
    /// [dy: N,C] → dx [N, C, H, W] with `spatial` = [H, W].
    case globalAvgPoolBackward(spatial: [Int])
    /// [x] → y, nearest neighbour by an integer factor.
    case upsampleNearest(scale: Int)
    /// [dy] → dx (sum over each scale×scale block).
    case upsampleNearestBackward(scale: Int)
    /// [x: N, d0…dk] → [N, d_axes[0]…]: per-example axes permuted, the batch first.
    case permute(axes: [Int])
    /// [x: N,C,H,W] → y: keeps every stride-th row and column, then zero-pads (negative: crops)
    /// channels, height and width by the (before, after) amounts.
    case pad2d(PadAmounts)
    /// [dy] → dx of per-example shape `input`: the entries the forward read, zero elsewhere.
    case pad2dBackward(PadAmounts, input: [Int])

    // MARK: Elementwise, views, joins
    /// [x] → f(x); `slope` is leaky_relu's slope or elu's α; `axis` is softmax's axis.
    case activation(Activation, slope: Double, axis: Int)
    /// [dy, saved] → dx; `saved` is x or y as `Activation.backwardReadsOutput` says.
    case activationBackward(Activation, slope: Double, axis: Int)
    /// [x₁, …, xₙ] → Σ xᵢ, equal shapes.
    case add
    /// [x] → c·x.
    case scale(Double)
    /// [x] → x viewed with `shape` (same element count). A view: no copy, shares storage.
    case reshape([Dim])
    /// [x₁, …, xₙ] → concatenation along `axis`.
    case concat(axis: Int)
    /// [x] → n slices along `axis` of the given sizes (concat's backward).
    case split(axis: Int, sizes: [Int])

    // MARK: Stochastic (each draws from its keys; backward regenerates, never stores)
    //
    // RNG contract, shared by the interpreter and generated code: key #k at optimizer step t is
    // the runtime's `RandomStream(seed, step: t, stream: k)`; `u(i)` is its `uniform(at: i)`.
    //   dropout            element i kept iff u(i) < 1−p (flat index over the whole value)
    //   spatial_dropout    plane n·C + c kept iff u(n·C + c) < 1−p
    //   dropblock          centre (i, j) of plane r = n·C + c, where a whole block fits, seeds a
    //                      bs×bs block iff u(r·H·W + i·W + j) < γ_t = p_t/bs²·HW/((H−bs+1)(W−bs+1)),
    //                      p_t = p·min(1, t/schedule_steps) (p without a schedule)
    //   a scheduled p or survival (`Rate.slot`) is the loop's table entry at step t
    //   stochastic_depth   batch: gate u(0) < p;  sample: row n kept iff u(n) < p, scaled 1/p
    //   shake_shake        2 branches: α_n = u(n), coefficients (α_n, 1−α_n); k branches:
    //                      u(n·k + b) normalized to sum 1; `.batch` level uses n = 0 for all
    //   shakedrop          b = [u_gate(0) < p]; α_n = lo + (hi−lo)·u_fwd(n) (n = 0 at `.batch`),
    //                      β_n likewise from the backward key
    /// [x] → x⊙m/(1−p) (inverted) or x⊙m (classic), m ~ Bernoulli(1−p) per element.
    case dropout(p: Rate, scaling: DropoutScaling, key: RngKey)
    /// [dy] → dy⊙m/(1−p) (or dy⊙m) with the same mask.
    case dropoutBackward(p: Rate, scaling: DropoutScaling, key: RngKey)
    /// [x: N,C,…] → x⊙m/(1−p), m per (sample, channel) (Tompson et al. 2015).
    case spatialDropout(p: Rate, key: RngKey)
    case spatialDropoutBackward(p: Rate, key: RngKey)
    /// [x] → x + σn or x⊙(1 + σn), n ~ N(0, 1) per element (Keras GaussianNoise, GaussianDropout).
    case gaussianNoise(std: Double, multiplicative: Bool, key: RngKey)
    /// [dy] → dy⊙(1 + σn) with the forward's n (multiplicative noise; the additive one passes dy).
    case gaussianNoiseBackward(std: Double, key: RngKey)
    /// [x: N,T,F] → x⊙m[n,f]/(1−p), one mask per sequence shared by every step (AWD-LSTM).
    case lockedDropout(p: Rate, key: RngKey)
    case lockedDropoutBackward(p: Rate, key: RngKey)
    /// [x] → a(x⊙m + α'(1 − m)) + b (Klambauer et al. 2017); backward [dy] → a·m⊙dy, same m.
    case alphaDropout(p: Rate, key: RngKey)
    case alphaDropoutBackward(p: Rate, key: RngKey)
    /// [x: N,C,H,W] → x⊙M·count(M)/sum(M), M zero on bs×bs blocks around seeds drawn per
    /// (sample, channel), count and sum over the batch (Ghiasi et al. 2018, the runtime's `DropBlock`).
    case dropBlock(p: Rate, blockSize: Int, scheduleSteps: Int?, key: RngKey)
    /// [dy] → dy⊙M·count(M)/sum(M) with the same mask.
    case dropBlockBackward(p: Rate, blockSize: Int, scheduleSteps: Int?, key: RngKey)
    /// [branch] → b·branch, b ~ Bernoulli(survival) once per batch (`.batch`, Huang et al. 2016,
    /// no rescale) or per sample scaled by 1/survival (`.sample`, timm DropPath).
    case stochasticDepth(survival: Rate, mode: StochasticDepth.Mode, key: RngKey)
    case stochasticDepthBackward(survival: Rate, mode: StochasticDepth.Mode, key: RngKey)
    /// [F₁, …, Fₙ] → Σ αᵢFᵢ (the residual add is a separate `add`).
    case shakeShake(ShakeAttrs)
    /// [dy] → [β₁dy, …, βₙdy] with β drawn independently of α (Shake-Shake's backward).
    case shakeShakeBackward(ShakeAttrs)
    /// [F] → (b + α − bα)·F.
    case shakeDrop(ShakeDropAttrs)
    /// [dy] → (b + β − bβ)·dy, same b, independent β.
    case shakeDropBackward(ShakeDropAttrs)

    // MARK: Normalization
    /// [x, γ, β] → [y, mean, var]: batch statistics per channel (axis 1) over N and spatial
    /// axes; `var` is biased; y = γ(x−mean)/√(var+eps) + β.
    case batchNormTrain(eps: Double)
    /// [dy, x, γ, mean, var] → [dx, dγ, dβ].
    case batchNormBackward(eps: Double)
    /// Effect. [running_mean, running_var, mean, var] (+ num_batches_tracked if present), in
    /// place: r ← (1−m)·r + m·batch with the unbiased variance n/(n−1)·var, n = N·`spatial`.
    case batchNormUpdateStats(momentum: Double, spatial: Int)
    /// [x, γ, β, running_mean, running_var] → γ(x−rm)/√(rv+eps) + β.
    case batchNormEval(eps: Double)
    /// [w, γ, running_var] → w·γ/√(rv+eps) per output unit (axis 0): BN folded into conv/dense.
    case batchNormFoldWeight(eps: Double)
    /// [γ, β, running_mean, running_var] (+ b) → (b − rm)·γ/√(rv+eps) + β.
    case batchNormFoldBias(eps: Double)
    /// [x, γ, β] → [y, mean, rstd] over the trailing `axes` axes; stats keep the leading axes.
    case layerNorm(axes: Int, eps: Double)
    /// [dy, x, γ, mean, rstd] → [dx, dγ, dβ].
    case layerNormBackward(axes: Int, eps: Double)
    /// [x, γ, β] → [y, mean, inverse std] per example and group of C/groups channels (Wu & He 2018).
    case groupNorm(groups: Int, eps: Double)
    /// [dy, x, γ, mean, inverse std] → [dx, dγ, dβ].
    case groupNormBackward(groups: Int, eps: Double)

    // MARK: Weight reparametrization (parameter-only: once per step, before the layer reads W)
    /// [v, g: out,1,…] → [w, norms: out]: w = g·v/‖v‖ per output row (Salimans & Kingma 2016).
    case weightNorm
    /// [dw, v, g, norms] → [dv, dg].
    case weightNormBackward
    /// [W, u, v] → [u', v']: `iterations` power-iteration steps v ← normalize(Wᵀu), u ← normalize(Wv),
    /// W viewed [out, rest]. Training only; `spectral_norm_update` writes u', v' back.
    case powerIteration(iterations: Int)
    /// [W, u, v] → [W/σ, σ: 1] with σ = uᵀWv (Miyato et al. 2018).
    case spectralNorm
    /// [dW_SN, W, u, v, σ] → dW with u, v held constant.
    case spectralNormBackward
    /// Effect [u, v, u', v']: the buffers take the power iteration's result.
    case spectralNormUpdate

    // MARK: Sequence
    /// [ids: i32[N, T], table: [V, D]] → [N, T, D].
    case embedding
    /// [dy, ids] → dtable [vocab, D] (scatter-add).
    case embeddingBackward(vocab: Int)
    /// [x, params…] → train: [y, workspace [N, T, dirs·6·units]]; eval: [y].
    case lstm(RecurrentAttrs)
    /// [dy, x, params…, y, workspace] → [dx, dparams…].
    case lstmBackward(RecurrentAttrs)
    /// [x, params…] → train: [y, workspace [N, T, dirs·5·units]]; eval: [y].
    case gru(RecurrentAttrs)
    case gruBackward(RecurrentAttrs)
    /// [x, in_w, in_b, out_w, out_b] → train: [y, qkv [N,T,3D], probs [N,H,T,T], ctx [N,T,D]]; eval: [y].
    case attention(AttentionAttrs)
    /// [x: N, T, F] → [N, F]: mean, max or first step over T.
    case sequencePool(SequencePoolMode)
    /// [dy: N, F, x: N, T, F] → dx (mean: dy/T everywhere; max: dy at the first arg-max; first: dy at step 0).
    case sequencePoolBackward(SequencePoolMode)
    /// [x: N, T, F] → x + PE, the sinusoidal table of Vaswani et al. 2017 (gradient: the identity).
    case positionalEncoding
    /// [dy, x, in_w, in_b, out_w, out_b, qkv, probs, ctx] → [dx, din_w, din_b, dout_w, dout_b].
    case attentionBackward(AttentionAttrs)

    // MARK: Loss, penalties, metrics (scalars are means over the batch)
    /// [logits: N,…,K, labels: i32 N,…] → [loss, probs]; the loss is the mean over rows.
    case softmaxCrossEntropy(Smoothing)
    /// [probs, labels] → dlogits = (probs − q)/rows, the loss being the root (seed 1).
    case softmaxCrossEntropyBackward(Smoothing)
    /// [pred, target] → mean (pred − target)².
    case mseLoss
    /// [pred, target] → 2(pred − target)/count.
    case mseLossBackward
    /// [p, target] → mean −(t·log p + (1−t)·log(1−p)), logs clamped at −100 (PyTorch BCELoss).
    case bceLoss
    /// [p, target] → (p − t)/(p(1−p))/count, denominator clamped at 1e-12.
    case bceLossBackward
    // A penalty's λ is a `Rate`: a scheduled λ (`Rate.slot`) is the loop's table entry at step t,
    // so the reported loss holds λ(t)·P(w) and the gradient λ(t)·∂P/∂w.
    /// [w] → λ·Σ|w|.
    case l1Penalty(Rate)
    /// [w] → λ·sign(w), sign(0) = 0.
    case l1PenaltyBackward(Rate)
    /// [w] → λ·Σw² (sum of squares, no ½).
    case l2Penalty(Rate)
    /// [w] → 2λ·w.
    case l2PenaltyBackward(Rate)
    /// [W, u, v] → (λ/2)·σ², σ = uᵀWv, W as [rows, rest], u and v from `power_iteration`
    /// (Yoshida & Miyato 2017).
    case spectralPenalty(Rate)
    /// [W, u, v] → λ·σ·u·vᵀ (u, v constants).
    case spectralPenaltyBackward(Rate)
    /// [logits, labels] → fraction with argmax = label.
    case accuracy
    /// [logits, target, weight] → w/(rows·K)·Σ(softmax(z) − p)², the target a constant
    /// (Π-model, Mean Teacher).
    case consistencyLoss
    /// [logits, target, weight] → dlogits: s ⊙ (g − Σ g·s), g = 2w(s − p)/(rows·K), s = softmax(z).
    case consistencyLossBackward
}

extension Op {
    /// Effects have no outputs; they update their state inputs in place.
    public var isEffect: Bool {
        if case .batchNormUpdateStats = self { return true }
        if case .spectralNormUpdate = self { return true }
        return false
    }

    /// Ops that draw from a random stream.
    public var rngKeys: [RngKey] {
        switch self {
        case .dropout(_, _, let k), .dropoutBackward(_, _, let k), .spatialDropout(_, let k),
             .spatialDropoutBackward(_, let k), .stochasticDepth(_, _, let k), .stochasticDepthBackward(_, _, let k),
             .gaussianNoise(_, _, let k), .gaussianNoiseBackward(_, let k), .alphaDropout(_, let k), .alphaDropoutBackward(_, let k),
             .lockedDropout(_, let k), .lockedDropoutBackward(_, let k), .dropBlock(_, _, _, let k), .dropBlockBackward(_, _, _, let k):
            return [k]
        case .shakeShake(let a): return a.forward == .shake ? [a.forwardKey] : []
        case .shakeShakeBackward(let a):
            switch a.backward {
            case .shake: return [a.backwardKey]
            case .keep: return a.forward == .shake ? [a.forwardKey] : []
            case .even: return []
            }
        case .shakeDrop(let a): return [a.gateKey, a.forwardKey]
        case .shakeDropBackward(let a): return [a.gateKey, a.backwardKey]
        case .lstm(let a), .lstmBackward(let a), .gru(let a), .gruBackward(let a):
            return a.train ? a.key.map { [$0] } ?? [] : []
        case .attention(let a), .attentionBackward(let a):
            return a.train ? a.key.map { [$0] } ?? [] : []
        default: return []
        }
    }

    public var isStochastic: Bool { !rngKeys.isEmpty }
}

extension Activation {
    /// Whether the backward reads the forward output y (else the input x): the cheaper one to
    /// keep alive and the one a fused epilogue already writes.
    public var backwardReadsOutput: Bool {
        switch self {
        case .relu, .tanh, .sigmoid, .softmax, .logSoftmax, .identity, .selu: return true
        case .gelu, .leakyRelu, .elu, .silu: return false
        }
    }

    /// Elementwise (fusable into an epilogue); softmax and log-softmax reduce along an axis.
    public var isElementwise: Bool { self != .softmax && self != .logSoftmax }
}
