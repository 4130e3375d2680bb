import Syntax
import Diagnostics

// Resolves the `loss:`, `train:` and `data:` sections into a `TrainingConfig`. Defaults follow
// PyTorch: lr 1e-3, Adam betas (0.9, 0.999), eps 1e-8; AdamW weight decay 1e-2 and decoupled;
// SGD and Adam weight decay 0 and coupled. Every key is checked, with did-you-mean.

/// The MNIST file names inside `data: {dir: ...}` (the standard distribution names, gzipped).
let mnistFiles = (trainInputs: "train-images-idx3-ubyte.gz", trainLabels: "train-labels-idx1-ubyte.gz",
                  testInputs: "t10k-images-idx3-ubyte.gz", testLabels: "t10k-labels-idx1-ubyte.gz")

func resolveTraining(_ spec: Spec, _ d: inout [Diagnostic]) -> TrainingConfig {
    var t = TrainingConfig()
    if let loss = spec.loss { t.loss = resolveLoss(loss, &d) }
    if let train = spec.train { resolveTrain(train, into: &t, &d) }
    if let data = spec.data { t.data = resolveData(data, specFile: spec.file, &d) }
    if let loss = spec.loss { d += lintLabelSmoothing(t.loss, at: loss.range) }
    if let loss = spec.loss { d += lintTargetEncoding(t.loss, loss: loss) }
    d += lintMonitorWithoutValidation(t, spec: spec)
    return t
}

private func resolveLoss(_ v: Value, _ d: inout [Diagnostic]) -> LossConfig {
    var l = LossConfig()
    let kinds = ["cross_entropy", "mse", "binary_cross_entropy"]
    if let s = v.stringValue {
        if let k = LossConfig.Kind(rawValue: s) { l.kind = k } else { d.append(Msg.unknownChoice("loss", s, kinds).error(v.range)) }
        return l
    }
    guard let sec = Section(v, path: "loss", keys: sectionKeys("loss"), diagnostics: &d) else { return l }
    if let k = sec.choice("kind", kinds, &d).flatMap(LossConfig.Kind.init) { l.kind = k }
    if let t = sec.choice("targets", ["class_ids", "one_hot"], &d).flatMap(LossConfig.Targets.init) { l.targets = t }
    if let e = sec.number("label_smoothing", .dropRate, &d) { l.labelSmoothing = e }
    if let s = sec.choice("smoothing_variant", ["uniform", "off_target"], &d).flatMap(LossConfig.SmoothingVariant.init) { l.smoothingVariant = s }
    return l
}

private func resolveTrain(_ v: Value, into t: inout TrainingConfig, _ d: inout [Diagnostic]) {
    guard let sec = Section(v, path: "train", keys: sectionKeys("train"), diagnostics: &d) else { return }
    if let o = sec.value("optimizer") { t.optimizer = resolveOptimizer(o, &d) }
    if let b = sec.int("batch_size", .positive, &d) { t.batchSize = b }
    if let e = sec.int("epochs", .positive, &d) { t.epochs = e }
    if let s = sec.int("seed", .nonNegative, &d) { t.seed = UInt64(s) }
    if let c = sec.number("clip_grad_norm", .positive, &d) { t.clipGradNorm = c }
    if let s = sec.value("schedule") { t.schedule = resolveSchedule(s, lr: t.optimizer.lr, &d) }
    if let e = sec.value("early_stopping") { t.earlyStopping = resolveEarlyStopping(e, &d) }
    if let v = sec.value("ema"), let e = Section(v, path: "train.ema", keys: sectionKeys("train.ema"), diagnostics: &d) {
        t.emaDecay = e.number("decay", .dropRate, &d) ?? 0.9999
        if t.earlyStopping?.restoreBest == true {
            d.append(Msg.emaWithRestoreBest.error(sec.keyRange("ema")))
        }
    }
    if let v = sec.value("gradient_noise"),
       let g = Section(v, path: "train.gradient_noise", keys: sectionKeys("train.gradient_noise"), diagnostics: &d) {
        var n = GradientNoiseConfig()
        if let eta = g.number("eta", .positive, &d) { n.eta = eta }
        if let gamma = g.number("gamma", .nonNegative, &d) { n.gamma = gamma }
        t.gradientNoise = n
    }
    if let v = sec.value("adversarial"),
       let a = Section(v, path: "train.adversarial", keys: sectionKeys("train.adversarial"), diagnostics: &d) {
        t.adversarial = resolveAdversarial(a, &d)
    }
    if let v = sec.value("consistency"),
       let c = Section(v, path: "train.consistency", keys: sectionKeys("train.consistency"), diagnostics: &d) {
        t.consistency = resolveConsistency(c, &d)
        if t.consistency?.method == .meanTeacher, t.emaDecay != nil { d.append(Msg.meanTeacherWithEMA.error(sec.keyRange("ema"))) }
        if t.adversarial != nil { d.append(Msg.consistencyWithAdversarial.error(sec.keyRange("consistency"))) }
    }
}

/// `train.consistency`: the method and weight are the user's; the ramp and decay default to none
/// and to the paper's 0.99.
private func resolveConsistency(_ c: Section, _ d: inout [Diagnostic]) -> ConsistencyConfig {
    var r = ConsistencyConfig()
    if let m = c.choice("method", ["pi", "mean_teacher"], &d) { r.method = ConsistencyConfig.Method(rawValue: m) ?? .pi }
    if let v = c.value("weight"), isScheduleMap(v) {
        switch readSchedule(v, name: "weight", kind: "train.consistency", range: ArgRange.nonNegative) {
        case .success(let s): r.weight = s.final; r.weightSchedule = s
        case .failure(let e): d.append(e.diagnostic)
        }
        if c.has("ramp_up") { d.append(Msg.scheduleWithRampUp.error(c.keyRange("ramp_up"))) }
    } else if let w = c.number("weight", .nonNegative, &d) { r.weight = w }
    if let e = c.int("ramp_up", .nonNegative, &d) { r.rampUp = e }
    if let a = c.number("ema_decay", .dropRate, &d) {
        r.emaDecay = a
        if c.has("method"), r.method != .meanTeacher { d.append(Msg.emaDecayWithoutTeacher.error(c.value("ema_decay")?.range ?? c.range)) }
    }
    if !c.has("method") { d.append(Msg.missingKey("method", "train.consistency").error(c.range)) }
    if !c.has("weight") { d.append(Msg.missingKey("weight", "train.consistency").error(c.range)) }
    return r
}

/// `train.adversarial`: FGSM is PGD with one step of ε from x (no random start); PGD defaults
/// follow Madry et al.: a random start and steps of 2.5·ε/steps.
private func resolveAdversarial(_ a: Section, _ d: inout [Diagnostic]) -> AdversarialConfig {
    var c = AdversarialConfig()
    if let m = a.choice("method", ["fgsm", "pgd"], &d) { c.method = AdversarialConfig.Method(rawValue: m) ?? .fgsm }
    if let e = a.number("epsilon", .positive, &d) { c.epsilon = e }
    let isPGD = c.method == .pgd
    c.steps = a.int("steps", .positive, &d) ?? (isPGD ? 7 : 1)
    c.stepSize = a.number("step_size", .positive, &d) ?? (isPGD ? 2.5 * c.epsilon / Double(c.steps) : c.epsilon)
    c.mix = a.number("mix", .probability, &d) ?? (isPGD ? 0 : 0.5)
    c.randomStart = a.bool("random_start", &d) ?? isPGD
    if let r = a.numberPair("clip", &d) {
        if r.0 < r.1 { (c.clipLow, c.clipHigh) = r } else { d.append(Msg.adversarialClip(r.0, r.1).error(a.value("clip")?.range ?? a.range)) }
    }
    if !a.has("method") { d.append(Msg.missingKey("method", "train.adversarial").error(a.range)) }
    if !a.has("epsilon") { d.append(Msg.missingKey("epsilon", "train.adversarial").error(a.range)) }
    if a.has("method"), !isPGD, c.steps != 1 { d.append(Msg.fgsmSteps(c.steps).error(a.value("steps")?.range ?? a.range)) }
    return c
}

private func resolveOptimizer(_ v: Value, _ d: inout [Diagnostic]) -> OptimizerConfig {
    var o = OptimizerConfig()
    o.lr = 1e-3
    let kinds = ["sgd", "adam", "adamw", "rmsprop", "lion"]
    func setKind(_ k: OptimizerConfig.Kind) {
        o.kind = k
        o.decay = k == .adamw || k == .lion ? .decoupled : .coupled
        o.weightDecay = k == .adamw ? 1e-2 : 0
        switch k {
        case .rmsprop: o.lr = 1e-2
        case .lion: o.lr = 1e-4; o.beta2 = 0.99
        default: break
        }
    }
    if let s = v.stringValue {
        if let k = OptimizerConfig.Kind(rawValue: s) { setKind(k) } else { d.append(Msg.unknownChoice("train.optimizer", s, kinds).error(v.range)) }
        return o
    }
    guard let sec = Section(v, path: "train.optimizer", keys: sectionKeys("train.optimizer"), diagnostics: &d) else { return o }
    if !sec.has("kind") { d.append(Msg.missingKey("kind", "train.optimizer").error(sec.range)) }
    if let k = sec.choice("kind", kinds, &d).flatMap(OptimizerConfig.Kind.init) { setKind(k) }
    if let c = sec.choice("convention", ["pytorch", "keras"], &d).flatMap(OptimizerConfig.Convention.init) {
        o.convention = c
        if c == .keras { o.lr = 1e-3; o.alpha = 0.9; o.eps = 1e-7; o.decay = .decoupled }
    }
    if let a = sec.number("alpha", .dropRate, &d) { o.alpha = a }
    if let c = sec.bool("centered", &d) { o.centered = c }
    // Keys another optimizer would use are refused rather than ignored.
    for (key, users) in optimizerKeyUsers where sec.has(key) && !users.contains(o.kind) {
        d.append(Msg.optimizerKey(key, o.kind.rawValue, users.map(\.rawValue)).error(sec.keyRange(key)))
    }
    if let lr = sec.number("lr", .positive, &d) { o.lr = lr }
    if let m = sec.number("momentum", .probability, &d) { o.momentum = m }
    if let n = sec.bool("nesterov", &d) { o.nesterov = n }
    if let x = sec.number("dampening", .probability, &d) { o.dampening = x }
    if let e = sec.number("eps", .positive, &d) { o.eps = e }
    if let v = sec.value("weight_decay"), isScheduleMap(v) {
        switch readSchedule(v, name: "weight_decay", kind: "train.optimizer", range: ArgRange.nonNegative) {
        case .success(let s): o.weightDecay = s.final; o.weightDecaySchedule = s
        case .failure(let e): d.append(e.diagnostic)
        }
    } else if let w = sec.number("weight_decay", .nonNegative, &d) { o.weightDecay = w }
    if let c = sec.choice("decay", ["coupled", "decoupled"], &d).flatMap(OptimizerConfig.Decay.init) { o.decay = c }
    if let b = sec.value("betas") {
        if let l = b.listValue, l.count == 2, let b1 = l[0].numberValue, let b2 = l[1].numberValue {
            if (0..<1).contains(b1) && (0..<1).contains(b2) { o.beta1 = b1; o.beta2 = b2 } else {
                d.append(Msg.keyRange("train.optimizer.betas", "must be in [0, 1)", b1 < 0 || b1 >= 1 ? b1 : b2).error(b.range))
            }
        } else {
            d.append(Msg.keyType("train.optimizer.betas", "a list of two numbers").error(b.range))
        }
    }
    if o.nesterov && (o.momentum <= 0 || o.dampening != 0) {
        d.append(Msg.nesterov.error(sec.keyRange("nesterov")))
    }
    return o
}

/// The optimizer keys that only some optimizers read; the others would ignore them.
private let optimizerKeyUsers: [(String, [OptimizerConfig.Kind])] = [
    ("momentum", [.sgd, .rmsprop]), ("nesterov", [.sgd]), ("dampening", [.sgd]),
    ("betas", [.adam, .adamw, .lion]), ("eps", [.adam, .adamw, .rmsprop]),
    ("alpha", [.rmsprop]), ("centered", [.rmsprop]), ("convention", [.rmsprop]),
]

extension Msg {
    static func optimizerKey(_ key: String, _ kind: String, _ users: [String]) -> Message {
        Message(id: "optimizer-key", text: "'\(key)' does nothing for optimizer '\(kind)'; it applies to \(users.joined(separator: ", "))")
    }
}

private func resolveSchedule(_ v: Value, lr: Double, _ d: inout [Diagnostic]) -> ScheduleConfig {
    let kinds = scheduleKinds
    if let s = v.stringValue {
        switch s {
        case "constant": return .constant
        case "cosine": return .cosine(warmupSteps: 0, warmupStartFactor: 1.0 / 3, minLR: 0)
        default:
            d.append(kinds.contains(s) ? Msg.missingKey("kind", "train.schedule").error(v.range)
                                        : Msg.unknownChoice("train.schedule", s, kinds).error(v.range))
            return .constant
        }
    }
    guard let sec = Section(v, path: "train.schedule", keys: sectionKeys("train.schedule"), diagnostics: &d) else { return .constant }
    guard let kind = sec.choice("kind", kinds, &d) else {
        if !sec.has("kind") { d.append(Msg.missingKey("kind", "train.schedule").error(sec.range)) }
        return .constant
    }
    let gamma = sec.number("gamma", .positive, &d)
    switch kind {
    case "step":
        guard let s = sec.int("step_size", .positive, &d) else {
            if !sec.has("step_size") { d.append(Msg.missingKey("step_size", "train.schedule").error(sec.range)) }
            return .constant
        }
        return .step(stepSize: s, gamma: gamma ?? 0.1)
    case "multistep":
        guard let m = sec.value("milestones"), let l = m.listValue, case let ms = l.compactMap(\.intValue), ms.count == l.count else {
            d.append(sec.has("milestones") ? Msg.keyType("train.schedule.milestones", "a list of integers").error(sec.value("milestones")?.range ?? sec.range)
                                            : Msg.missingKey("milestones", "train.schedule").error(sec.range))
            return .constant
        }
        return .multiStep(milestones: ms, gamma: gamma ?? 0.1)
    case "exponential":
        return .exponential(gamma: gamma ?? 0.95)
    case "cosine":
        return .cosine(warmupSteps: sec.int("warmup_steps", .nonNegative, &d) ?? 0,
                       warmupStartFactor: sec.number("warmup_start_factor", .probability, &d) ?? 1.0 / 3,
                       minLR: sec.number("min_lr", .nonNegative, &d) ?? 0)
    case "one_cycle":
        return .oneCycle(maxLR: sec.number("max_lr", .positive, &d) ?? lr,
                         pctStart: sec.number("pct_start", .probability, &d) ?? 0.3,
                         divFactor: sec.number("div_factor", .positive, &d) ?? 25,
                         finalDivFactor: sec.number("final_div_factor", .positive, &d) ?? 1e4,
                         cycleMomentum: sec.bool("cycle_momentum", &d) ?? true)
    case "plateau":
        return .reduceOnPlateau(monitor: sec.choice("monitor", monitors, &d) ?? "val_loss",
                                factor: sec.number("factor", .dropRate, &d) ?? 0.1,
                                patience: sec.int("patience", .nonNegative, &d) ?? 10,
                                threshold: sec.number("threshold", .nonNegative, &d) ?? 1e-4,
                                cooldown: sec.int("cooldown", .nonNegative, &d) ?? 0,
                                minLR: sec.number("min_lr", .nonNegative, &d) ?? 0)
    default:
        return .constant
    }
}

private func resolveEarlyStopping(_ v: Value, _ d: inout [Diagnostic]) -> EarlyStoppingConfig? {
    var e = EarlyStoppingConfig()
    guard let sec = Section(v, path: "train.early_stopping", keys: sectionKeys("train.early_stopping"),
                            diagnostics: &d) else { return nil }
    if let m = sec.choice("monitor", monitors, &d) { e.monitor = m }
    if let p = sec.int("patience", .nonNegative, &d) { e.patience = p }
    if let m = sec.number("min_delta", .nonNegative, &d) { e.minDelta = m }
    if let r = sec.bool("restore_best", &d) { e.restoreBest = r }
    let mode = sec.choice("mode", ["auto", "min", "max"], &d) ?? "auto"
    e.maximize = mode == "max" || (mode == "auto" && e.monitor.hasSuffix("accuracy"))
    return e
}

private func resolveData(_ v: Value, specFile: String, _ d: inout [Diagnostic]) -> DataConfig {
    var c = DataConfig()
    guard let sec = Section(v, path: "data", keys: sectionKeys("data"),
                            diagnostics: &d) else { return c }
    if let f = sec.choice("format", dataFormats, &d).flatMap(DataConfig.Format.init) { c.format = f }
    if let dir = sec.string("dir", &d) {
        if c.format == .cifar10 || c.format == .cifar100 {
            // The extracted binary folder; the reader knows its file names.
            c.trainInputs = resolvePath(dir, specFile: specFile)
            c.testInputs = c.trainInputs
        } else if c.format == .idx {
            c.trainInputs = resolvePath(dir + "/" + mnistFiles.trainInputs, specFile: specFile)
            c.trainLabels = resolvePath(dir + "/" + mnistFiles.trainLabels, specFile: specFile)
            c.testInputs = resolvePath(dir + "/" + mnistFiles.testInputs, specFile: specFile)
            c.testLabels = resolvePath(dir + "/" + mnistFiles.testLabels, specFile: specFile)
        } else if !sec.has("train") {
            d.append(Msg.missingKey("train", "data").error(sec.keyRange("dir")))
        }
    } else if !sec.has("train") && !sec.suggested.contains("dir") && !sec.suggested.contains("train") {
        d.append(Msg.dataSource.error(sec.range))
    }
    for split in ["train", "test"] {
        guard let sv = sec.value(split), let files = Section(sv, path: "data.\(split)", keys: sectionKeys("data.\(split)"), diagnostics: &d) else { continue }
        // CSV inputs may carry their labels as the last column.
        for key in ["inputs", "labels"] where !files.has(key) && !(key == "labels" && c.format.labelsInInputs) {
            d.append(Msg.missingKey(key, "data.\(split)").error(files.range))
        }
        let inputs = files.string("inputs", &d).map { resolvePath($0, specFile: specFile) }
        let labels = files.string("labels", &d).map { resolvePath($0, specFile: specFile) }
        if split == "train" { c.trainInputs = inputs ?? c.trainInputs; c.trainLabels = labels ?? c.trainLabels }
        else { c.testInputs = inputs ?? c.testInputs; c.testLabels = labels ?? c.testLabels }
    }
    if let s = sec.number("validation_split", .dropRate, &d) { c.validationSplit = s }
    if let l = sec.int("limit", .positive, &d) { c.limit = l }
    if let a = sec.value("augment") { c.augment = resolveAugment(a, &d) }
    if let nv = sec.value("normalize"), let n = Section(nv, path: "data.normalize", keys: sectionKeys("data.normalize"), diagnostics: &d) {
        if let s = n.number("scale", .positive, &d) { c.scale = s }
        if let m = n.number("mean", nil, &d) { c.mean = m }
        if let s = n.number("std", .positive, &d) { c.std = s }
    }
    return c
}

/// `path` relative to the folder of `specFile` (absolute paths stay), with `.` and `..` folded.
func resolvePath(_ path: String, specFile: String) -> String {
    let absolute = path.hasPrefix("/")
    var base: [Substring] = []
    if !absolute {
        base = specFile.split(separator: "/", omittingEmptySubsequences: false).dropLast()
    }
    var parts: [Substring] = []
    let rooted = absolute || specFile.hasPrefix("/")
    for p in base + path.split(separator: "/", omittingEmptySubsequences: false) {
        if p.isEmpty || p == "." { continue }
        if p == "..", let last = parts.last, last != ".." { parts.removeLast(); continue }
        if p == "..", rooted { continue }
        parts.append(p)
    }
    let joined = parts.joined(separator: "/")
    return rooted ? "/" + joined : (joined.isEmpty ? "." : joined)
}
