import Foundation
import Runtime

/// A spec's `train:` and `data:` sections as the training loop runs them. `regula train` derives
/// it from the checked spec (IR's `TrainingRecipe(model)`); a generated package carries the same
/// value as a literal in `Recipe.swift`, so both loops run from one description.
public struct TrainingRecipe: Hashable, Sendable {
    public var name: String
    public var batchSize: Int
    public var epochs: Int
    public var seed: UInt64
    public var data: DataRecipe
    public var optimizer: OptimizerRecipe
    public var schedule: ScheduleRecipe
    /// `clip_grad_norm_` over all gradients before each update.
    public var clipGradNorm: Double?
    /// Annealed Gaussian noise added to every gradient after clipping.
    public var gradientNoise: GradientNoise?
    public var earlyStopping: EarlyStoppingRecipe?
    /// Decay of the exponential moving average of the weights that evaluation uses, if any.
    public var emaDecay: Double?
    /// FGSM or PGD steps on each batch before the update, if any.
    public var adversarial: AdversarialRecipe?
    /// The Π-model's or Mean Teacher's consistency term, if any (Mean Teacher's teacher is the
    /// weight average of `emaDecay`).
    public var consistency: ConsistencyRecipe?
    /// The model's scheduled rates (dropout p, survival), by slot: the loop writes each one's
    /// value into `TrainableModel.scheduledValues` before every step.
    public var scheduled: [ValueSchedule]

    public init(name: String, batchSize: Int, epochs: Int, seed: UInt64, data: DataRecipe, optimizer: OptimizerRecipe,
                schedule: ScheduleRecipe = .constant, clipGradNorm: Double? = nil, gradientNoise: GradientNoise? = nil,
                earlyStopping: EarlyStoppingRecipe? = nil, emaDecay: Double? = nil, adversarial: AdversarialRecipe? = nil,
                consistency: ConsistencyRecipe? = nil, scheduled: [ValueSchedule] = []) {
        self.scheduled = scheduled
        self.name = name
        self.batchSize = batchSize
        self.epochs = epochs
        self.seed = seed
        self.data = data
        self.optimizer = optimizer
        self.schedule = schedule
        self.clipGradNorm = clipGradNorm
        self.gradientNoise = gradientNoise
        self.earlyStopping = earlyStopping
        self.emaDecay = emaDecay
        self.adversarial = adversarial
        self.consistency = consistency
    }

    /// The recipe with the command line's `--seed` and `--epochs`.
    public func applying(_ options: TrainOptions) -> TrainingRecipe {
        var r = self
        if let s = options.seed { r.seed = s }
        if let e = options.epochs { r.epochs = e }
        return r
    }
}

/// Where the examples come from and how they are prepared.
public struct DataRecipe: Hashable, Sendable {
    public enum Format: String, Hashable, Sendable {
        case idx, csv, npy, cifar10, cifar100
        /// Labels live in the inputs file (a CSV's last column, CIFAR's label bytes).
        public var labelsInInputs: Bool { self == .csv || self == .cifar10 || self == .cifar100 }
    }
    public var format: Format
    /// The spec's file paths (nil: MNIST's standard names in `data/mnist`).
    public var trainInputs: String?
    public var trainLabels: String?
    public var testInputs: String?
    public var testLabels: String?
    /// A test set is loaded when the spec names one or names no files at all (MNIST).
    public var hasTest: Bool { testInputs != nil || trainInputs == nil }
    /// Where files are looked up by base name when `--data` is not given (a generated package's
    /// `regula compile --data-dir`); nil: the spec's paths as written.
    public var directory: String?
    /// One example as the model reads it (channels first).
    public var inputShape: [Int]
    /// The files store examples channels last (`input: {layout: channels_last}`).
    public var channelsLast: Bool
    /// Labels must be class ids in 0..<classes (nil: not checked).
    public var classes: Int?
    /// Token inputs: ids in 0..<vocabulary, never normalized (nil: real-valued inputs).
    public var tokenVocabulary: Int?
    public var validationSplit: Double
    public var limit: Int?
    public var normalization: Normalization
    public var augmentations: [Augmentation]
    /// Mixes of a training batch (mixup, CutMix), after the augmentations.
    public var mixes: [BatchMix]

    public init(format: Format = .idx, trainInputs: String? = nil, trainLabels: String? = nil, testInputs: String? = nil,
                testLabels: String? = nil, directory: String? = nil, inputShape: [Int], channelsLast: Bool = false,
                classes: Int? = nil, tokenVocabulary: Int? = nil, validationSplit: Double = 0, limit: Int? = nil,
                normalization: Normalization = Normalization(), augmentations: [Augmentation] = [], mixes: [BatchMix] = []) {
        self.format = format
        self.trainInputs = trainInputs
        self.trainLabels = trainLabels
        self.testInputs = testInputs
        self.testLabels = testLabels
        self.directory = directory
        self.inputShape = inputShape
        self.channelsLast = channelsLast
        self.classes = classes
        self.tokenVocabulary = tokenVocabulary
        self.validationSplit = validationSplit
        self.limit = limit
        self.normalization = normalization
        self.augmentations = augmentations
        self.mixes = mixes
    }

    /// One example as the files store it.
    public var storedShape: [Int] {
        channelsLast && inputShape.count >= 2 ? Array(inputShape.dropFirst()) + [inputShape[0]] : inputShape
    }
}

/// The optimizer and its hyperparameters (PyTorch's names and defaults).
public struct OptimizerRecipe: Hashable, Sendable {
    public enum Kind: String, Hashable, Sendable { case sgd, adam, rmsprop, lion }
    public var kind: Kind
    public var lr: Double
    public var momentum: Double
    public var dampening: Double
    public var nesterov: Bool
    public var beta1: Double
    public var beta2: Double
    public var eps: Double
    public var alpha: Double
    public var centered: Bool
    public var convention: RMSprop.Convention
    /// How each parameter's `weightDecay` applies.
    public var decay: WeightDecay.Mode

    public init(kind: Kind, lr: Double, momentum: Double = 0, dampening: Double = 0, nesterov: Bool = false,
                beta1: Double = 0.9, beta2: Double = 0.999, eps: Double = 1e-8, alpha: Double = 0.99,
                centered: Bool = false, convention: RMSprop.Convention = .pytorch, decay: WeightDecay.Mode = .coupled) {
        self.kind = kind
        self.lr = lr
        self.momentum = momentum
        self.dampening = dampening
        self.nesterov = nesterov
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps
        self.alpha = alpha
        self.centered = centered
        self.convention = convention
        self.decay = decay
    }
}

/// The learning-rate schedule; the ones that span the run get its length when it starts.
public enum ScheduleRecipe: Hashable, Sendable {
    case constant
    case step(stepSize: Int, gamma: Double)
    case multiStep(milestones: [Int], gamma: Double)
    case exponential(gamma: Double)
    case cosine(warmupSteps: Int, warmupStartFactor: Double, minLR: Double)
    case oneCycle(maxLR: Double, pctStart: Double, divFactor: Double, finalDivFactor: Double, cycleMomentum: Bool)
    case reduceOnPlateau(monitor: String, factor: Double, patience: Int, threshold: Double, cooldown: Int, minLR: Double)
}

/// Keras `EarlyStopping` on a monitored metric.
public struct EarlyStoppingRecipe: Hashable, Sendable {
    public var monitor: String
    public var patience: Int
    public var minDelta: Double
    public var restoreBest: Bool
    /// True when larger is better (accuracy).
    public var maximize: Bool

    public init(monitor: String, patience: Int, minDelta: Double = 0, restoreBest: Bool = false, maximize: Bool = false) {
        self.monitor = monitor
        self.patience = patience
        self.minDelta = minDelta
        self.restoreBest = restoreBest
        self.maximize = maximize
    }
}

/// Gradient noise (Neelakantan et al. 2015, "Adding Gradient Noise Improves Learning for Very
/// Deep Networks"): at optimizer step t (from 0) every gradient element gets N(0, σ_t²) with
/// σ_t² = η/(1+t)^γ, after clipping and before the update.
public struct GradientNoise: Hashable, Sendable {
    public var eta: Double
    public var gamma: Double

    public init(eta: Double, gamma: Double = 0.55) {
        self.eta = eta
        self.gamma = gamma
    }

    /// σ_t.
    public func std(step t: Int) -> Float { Float((eta / pow(1 + Double(t), gamma)).squareRoot()) }
}
