import Check
import Runtime
import Training

extension TrainingRecipe {
    /// The checked spec's `train:` and `data:` sections as the training loop runs them: what
    /// `regula train` runs and what `regula compile` writes into a generated package's
    /// `Recipe.swift`.
    ///
    /// - Parameter dataDirectory: where a generated program looks its files up by base name when
    ///   `--data` is not given (nil: the spec's paths as written).
    /// - Throws: `TrainError.data` when the model's input has symbolic dimensions.
    public init(_ model: CheckedModel, dataDirectory: String? = nil) throws {
        let t = model.training, d = t.data
        let shape = model.input.shape.compactMap(\.value)
        guard shape.count == model.input.shape.count else {
            throw TrainError.data("the model input \(model.input.shape) has symbolic dimensions; only fixed shapes can be trained")
        }
        var vocabulary: Int?
        if model.input.dtype == .int32 {
            for node in model.nodes { if case .embedding(let v, _, _) = node.op { vocabulary = min(vocabulary ?? v, v) } }
        }
        let data = DataRecipe(
            format: DataRecipe.Format(rawValue: d.format.rawValue) ?? .idx,
            trainInputs: d.trainInputs, trainLabels: d.trainLabels, testInputs: d.testInputs, testLabels: d.testLabels,
            directory: dataDirectory, inputShape: shape, channelsLast: model.input.channelsLast && shape.count >= 2,
            classes: model.labelClasses, tokenVocabulary: vocabulary, validationSplit: d.validationSplit, limit: d.limit,
            normalization: Normalization(scale: Float(d.scale), mean: Float(d.mean), std: Float(d.std)),
            augmentations: d.augment.compactMap(Augmentation.init), mixes: d.augment.compactMap(BatchMix.init))
        let o = t.optimizer
        let kind: OptimizerRecipe.Kind
        switch o.kind {
        case .sgd: kind = .sgd
        case .adam, .adamw: kind = .adam
        case .rmsprop: kind = .rmsprop
        case .lion: kind = .lion
        }
        let optimizer = OptimizerRecipe(
            kind: kind, lr: o.lr, momentum: o.momentum, dampening: o.dampening, nesterov: o.nesterov, beta1: o.beta1,
            beta2: o.beta2, eps: o.eps, alpha: o.alpha, centered: o.centered, convention: o.convention == .keras ? .keras : .pytorch,
            decay: o.decay == .coupled ? .coupled : .decoupled)
        let early = t.earlyStopping.map {
            EarlyStoppingRecipe(monitor: $0.monitor, patience: $0.patience, minDelta: $0.minDelta, restoreBest: $0.restoreBest,
                                maximize: $0.maximize)
        }
        self.init(name: model.name, batchSize: t.batchSize, epochs: t.epochs, seed: t.seed, data: data, optimizer: optimizer,
                  schedule: ScheduleRecipe(t.schedule), clipGradNorm: t.clipGradNorm,
                  gradientNoise: t.gradientNoise.map { GradientNoise(eta: $0.eta, gamma: $0.gamma) }, earlyStopping: early,
                  emaDecay: t.emaDecay ?? t.consistency.flatMap { $0.method == .meanTeacher ? $0.emaDecay : nil },
                  adversarial: t.adversarial.map { AdversarialRecipe($0, data: d) },
                  consistency: try t.consistency.map { try ConsistencyRecipe($0, output: model.nodes[model.output].shape.compactMap(\.value)) },
                  scheduled: model.scheduledArguments.map { ValueSchedule($0.schedule) })
    }
}

extension ConsistencyRecipe {
    /// The logits of one example are `rows` distributions over their last axis.
    init(_ c: ConsistencyConfig, output: [Int]) throws {
        guard let k = output.last, k > 0 else { throw TrainError.unsupported("consistency needs class logits, the output is \(output)") }
        self.init(meanTeacher: c.method == .meanTeacher, weight: Float(c.weight), rampUpEpochs: c.rampUp,
                  rows: output.dropLast().reduce(1, *), classes: k, weightSchedule: c.weightSchedule.map(ValueSchedule.init))
    }
}

extension AdversarialRecipe {
    /// ε, the step and the clip range are stated in pixel values x/scale; the model sees
    /// (x/scale − mean)/std, so each is divided by std and the bounds shifted by the mean.
    init(_ a: AdversarialConfig, data d: DataConfig) {
        let std = Float(d.std), mean = Float(d.mean)
        self.init(epsilon: Float(a.epsilon) / std, stepSize: Float(a.stepSize) / std, steps: a.steps, mix: Float(a.mix),
                  randomStart: a.randomStart, low: (Float(a.clipLow) - mean) / std, high: (Float(a.clipHigh) - mean) / std)
    }
}

extension ScheduleRecipe {
    init(_ s: ScheduleConfig) {
        switch s {
        case .constant: self = .constant
        case .step(let s, let g): self = .step(stepSize: s, gamma: g)
        case .multiStep(let m, let g): self = .multiStep(milestones: m, gamma: g)
        case .exponential(let g): self = .exponential(gamma: g)
        case .cosine(let w, let f, let m): self = .cosine(warmupSteps: w, warmupStartFactor: f, minLR: m)
        case .oneCycle(let m, let p, let d, let f, let c):
            self = .oneCycle(maxLR: m, pctStart: p, divFactor: d, finalDivFactor: f, cycleMomentum: c)
        case .reduceOnPlateau(let m, let f, let p, let t, let c, let l):
            self = .reduceOnPlateau(monitor: m, factor: f, patience: p, threshold: t, cooldown: c, minLR: l)
        }
    }
}

extension Augmentation {
    /// The runtime form of a checked `data.augment` item that changes one example at a time.
    init?(_ c: AugmentConfig) {
        switch c.kind {
        case .randomCrop(let p): self.init(.randomCrop(padding: p), epochs: c.epochs)
        case .flip(let h, let v, let p): self.init(.flip(horizontal: h, vertical: v, p: Float(p)), epochs: c.epochs)
        case .cutout(let s): self.init(.cutout(size: s), epochs: c.epochs)
        case .rotate(let d): self.init(.rotate(degrees: Float(d)), epochs: c.epochs)
        case .translate(let f): self.init(.translate(fraction: Float(f)), epochs: c.epochs)
        case .zoom(let f): self.init(.zoom(fraction: Float(f)), epochs: c.epochs)
        case .colorJitter(let b, let c2, let s, let h):
            self.init(.colorJitter(ColorJitter(brightness: Float(b), contrast: Float(c2), saturation: Float(s), hue: Float(h))), epochs: c.epochs)
        case .mixup, .cutmix: return nil
        }
    }
}

extension BatchMix {
    /// The runtime form of a checked `data.augment` item that mixes a batch.
    init?(_ c: AugmentConfig) {
        switch c.kind {
        case .mixup(let a, let p):
            self.init(.mixup(alpha: Float(a)), prob: Float(p), epochs: c.epochs, alphaSchedule: c.alphaSchedule.map(ValueSchedule.init))
        case .cutmix(let a, let p):
            self.init(.cutmix(alpha: Float(a)), prob: Float(p), epochs: c.epochs, alphaSchedule: c.alphaSchedule.map(ValueSchedule.init))
        default: return nil
        }
    }
}

extension ValueSchedule {
    /// The runtime form of a checked schedule.
    init(_ s: ScalarSchedule) {
        let form: Form
        switch s.form {
        case .constant(let v): form = .constant(v)
        case let .linear(from, to, start, length): form = .linear(from: from, to: to, start: start, length: length)
        case let .cosine(from, to, start, length): form = .cosine(from: from, to: to, start: start, length: length)
        case let .step(values, milestones): form = .step(values: values, milestones: milestones)
        }
        self.init(form, unit: s.unit == .steps ? .steps : .epochs)
    }
}
