import Foundation
import Runtime
import Training

/// Emits `Recipe.swift`: the spec's `train:` and `data:` sections as one `TrainingRecipe` literal,
/// the same value `regula train` derives from the spec (`TrainingRecipe(model)`), so the shared
/// `TrainingLoop` runs a generated model exactly as it runs the interpreter's.
struct RecipeEmitter {
    let recipe: TrainingRecipe
    let source: SpecSource

    func emit() -> String {
        var w = SwiftWriter.generated(from: source)
        w.doc("The spec's `train:` and `data:` sections (`--seed`, `--epochs`, `--data`, `--limit` override them).")
        let r = recipe, d = r.data
        var data: [String] = ["format: .\(d.format.rawValue)"]
        let files = [("trainInputs", d.trainInputs), ("trainLabels", d.trainLabels), ("testInputs", d.testInputs), ("testLabels", d.testLabels)]
        // Files are found by base name in `--data` or `directory`, wherever the program runs.
        let name = { (path: String) in d.directory == nil ? path : (path as NSString).lastPathComponent }
        for (label, path) in files { if let path { data.append("\(label): \(Names.stringLiteral(name(path)))") } }
        if let dir = d.directory { data.append("// Files are looked up by base name in --data, else here.\ndirectory: \(Names.stringLiteral(dir))") }
        data.append("inputShape: \(d.inputShape)")
        if d.channelsLast { data.append("channelsLast: true") }
        if let k = d.classes { data.append("classes: \(k)") }
        if let v = d.tokenVocabulary { data.append("tokenVocabulary: \(v)") }
        if d.validationSplit > 0 { data.append("validationSplit: \(Self.double(d.validationSplit))") }
        if let l = d.limit { data.append("limit: \(l)") }
        let n = d.normalization
        data.append("normalization: Normalization(scale: \(OpEmitter.float(Double(n.scale))), mean: \(OpEmitter.float(Double(n.mean))), std: \(OpEmitter.float(Double(n.std))))")
        if !d.augmentations.isEmpty {
            data.append("augmentations: [\n" + d.augmentations.map { "    " + Self.augmentation($0) + "," }.joined(separator: "\n") + "\n]")
        }
        if !d.mixes.isEmpty {
            data.append("mixes: [\n" + d.mixes.map { "    " + Self.mix($0) + "," }.joined(separator: "\n") + "\n]")
        }
        var args = ["name: \(Names.stringLiteral(r.name)), batchSize: \(r.batchSize), epochs: \(r.epochs), seed: \(r.seed)",
                    "data: DataRecipe(\n" + Self.indented(data.joined(separator: ",\n")) + "\n)",
                    "optimizer: \(Self.optimizer(r.optimizer))"]
        if r.schedule != .constant { args.append("schedule: \(Self.schedule(r.schedule))") }
        if let c = r.clipGradNorm { args.append("clipGradNorm: \(Self.double(c))") }
        if let n = r.gradientNoise { args.append("gradientNoise: GradientNoise(eta: \(Self.double(n.eta)), gamma: \(Self.double(n.gamma)))") }
        if let e = r.earlyStopping {
            args.append("earlyStopping: EarlyStoppingRecipe(monitor: \(Names.stringLiteral(e.monitor)), patience: \(e.patience), "
                + "minDelta: \(Self.double(e.minDelta)), restoreBest: \(e.restoreBest), maximize: \(e.maximize))")
        }
        if let d = r.emaDecay { args.append("emaDecay: \(Self.double(d))") }
        if let a = r.adversarial {
            let f = { (x: Float) in OpEmitter.float(Double(x)) }
            args.append("adversarial: AdversarialRecipe(epsilon: \(f(a.epsilon)), stepSize: \(f(a.stepSize)), steps: \(a.steps), "
                + "mix: \(f(a.mix)), randomStart: \(a.randomStart), low: \(f(a.low)), high: \(f(a.high)))")
        }
        if let c = r.consistency {
            args.append("consistency: ConsistencyRecipe(meanTeacher: \(c.meanTeacher), weight: \(OpEmitter.float(Double(c.weight))), "
                + "rampUpEpochs: \(c.rampUpEpochs), rows: \(c.rows), classes: \(c.classes)"
                + (c.weightSchedule.map { ", weightSchedule: \(Self.valueSchedule($0))" } ?? "") + ")")
        }
        if !r.scheduled.isEmpty {
            args.append("scheduled: [\n" + r.scheduled.map { "    " + Self.valueSchedule($0) + "," }.joined(separator: "\n") + "\n]")
        }
        w.line("let recipe = TrainingRecipe(")
        w.raw(Self.indented(args.joined(separator: ",\n")))
        w.line(")")
        return w.file
    }

    private static func indented(_ s: String) -> String {
        s.split(separator: "\n", omittingEmptySubsequences: false).map { "    " + $0 }.joined(separator: "\n")
    }

    /// A Double literal that reads back as the same value.
    static func double(_ x: Double) -> String {
        x.isInfinite ? (x > 0 ? ".infinity" : "-.infinity") : "\(x)"
    }

    static func optimizer(_ o: OptimizerRecipe) -> String {
        var args = ["kind: .\(o.kind.rawValue)", "lr: \(double(o.lr))"]
        switch o.kind {
        case .sgd:
            args += ["momentum: \(double(o.momentum))", "dampening: \(double(o.dampening))", "nesterov: \(o.nesterov)"]
        case .adam:
            args += ["beta1: \(double(o.beta1))", "beta2: \(double(o.beta2))", "eps: \(double(o.eps))"]
        case .rmsprop:
            args += ["momentum: \(double(o.momentum))", "eps: \(double(o.eps))", "alpha: \(double(o.alpha))",
                     "centered: \(o.centered)", "convention: .\(o.convention.rawValue)"]
        case .lion:
            args += ["beta1: \(double(o.beta1))", "beta2: \(double(o.beta2))"]
        }
        args.append("decay: .\(o.decay.rawValue)")
        return "OptimizerRecipe(" + args.joined(separator: ", ") + ")"
    }

    static func schedule(_ s: ScheduleRecipe) -> String {
        switch s {
        case .constant: return ".constant"
        case .step(let n, let g): return ".step(stepSize: \(n), gamma: \(double(g)))"
        case .multiStep(let m, let g): return ".multiStep(milestones: \(m), gamma: \(double(g)))"
        case .exponential(let g): return ".exponential(gamma: \(double(g)))"
        case .cosine(let w, let f, let m): return ".cosine(warmupSteps: \(w), warmupStartFactor: \(double(f)), minLR: \(double(m)))"
        case .oneCycle(let m, let p, let d, let f, let c):
            return ".oneCycle(maxLR: \(double(m)), pctStart: \(double(p)), divFactor: \(double(d)), finalDivFactor: \(double(f)), cycleMomentum: \(c))"
        case .reduceOnPlateau(let m, let f, let p, let t, let c, let l):
            return ".reduceOnPlateau(monitor: \(Names.stringLiteral(m)), factor: \(double(f)), patience: \(p), threshold: \(double(t)), "
                + "cooldown: \(c), minLR: \(double(l)))"
        }
    }

    static func mix(_ m: BatchMix) -> String {
        let kind: String
        switch m.kind {
        case .mixup(let a): kind = ".mixup(alpha: \(OpEmitter.float(Double(a))))"
        case .cutmix(let a): kind = ".cutmix(alpha: \(OpEmitter.float(Double(a))))"
        }
        let prob = m.prob == 1 ? "" : ", prob: \(OpEmitter.float(Double(m.prob)))"
        let alpha = m.alphaSchedule.map { ", alphaSchedule: \(valueSchedule($0))" } ?? ""
        return "BatchMix(\(kind)\(prob)\(m.epochs.map { ", epochs: \($0)" } ?? "")\(alpha))"
    }

    /// A scheduled value as the runtime's `ValueSchedule` literal.
    static func valueSchedule(_ s: ValueSchedule) -> String {
        let form: String
        switch s.form {
        case .constant(let v): form = ".constant(\(double(v)))"
        case let .linear(from, to, start, length):
            form = ".linear(from: \(double(from)), to: \(double(to)), start: \(start), length: \(length))"
        case let .cosine(from, to, start, length):
            form = ".cosine(from: \(double(from)), to: \(double(to)), start: \(start), length: \(length))"
        case let .step(values, milestones):
            form = ".step(values: [\(values.map(double).joined(separator: ", "))], milestones: \(milestones))"
        }
        return "ValueSchedule(\(form), unit: .\(s.unit.rawValue))"
    }

    static func augmentation(_ a: Augmentation) -> String {
        let epochs = a.epochs.map { ", epochs: \($0)" } ?? ""
        switch a.kind {
        case .randomCrop(let p): return "Augmentation(.randomCrop(padding: \(p))\(epochs))"
        case .flip(let h, let v, let p): return "Augmentation(.flip(horizontal: \(h), vertical: \(v), p: \(OpEmitter.float(Double(p))))\(epochs))"
        case .cutout(let s): return "Augmentation(.cutout(size: \(s))\(epochs))"
        case .rotate(let d): return "Augmentation(.rotate(degrees: \(OpEmitter.float(Double(d))))\(epochs))"
        case .translate(let f): return "Augmentation(.translate(fraction: \(OpEmitter.float(Double(f))))\(epochs))"
        case .zoom(let f): return "Augmentation(.zoom(fraction: \(OpEmitter.float(Double(f))))\(epochs))"
        case .colorJitter(let j):
            let factors = [("brightness", j.brightness), ("contrast", j.contrast), ("saturation", j.saturation), ("hue", j.hue)]
                .filter { $0.1 > 0 }.map { "\($0.0): \(OpEmitter.float(Double($0.1)))" }.joined(separator: ", ")
            return "Augmentation(.colorJitter(ColorJitter(\(factors)))\(epochs))"
        }
    }
}
