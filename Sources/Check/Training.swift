// Typed training configuration, resolved from the spec's `loss:`, `train:` and `data:` sections.
// Semantics follow the PyTorch/Keras reference (regularization-semantics.md); the field docs
// say which convention each one uses.

public struct LossConfig: Hashable, Sendable {
    public enum Kind: String, Hashable, Sendable {
        case crossEntropy = "cross_entropy"
        case mse
        case binaryCrossEntropy = "binary_cross_entropy"
    }
    public enum SmoothingVariant: String, Hashable, Sendable {
        /// Szegedy et al., PyTorch, Keras: target 1−ε+ε/K, others ε/K.
        case uniform
        /// The tutorial's variant: target 1−ε, others ε/(K−1).
        case offTarget = "off_target"
    }
    /// What the model's output is compared with. Data files hold one class id per example.
    public enum Targets: String, Hashable, Sendable {
        /// The class id itself (cross-entropy's target).
        case classIds = "class_ids"
        /// MSE/BCE against the one-hot vector of the class id over the output's K units (with one
        /// output unit, the id itself as 0 or 1), as Keras users write `to_categorical(y)`.
        case oneHot = "one_hot"
    }
    public var kind: Kind = .crossEntropy
    public var targets: Targets = .classIds
    public var labelSmoothing: Double = 0
    public var smoothingVariant: SmoothingVariant = .uniform

    public init() {}
}

public struct OptimizerConfig: Hashable, Sendable {
    public enum Kind: String, Hashable, Sendable { case sgd, adam, adamw, rmsprop, lion }
    /// Whose RMSprop: PyTorch's (ε outside the root, coupled decay, α 0.99, ε 1e-8) or Keras's
    /// (ε inside the root, decoupled decay, ρ 0.9, ε 1e-7).
    public enum Convention: String, Hashable, Sendable { case pytorch, keras }
    public enum Decay: String, Hashable, Sendable {
        /// g ← g + λθ before the optimizer's own math (PyTorch SGD/Adam `weight_decay`).
        case coupled
        /// θ ← θ·(1 − lr·λ) before the update (PyTorch AdamW, Keras `weight_decay`).
        case decoupled
    }
    public var kind: Kind = .sgd
    public var lr: Double = 0.01
    public var momentum: Double = 0
    public var nesterov: Bool = false
    /// SGD dampening (PyTorch default 0).
    public var dampening: Double = 0
    public var beta1: Double = 0.9
    public var beta2: Double = 0.999
    public var eps: Double = 1e-8
    /// RMSprop's smoothing constant (PyTorch `alpha`, Keras `rho`).
    public var alpha: Double = 0.99
    /// RMSprop: normalize by the running variance instead of the running second moment.
    public var centered: Bool = false
    public var convention: Convention = .pytorch
    /// The default per-parameter weight decay (applied to weights; layers may override).
    public var weightDecay: Double = 0
    /// The default weight decay as a schedule (`weight_decay: {schedule: linear, …}`);
    /// `weightDecay` holds its final value.
    public var weightDecaySchedule: ScalarSchedule? = nil
    /// Default: decoupled for AdamW, coupled for SGD and Adam (PyTorch's meanings).
    public var decay: Decay = .coupled

    public init() {}
}

public enum ScheduleConfig: Hashable, Sendable {
    case constant
    /// η₀·γ^⌊epoch/stepSize⌋, stepped per epoch.
    case step(stepSize: Int, gamma: Double)
    case multiStep(milestones: [Int], gamma: Double)
    /// η₀·γ^epoch.
    case exponential(gamma: Double)
    /// Linear warmup from `warmupStartFactor`·η₀ over `warmupSteps` optimizer steps, then cosine to
    /// `minLR` at the last step (clamped there). Stepped per optimizer step.
    case cosine(warmupSteps: Int, warmupStartFactor: Double, minLR: Double)
    /// PyTorch OneCycleLR (cos anneal), stepped per optimizer step; total steps = epochs·steps/epoch.
    case oneCycle(maxLR: Double, pctStart: Double, divFactor: Double, finalDivFactor: Double, cycleMomentum: Bool)
    /// PyTorch ReduceLROnPlateau (rel threshold, `> patience`), evaluated per epoch on `monitor`.
    case reduceOnPlateau(monitor: String, factor: Double, patience: Int, threshold: Double, cooldown: Int, minLR: Double)
}

/// Keras EarlyStopping semantics.
public struct EarlyStoppingConfig: Hashable, Sendable {
    public var monitor: String = "val_loss"
    public var patience: Int = 0
    public var minDelta: Double = 0
    public var restoreBest: Bool = false
    /// True when larger is better (accuracy); false for losses.
    public var maximize: Bool = false

    public init() {}
}

public struct GradientNoiseConfig: Hashable, Sendable {
    public var eta: Double = 0.01
    public var gamma: Double = 0.55

    public init() {}
}

/// Adversarial training (semantics reference §5.4): projected gradient steps on the inputs, in
/// the data's pixel range, and the objective mix·J(x) + (1 − mix)·J(x_adv).
public struct AdversarialConfig: Hashable, Sendable {
    public enum Method: String, Hashable, Sendable {
        /// Goodfellow et al. 2015: one step of ε·sign(∇x) from x.
        case fgsm
        /// Madry et al. 2018: `steps` steps of `stepSize`·sign(∇x) from a random start in the ε-ball.
        case pgd
    }
    public var method: Method = .fgsm
    /// L∞ radius in the pixel range (values x/scale, before mean and std).
    public var epsilon: Double = 0.1
    public var steps: Int = 1
    public var stepSize: Double = 0.1
    /// Weight of the clean loss in the objective.
    public var mix: Double = 0.5
    public var randomStart: Bool = false
    /// Bounds of the pixel range the attack stays in.
    public var clipLow: Double = 0
    public var clipHigh: Double = 1

    public init() {}
}

/// Consistency regularization (semantics reference §5.5): the student's softmax is pulled towards
/// a target distribution from a second pass (Π-model) or from the weights' moving average (Mean
/// Teacher), with a weight that ramps up.
public struct ConsistencyConfig: Hashable, Sendable {
    public enum Method: String, Hashable, Sendable {
        /// Laine & Aila 2017: the same network under other noise gives the target.
        case pi
        /// Tarvainen & Valpola 2017: an exponential moving average of the weights gives the target.
        case meanTeacher = "mean_teacher"
    }
    public var method: Method = .pi
    /// The weight once ramped up.
    public var weight: Double = 1
    /// Epochs of the sigmoid ramp-up exp(−5(1 − T)²); 0 = the full weight from the start.
    public var rampUp: Int = 0
    /// The weight as a schedule (`weight: {schedule: linear, …}`), instead of the ramp; `weight`
    /// holds its final value.
    public var weightSchedule: ScalarSchedule? = nil
    /// Mean Teacher's decay a: teacher ← a·teacher + (1 − a)·student after every step.
    public var emaDecay: Double = 0.99

    public init() {}
}

public struct DataConfig: Hashable, Sendable {
    public enum Format: String, Hashable, Sendable {
        case idx, csv, npy, cifar10, cifar100
        /// Labels live in the inputs file (a CSV's last column, CIFAR's label bytes).
        public var labelsInInputs: Bool { self == .csv || self == .cifar10 || self == .cifar100 }
    }
    public var format: Format = .idx
    /// Paths resolved against the spec file's folder.
    public var trainInputs: String?
    public var trainLabels: String?
    public var testInputs: String?
    public var testLabels: String?
    /// Fraction of the training set held out for validation (taken from the end, before shuffling).
    public var validationSplit: Double = 0
    /// Input scaling applied per batch: x ← (x/scale − mean)/std; for uint8 images scale is 255.
    public var scale: Double = 255
    public var mean: Double = 0
    public var std: Double = 1
    /// Use only the first `limit` training examples (quick runs).
    public var limit: Int?
    /// Data augmentation of training examples, in order.
    public var augment: [AugmentConfig] = []

    public init() {}
}

public struct TrainingConfig: Hashable, Sendable {
    public var loss = LossConfig()
    public var optimizer = OptimizerConfig()
    public var schedule: ScheduleConfig = .constant
    public var batchSize: Int = 32
    public var epochs: Int = 1
    public var seed: UInt64 = 0
    /// Global gradient-norm clipping (PyTorch `clip_grad_norm_`, +1e-6).
    public var clipGradNorm: Double?
    public var earlyStopping: EarlyStoppingConfig?
    /// Exponential moving average of the weights (timm `ModelEmaV2`): its decay.
    public var emaDecay: Double?
    /// Annealed Gaussian gradient noise (Neelakantan et al. 2015): variance η/(1+t)^γ.
    public var gradientNoise: GradientNoiseConfig?
    /// FGSM or PGD adversarial training.
    public var adversarial: AdversarialConfig?
    /// Π-model or Mean Teacher consistency.
    public var consistency: ConsistencyConfig?
    public var data = DataConfig()

    public init() {}
}
