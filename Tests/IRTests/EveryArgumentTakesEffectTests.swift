import Check
import Diagnostics
import Syntax
import Runtime
import Training
import XCTest
@testable import IR

/// Every setting a spec accepts takes effect: for every (kind, argument) pair of the kinds table
/// and every key of the sections table, a spec with the argument set to another accepted value
/// differs from the spec without it in its lowered or training IR, its parameters' resolved
/// regularization, or its training configuration (`Fingerprint`). A new argument that reaches
/// none of them fails here. Arguments that only declare a size the checker verifies (`in:`)
/// take effect by being verified: a wrong value must be an error.
final class EveryArgumentTakesEffectTests: XCTestCase {
    /// Arguments whose only effect is a check, with the wrong value that must be refused.
    static let declarations: [String: String] = [
        "dense.in": "7", "conv2d.in_channels": "3", "batchnorm.features": "3", "layernorm.shape": "7",
        "lstm.in": "7", "gru.in": "7", "attention.dim": "6", "groupnorm.channels": "3",
    ]

    /// Pairs whose accepted values all mean the same, with why and the value that must be refused.
    static let singleMeaning: [String: (why: String, refused: String)] = [
        "softmax.axis": ("only the last axis is accepted; every accepted value is the default", "1"),
        "log_softmax.axis": ("only the last axis is accepted; every accepted value is the default", "1"),
    ]

    func testEveryKindArgumentTakesEffectOrIsVerified() throws {
        var checked = 0
        for kind in kindTable {
            let base = Harness(kind)
            let reference = try fingerprint(base.spec(kind, [:]), "\(kind.name) with its base arguments")
            for arg in kind.args where !base.fixed.keys.contains(arg.name) || base.variants[arg.name] != nil {
                let key = "\(kind.name).\(arg.name)"
                if let wrong = Self.declarations[key] ?? Self.singleMeaning[key]?.refused {
                    let d = diagnostics(base.spec(kind, [arg.name: wrong]))
                    XCTAssertTrue(d.contains { $0.severity == .error }, "\(key): \(wrong) should be refused; got \(d.map(\.message))")
                    checked += 1
                    continue
                }
                guard let value = base.variants[arg.name] ?? alternative(arg) else {
                    XCTFail("\(key): no alternative value for type \(arg.type); add one to Harness.variants")
                    continue
                }
                let text = base.spec(kind, [arg.name: value])
                let errors = diagnostics(text).filter { $0.severity == .error }
                if !errors.isEmpty {
                    // Refused at the argument (a combination the checker does not support) is fine.
                    XCTAssertTrue(errors.allSatisfy { $0.message.contains(arg.name) }, "\(key): \(value) is refused for another reason: \(errors.map(\.message))\n\(text)")
                    checked += 1
                    continue
                }
                let changed = try fingerprint(text, "\(key): \(value)")
                XCTAssertNotEqual(changed, reference, "\(key): \(value) changes nothing in the IR, parameters or training config")
                checked += 1
            }
        }
        XCTAssertGreaterThan(checked, 120)
    }

    func testEverySectionKeyTakesEffect() throws {
        let base = """
        regula: 1
        model: m
        input: [1, 4, 4]
        layers:
          - flatten
          - dense: 3
        loss: {kind: cross_entropy}
        train:
          optimizer: {kind: sgd, lr: 0.1}
          batch_size: 8
          early_stopping: {monitor: loss}
          ema: {decay: 0.9}
          schedule: {kind: step, step_size: 2}
          gradient_noise: {eta: 0.1}
          adversarial: {method: pgd, epsilon: 0.1}
        data:
          format: idx
          train: {inputs: a, labels: b}
          test: {inputs: c, labels: d}
          normalize: {scale: 255}
        """
        let reference = try fingerprint(base, "the base spec")
        // One edit per key: the key set to a value other than the base spec's (or its default).
        let edits: [String: (String, String)] = [
            "model": ("model: m", "model: other"),
            "input": ("input: [1, 4, 4]", "input: [16]"),
            "input.shape": ("input: [1, 4, 4]", "input: {shape: [16]}"),
            "input.dtype": ("input: [1, 4, 4]\nlayers:\n  - flatten\n  - dense: 3", "input: {shape: [4], dtype: int32}\nlayers:\n  - embedding: {vocab: 5, dim: 2}\n  - flatten\n  - dense: 3"),
            "input.data_format": ("input: [1, 4, 4]", "input: {shape: [4, 4, 1], data_format: channels_last}\n# same per-example shape, other file layout"),
            "defaults": ("regula: 1", "regula: 1\ndefaults: {l2: 0.5}"),
            "regularize": ("regula: 1", "regula: 1\nregularize: [{match: {role: bias}, l2: 0.5}]"),
            "layers": ("  - dense: 3", "  - dense: 3\n  - relu"),
            "loss": ("loss: {kind: cross_entropy}", "loss: {kind: mse, targets: one_hot}"),
            "loss.kind": ("loss: {kind: cross_entropy}", "loss: {kind: binary_cross_entropy, targets: one_hot}"),
            "loss.targets": ("loss: {kind: cross_entropy}", "loss: {kind: mse, targets: one_hot}"),
            "loss.label_smoothing": ("loss: {kind: cross_entropy}", "loss: {kind: cross_entropy, label_smoothing: 0.1}"),
            "loss.smoothing_variant": ("loss: {kind: cross_entropy}", "loss: {kind: cross_entropy, label_smoothing: 0.1, smoothing_variant: off_target}"),
            "train": ("  batch_size: 8", "  batch_size: 9"),
            "train.optimizer": ("{kind: sgd, lr: 0.1}", "adam"),
            "train.batch_size": ("  batch_size: 8", "  batch_size: 9"),
            "train.epochs": ("  batch_size: 8", "  batch_size: 8\n  epochs: 4"),
            "train.seed": ("  batch_size: 8", "  batch_size: 8\n  seed: 4"),
            "train.schedule": ("{kind: step, step_size: 2}", "cosine"),
            "train.clip_grad_norm": ("  batch_size: 8", "  batch_size: 8\n  clip_grad_norm: 1"),
            "train.early_stopping": ("  early_stopping: {monitor: loss}\n", ""),
            "train.optimizer.kind": ("{kind: sgd, lr: 0.1}", "{kind: adamw, lr: 0.1}"),
            "train.optimizer.lr": ("{kind: sgd, lr: 0.1}", "{kind: sgd, lr: 0.2}"),
            "train.optimizer.momentum": ("{kind: sgd, lr: 0.1}", "{kind: sgd, lr: 0.1, momentum: 0.9}"),
            "train.optimizer.nesterov": ("{kind: sgd, lr: 0.1}", "{kind: sgd, lr: 0.1, momentum: 0.9, nesterov: true}"),
            "train.optimizer.dampening": ("{kind: sgd, lr: 0.1}", "{kind: sgd, lr: 0.1, dampening: 0.5}"),
            "train.optimizer.betas": ("{kind: sgd, lr: 0.1}", "{kind: adam, lr: 0.1, betas: [0.8, 0.9]}"),
            "train.optimizer.eps": ("{kind: sgd, lr: 0.1}", "{kind: adam, lr: 0.1, eps: 0.001}"),
            "train.optimizer.alpha": ("{kind: sgd, lr: 0.1}", "{kind: rmsprop, lr: 0.1, alpha: 0.5}"),
            "train.optimizer.centered": ("{kind: sgd, lr: 0.1}", "{kind: rmsprop, lr: 0.1, centered: true}"),
            "train.optimizer.convention": ("{kind: sgd, lr: 0.1}", "{kind: rmsprop, lr: 0.1, convention: keras}"),
            "train.optimizer.weight_decay": ("{kind: sgd, lr: 0.1}", "{kind: sgd, lr: 0.1, weight_decay: 0.1}"),
            "train.optimizer.decay": ("{kind: sgd, lr: 0.1}", "{kind: sgd, lr: 0.1, decay: decoupled}"),
            "train.schedule.kind": ("{kind: step, step_size: 2}", "{kind: exponential}"),
            "train.schedule.step_size": ("{kind: step, step_size: 2}", "{kind: step, step_size: 3}"),
            "train.schedule.gamma": ("{kind: step, step_size: 2}", "{kind: step, step_size: 2, gamma: 0.5}"),
            "train.schedule.milestones": ("{kind: step, step_size: 2}", "{kind: multistep, milestones: [1]}"),
            "train.schedule.warmup_steps": ("{kind: step, step_size: 2}", "{kind: cosine, warmup_steps: 3}"),
            "train.schedule.warmup_start_factor": ("{kind: step, step_size: 2}", "{kind: cosine, warmup_start_factor: 0.5}"),
            "train.schedule.min_lr": ("{kind: step, step_size: 2}", "{kind: cosine, min_lr: 0.01}"),
            "train.schedule.max_lr": ("{kind: step, step_size: 2}", "{kind: one_cycle, max_lr: 0.5}"),
            "train.schedule.pct_start": ("{kind: step, step_size: 2}", "{kind: one_cycle, pct_start: 0.5}"),
            "train.schedule.div_factor": ("{kind: step, step_size: 2}", "{kind: one_cycle, div_factor: 10}"),
            "train.schedule.final_div_factor": ("{kind: step, step_size: 2}", "{kind: one_cycle, final_div_factor: 10}"),
            "train.schedule.cycle_momentum": ("{kind: step, step_size: 2}", "{kind: one_cycle, cycle_momentum: false}"),
            "train.schedule.monitor": ("{kind: step, step_size: 2}", "{kind: plateau, monitor: accuracy}"),
            "train.schedule.factor": ("{kind: step, step_size: 2}", "{kind: plateau, monitor: loss, factor: 0.5}"),
            "train.schedule.patience": ("{kind: step, step_size: 2}", "{kind: plateau, monitor: loss, patience: 3}"),
            "train.schedule.threshold": ("{kind: step, step_size: 2}", "{kind: plateau, monitor: loss, threshold: 0.1}"),
            "train.schedule.cooldown": ("{kind: step, step_size: 2}", "{kind: plateau, monitor: loss, cooldown: 2}"),
            "train.ema": ("  ema: {decay: 0.9}\n", ""),
            "train.ema.decay": ("{decay: 0.9}", "{decay: 0.99}"),
            "train.gradient_noise": ("  gradient_noise: {eta: 0.1}\n", ""),
            "train.gradient_noise.eta": ("{eta: 0.1}", "{eta: 0.3}"),
            "train.gradient_noise.gamma": ("{eta: 0.1}", "{eta: 0.1, gamma: 0.3}"),
            // Consistency does not combine with adversarial training (yet): it replaces it here,
            // and its own keys are edited against a spec that has it (below).
            "train.consistency": ("  adversarial: {method: pgd, epsilon: 0.1}", "  consistency: {method: pi, weight: 1}"),
            "train.adversarial": ("  adversarial: {method: pgd, epsilon: 0.1}\n", ""),
            "train.adversarial.method": ("{method: pgd, epsilon: 0.1}", "{method: fgsm, epsilon: 0.1}"),
            "train.adversarial.epsilon": ("{method: pgd, epsilon: 0.1}", "{method: pgd, epsilon: 0.2}"),
            "train.adversarial.steps": ("{method: pgd, epsilon: 0.1}", "{method: pgd, epsilon: 0.1, steps: 2}"),
            "train.adversarial.step_size": ("{method: pgd, epsilon: 0.1}", "{method: pgd, epsilon: 0.1, step_size: 0.01}"),
            "train.adversarial.mix": ("{method: pgd, epsilon: 0.1}", "{method: pgd, epsilon: 0.1, mix: 0.5}"),
            "train.adversarial.random_start": ("{method: pgd, epsilon: 0.1}", "{method: pgd, epsilon: 0.1, random_start: false}"),
            "train.adversarial.clip": ("{method: pgd, epsilon: 0.1}", "{method: pgd, epsilon: 0.1, clip: [-1, 1]}"),
            "train.early_stopping.monitor": ("{monitor: loss}", "{monitor: accuracy}"),
            "train.early_stopping.patience": ("{monitor: loss}", "{monitor: loss, patience: 3}"),
            "train.early_stopping.min_delta": ("{monitor: loss}", "{monitor: loss, min_delta: 0.1}"),
            // restore_best and ema exclude each other.
            "train.early_stopping.restore_best": ("{monitor: loss}\n  ema: {decay: 0.9}", "{monitor: loss, restore_best: true}"),
            "train.early_stopping.mode": ("{monitor: loss}", "{monitor: loss, mode: max}"),
            "data": ("  normalize: {scale: 255}", "  normalize: {scale: 1}"),
            "data.format": ("  format: idx", "  format: npy"),
            "data.dir": ("  train: {inputs: a, labels: b}\n  test: {inputs: c, labels: d}\n", "  dir: mnist\n"),
            "data.train": ("{inputs: a, labels: b}", "{inputs: a2, labels: b}"),
            "data.test": ("{inputs: c, labels: d}", "{inputs: c2, labels: d}"),
            "data.validation_split": ("  format: idx", "  format: idx\n  validation_split: 0.2"),
            "data.normalize": ("  normalize: {scale: 255}", "  normalize: {scale: 255, mean: 0.5}"),
            "data.limit": ("  format: idx", "  format: idx\n  limit: 100"),
            "data.augment": ("  format: idx", "  format: idx\n  augment: [flip]"),
            "data.train.inputs": ("{inputs: a, labels: b}", "{inputs: a2, labels: b}"),
            "data.train.labels": ("{inputs: a, labels: b}", "{inputs: a, labels: b2}"),
            "data.test.inputs": ("{inputs: c, labels: d}", "{inputs: c2, labels: d}"),
            "data.test.labels": ("{inputs: c, labels: d}", "{inputs: c, labels: d2}"),
            "data.normalize.scale": ("{scale: 255}", "{scale: 1}"),
            "data.normalize.mean": ("{scale: 255}", "{scale: 255, mean: 0.5}"),
            "data.normalize.std": ("{scale: 255}", "{scale: 255, std: 0.5}"),
        ]
        // Keys whose effect is the spec's structure itself, covered by every other test.
        let structural: Set<String> = ["regula", "blocks", "train.early_stopping"]
        for key in sectionTable.map(\.path) where !structural.contains(key) && !key.hasPrefix("train.consistency.") {
            guard let (from, to) = edits[key] else {
                XCTFail("section key \(key) has no edit here: add one that shows its effect")
                continue
            }
            XCTAssertTrue(base.contains(from), "\(key): the base spec has no '\(from)'")
            var edited = base.replacingOccurrences(of: from, with: to)
            // Token ids are never normalized nor attacked: an int32 input refuses both.
            if key == "input.dtype" {
                edited = edited.replacingOccurrences(of: "\n  normalize: {scale: 255}", with: "")
                    .replacingOccurrences(of: "  adversarial: {method: pgd, epsilon: 0.1}\n", with: "")
            }
            XCTAssertNotEqual(try fingerprint(edited, key), reference, "\(key): '\(to)' changes nothing")
        }
        XCTAssertNotEqual(try fingerprint(base.replacingOccurrences(of: "  early_stopping: {monitor: loss}\n", with: ""), "no early stopping"), reference)

        // train.consistency's keys, against a spec with a Π-model term (no adversarial training,
        // no separate weight average: Mean Teacher's teacher is one).
        let consistent = base.replacingOccurrences(of: "  adversarial: {method: pgd, epsilon: 0.1}", with: "  consistency: {method: pi, weight: 1}")
            .replacingOccurrences(of: "  ema: {decay: 0.9}\n", with: "")
        let consistentReference = try fingerprint(consistent, "the consistency spec")
        let consistencyEdits: [String: String] = [
            "train.consistency.method": "{method: mean_teacher, weight: 1}",
            "train.consistency.weight": "{method: pi, weight: 2}",
            "train.consistency.ramp_up": "{method: pi, weight: 1, ramp_up: 3}",
            "train.consistency.ema_decay": "{method: mean_teacher, weight: 1, ema_decay: 0.5}",
        ]
        for key in sectionTable.map(\.path) where key.hasPrefix("train.consistency.") {
            guard let to = consistencyEdits[key] else {
                XCTFail("section key \(key) has no edit here: add one that shows its effect")
                continue
            }
            let edited = consistent.replacingOccurrences(of: "{method: pi, weight: 1}", with: to)
            XCTAssertNotEqual(try fingerprint(edited, key), consistentReference, "\(key): '\(to)' changes nothing")
        }
    }

    /// Every argument the kinds table marks schedulable takes a schedule, and the schedule reaches
    /// the training step: the lowered graph's op reads slot 0 of the loop's table (its value the
    /// schedule's final one) and the training recipe carries the schedule; a schedule differs from
    /// the constant it ends at. The schedulable numbers outside the layers (mixup's and CutMix's α,
    /// the consistency weight) reach the recipe.
    func testEveryScheduledArgumentReachesTheTrainingStep() throws {
        var checked = 0
        for kind in kindTable {
            let base = Harness(kind)
            for arg in kind.args where arg.schedulable && !Regularization.scheduledPenalties.contains(arg.name) {
                let key = "\(kind.name).\(arg.name)"
                let start = arg.range == .survival ? "1" : "0"
                let scheduled = base.spec(kind, [arg.name: "{schedule: linear, from: \(start), to: 0.75, steps: 10}"])
                let constant = base.spec(kind, [arg.name: "0.75"])
                XCTAssertNotEqual(try fingerprint(scheduled, key), try fingerprint(constant, key), "\(key): the schedule changes nothing")
                let model = try XCTUnwrap(checkedModel(scheduled), key)
                XCTAssertTrue(render(lower(model)).contains("schedule#0→0.75"), "\(key): no op reads the schedule's slot\n\(render(lower(model)))")
                XCTAssertEqual(try TrainingRecipe(model).scheduled,
                               [ValueSchedule(.linear(from: Double(start) ?? 0, to: 0.75, start: 0, length: 10), unit: .steps)], key)
                checked += 1
            }
        }
        XCTAssertEqual(checked, 8, "dropout, spatial_dropout, locked_dropout, alpha_dropout, dropblock p and three stochastic_depth")
        let image = """
        regula: 1
        model: m
        input: [1, 4, 4]
        layers: [flatten, dense: 3]
        loss: cross_entropy
        train: {optimizer: {kind: sgd, lr: 0.1}, batch_size: 8, consistency: {method: pi, weight: WEIGHT}}
        data: {format: idx, train: {inputs: a, labels: b}, augment: [mixup: {alpha: ALPHA}, cutmix: {alpha: ALPHA}]}
        """
        let schedule = "{schedule: step, values: [0.5, 2], epochs: [1]}"
        let plain = image.replacingOccurrences(of: "WEIGHT", with: "2").replacingOccurrences(of: "ALPHA", with: "2")
        let ramped = image.replacingOccurrences(of: "WEIGHT", with: schedule).replacingOccurrences(of: "ALPHA", with: schedule)
        XCTAssertNotEqual(try fingerprint(ramped, "scheduled α and weight"), try fingerprint(plain, "constant α and weight"))
        let recipe = try TrainingRecipe(try XCTUnwrap(checkedModel(ramped)))
        let expected = ValueSchedule(.step(values: [0.5, 2], milestones: [1]), unit: .epochs)
        XCTAssertEqual(recipe.data.mixes.map(\.alphaSchedule), [expected, expected])
        XCTAssertEqual(recipe.consistency?.weightSchedule, expected)
        XCTAssertEqual(recipe.consistency?.weight(step: 7, stepsPerEpoch: 8), 0.5)
        XCTAssertEqual(recipe.consistency?.weight(step: 8, stepsPerEpoch: 8), 2)
        XCTAssertEqual(recipe.data.mixes.first?.alpha(epoch: 1, batch: 0, stepsPerEpoch: 8), 2)
        try penaltyStrengthsReachTheTrainingStep()
    }

    /// The penalty strengths (schedulable regularization attributes) wherever a number is
    /// accepted: on the layer, in `defaults:`, in a `regularize:` rule and, for weight decay, as
    /// the optimizer's. Each reaches the training step through slot 0 of the loop's table: the
    /// L1, L2 and spectral penalty ops and their backward ops read it, and a scheduled weight
    /// decay is on the weight's graph input for the optimizer; the recipe carries the schedule.
    private func penaltyStrengthsReachTheTrainingStep() throws {
        func spec(_ placement: String, _ attribute: String, _ value: String) -> String {
            """
            regula: 1
            model: m
            input: [8]
            \(placement == "defaults" ? "defaults: {\(attribute): \(value)}" : "")
            \(placement == "rule" ? "regularize: [{match: {kind: dense, role: weight}, \(attribute): \(value)}]" : "")
            layers:
              - dense: {units: 4\(placement == "layer" ? ", \(attribute): \(value)" : "")}
            loss: cross_entropy
            train: {optimizer: {kind: sgd, lr: 0.1\(placement == "optimizer" ? ", \(attribute): \(value)" : "")}, batch_size: 8}
            """
        }
        let ops = ["l1": ["l1_penalty", "l1_penalty_backward"], "l2": ["l2_penalty", "l2_penalty_backward"],
                   "spectral_penalty": ["spectral_penalty", "spectral_penalty_backward"], "weight_decay": []]
        var checked = 0
        for attribute in Regularization.scheduledPenalties {
            for placement in ["layer", "defaults", "rule"] + (attribute == "weight_decay" ? ["optimizer"] : []) {
                let key = "\(attribute) (\(placement))"
                let scheduled = spec(placement, attribute, "{schedule: linear, from: 0, to: 0.75, steps: 10}")
                XCTAssertNotEqual(try fingerprint(scheduled, key), try fingerprint(spec(placement, attribute, "0.75"), key),
                                  "\(key): the schedule changes nothing")
                let model = try XCTUnwrap(checkedModel(scheduled), key)
                XCTAssertEqual(model.scheduleSlot(parameter: "0.weight", attribute: attribute), 0, key)
                XCTAssertEqual(try TrainingRecipe(model).scheduled,
                               [ValueSchedule(.linear(from: 0, to: 0.75, start: 0, length: 10), unit: .steps)], key)
                let training = try Pipeline(mode: .train).run(model) { _ in }
                let weight = try XCTUnwrap(training.trainableParameters.compactMap(\.param).first { $0.name == "0.weight" }, key)
                XCTAssertEqual(weight.regularization.slots, [attribute: 0], key)
                XCTAssertNil(training.trainableParameters.compactMap(\.param).first { $0.name == "0.bias" }?.regularization.slots[attribute], key)
                let text = render(training)
                for op in ops[attribute] ?? [] {
                    let lines = text.split(separator: "\n").filter { $0.contains(" = \(op)(") }
                    XCTAssertEqual(lines.count, 1, "\(key): \(op)\n\(text)")
                    XCTAssertTrue(lines.allSatisfy { $0.contains("lambda=schedule#0→0.75") }, "\(key): \(op) does not read slot 0\n\(text)")
                }
                checked += 1
            }
        }
        XCTAssertEqual(checked, 13, "l1, l2, spectral_penalty in three places, weight_decay in four")
    }

    func checkedModel(_ text: String) -> CheckedModel? {
        guard let spec = parseSpec(SourceFile(path: "specs/effect.yaml", text: text)).0 else { return nil }
        return check(spec, options: CheckOptions(physicalMemory: 1 << 40)).model
    }

    // MARK: - Helpers

    func diagnostics(_ text: String) -> [Diagnostic] {
        let (spec, pd) = parseSpec(SourceFile(path: "specs/effect.yaml", text: text))
        guard let spec else { return pd }
        return pd + check(spec, options: CheckOptions(physicalMemory: 1 << 40)).diagnostics
    }

    /// The spec's fingerprint; fails when it does not check clean (the value must be accepted).
    func fingerprint(_ text: String, _ label: String) throws -> Fingerprint {
        let (spec, pd) = parseSpec(SourceFile(path: "specs/effect.yaml", text: text))
        let s = try XCTUnwrap(spec, "\(label): \(pd.map(\.message))")
        let errors = (pd + check(s, options: CheckOptions(physicalMemory: 1 << 40)).diagnostics).filter { $0.severity == .error }
        XCTAssertEqual(errors.map(\.message), [], "\(label) is refused:\n\(text)")
        return Fingerprint(s)
    }

    /// A value of the argument's type and range other than its default.
    func alternative(_ a: ArgSpec) -> String? {
        switch a.type {
        case .bool:
            if case .bool(let d)? = a.defaultValue { return d ? "false" : "true" }
            return "true"
        case .choice(let c):
            let d: String? = { if case .string(let s)? = a.defaultValue { return s }; return nil }()
            return c.first { $0 != d && $0 != "identity" }
        case .number:
            let d: Double? = { if case .number(let x)? = a.defaultValue { return x }; if case .int(let i)? = a.defaultValue { return Double(i) }; return nil }()
            return d == 0.25 ? "0.3" : "0.25"
        case .numberRange:
            return "[0.2, 0.4]"
        default:
            return nil
        }
    }
}

/// A minimal model around one kind: the input it needs, the arguments it requires (`fixed`), and
/// for structural arguments the other value to try (`variants`).
struct Harness {
    var input = "[2, 8, 8]"
    var before: [String] = []
    var fixed: [String: String] = [:]
    var variants: [String: String] = [:]
    var after = ["flatten", "dense: 3"]

    init(_ k: KindSpec) {
        switch k.id {
        case .dense:
            input = "[8]"; fixed = ["units": "4"]; variants = ["units": "5", "in": "8"]
            after = []
        case .conv2d:
            fixed = ["filters": "4", "kernel": "3"]
            variants = ["filters": "6", "kernel": "1", "stride": "2", "padding": "1", "dilation": "2", "groups": "2"]
        case .maxPool, .avgPool:
            input = "[2, 7, 7]"; fixed = ["size": "2"]; variants = ["size": "3", "stride": "1", "padding": "1"]
        case .globalAvgPool:
            after = ["dense: 3"]
        case .upsample:
            fixed = ["scale": "2"]; variants = ["scale": "3"]
        case .permute:
            fixed = ["axes": "[1, 2, 0]"]; variants = ["axes": "[2, 1, 0]"]
        case .shift:
            variants = ["x": "1", "y": "-2"]
        case .pad:
            variants = ["top": "1", "bottom": "2", "left": "1", "right": "2"]
        case .crop:
            variants = ["top": "1", "bottom": "2", "left": "1", "right": "2"]
        case .padChannels:
            fixed = ["channels": "5"]; variants = ["channels": "6", "stride": "2", "placement": "both"]
        case .flatten:
            input = "[2, 4, 4]"; variants = ["start_dim": "1"]; after = ["flatten", "dense: 3"]
        case .reshape:
            input = "[2, 4, 4]"; fixed = ["shape": "[4, 8]"]; variants = ["shape": "[8, 4]"]
        case .activation(let a):
            input = "[6]"; after = ["dense: 3"]
            if a == .softmax || a == .logSoftmax { after = [] }
        case .dropout, .spatialDropout:
            break
        case .gaussianNoise:
            fixed = ["stddev": "0.1"]; variants = ["stddev": "0.2"]
        case .gaussianDropout:
            fixed = ["p": "0.2"]; variants = ["p": "0.3"]
        case .alphaDropout:
            break
        case .dropBlock:
            variants = ["block_size": "3", "schedule_steps": "100"]
        case .lockedDropout:
            input = "[5, 8]"
        case .sequencePool:
            input = "[5, 8]"; variants = ["mode": "max"]; after = ["dense: 3"]
        case .positionalEncoding:
            input = "[5, 8]"
        case .batchNorm:
            break
        case .layerNorm:
            input = "[2, 8]"
        case .groupNorm:
            input = "[4, 3, 3]"; fixed = ["groups": "2"]; variants = ["groups": "4"]
        case .embedding:
            input = "{shape: [6], dtype: int32}"; fixed = ["vocab": "10", "dim": "4"]; variants = ["vocab": "12", "dim": "5"]
        case .lstm, .gru:
            input = "[5, 8]"; fixed = ["units": "4"]; variants = ["units": "3"]; after = ["flatten", "dense: 3"]
        case .attention:
            input = "[5, 8]"; fixed = ["heads": "2"]; variants = ["heads": "4"]
        case .add:
            before = ["- dense: 8\n    name: a", "- dense: 8\n    name: b"]; input = "[8]"
            fixed = ["from": ""]; after = ["dense: 3"]
        case .concat:
            before = ["- dense: 8\n    name: a", "- dense: 8\n    name: b"]; input = "[2, 8]"
            fixed = ["from": ""]; variants = ["axis": "-1"]
        case .residual:
            fixed = ["body": "[{conv2d: {filters: 2, kernel: 3, padding: 1}}]"]
            variants = ["body": "[{conv2d: {filters: 2, kernel: 1}}]", "shortcut": "[{conv2d: {filters: 2, kernel: 1}}]",
                        "skip": "false", "stochastic_depth": "0.8"]
        case .shakeShake:
            fixed = ["branches": "[[{conv2d: {filters: 2, kernel: 3, padding: 1}}], [relu]]"]
            variants = ["branches": "[[relu], [tanh]]", "shortcut": "[{conv2d: {filters: 2, kernel: 1}}]", "stochastic_depth": "0.8"]
        case .shakeDrop:
            fixed = ["body": "[{conv2d: {filters: 2, kernel: 3, padding: 1}}]"]
            variants = ["body": "[relu]", "shortcut": "[{conv2d: {filters: 2, kernel: 1}}]", "stochastic_depth": "0.8"]
        }
    }

    /// The spec with `k`'s fixed arguments overridden by `extra`; the optimizer decays by
    /// default so `decay_bias`/`decay_norm` show.
    func spec(_ k: KindSpec, _ extra: [String: String]) -> String {
        var args = fixed.filter { $0.key != "from" }
        for (a, v) in extra { args[a] = v }
        if args["spectral_norm"] != nil || args["max_norm"] != nil, k.arg("weight_norm") != nil { args["weight_norm"] = nil }
        let fields = args.keys.sorted().map { "\($0): \(args[$0] ?? "")" }
        var layer = "  - \(k.name)" + (fields.isEmpty ? (fixed["from"] != nil ? ": {}" : "") : ": {" + fields.joined(separator: ", ") + "}")
        if fixed["from"] != nil { layer += "\n    from: [a, b]" }
        return (["regula: 1", "model: effect", "input: \(input)", "layers:"] + before.map { "  " + $0 } + [layer]
                + after.map { "  - " + $0 } + ["train: {optimizer: {kind: sgd, weight_decay: 0.01}}"]).joined(separator: "\n") + "\n"
    }
}
