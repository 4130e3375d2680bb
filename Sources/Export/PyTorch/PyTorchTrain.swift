import Check
import Foundation

/// Writes `train.py`: the spec's training settings as constants at the top (per-tensor tables as
/// Regula resolves them), then the loop of `PyTorchTrainSource`. Settings the loop does not
/// reproduce are refused (`refusals`), so a `train.py` never silently trains another recipe.
struct PyTorchTrainWriter {
    let model: CheckedModel
    let className: String
    let specName: String
    private(set) var refusals: [String] = []

    init(model: CheckedModel, className: String, specName: String) {
        self.model = model
        self.className = className
        self.specName = specName
    }

    private var t: TrainingConfig { model.training }

    /// The file's text, or nil with `refusals` set.
    mutating func write() -> String? {
        refuseUnsupported()
        guard refusals.isEmpty, let optimizer = optimizerLine(), let schedule = scheduleLines() else { return nil }
        var w = PythonWriter()
        w.line("\"\"\"Trains \(model.name) as \(specName) says, on one process or many.")
        w.line()
        w.line("    python3 train.py --data-dir DIR")
        w.line("    torchrun --nproc_per_node=N train.py --data-dir DIR   # DistributedDataParallel, one process per GPU or CPU share")
        w.line()
        w.line("Writes OUT/model.safetensors (Regula's state_dict names) that `regula eval` reads.")
        w.line("\"\"\"")
        w.line("import argparse")
        if t.earlyStopping?.restoreBest == true { w.line("import copy") }
        w.line("import gzip")
        w.line("import json")
        if case .cosine = t.schedule { w.line("import math") }
        w.line("import os")
        w.line("import struct")
        w.line()
        w.line("import numpy as np")
        w.line("import torch")
        w.line("import torch.distributed as dist")
        w.line("import torch.nn.functional as F")
        w.line("from torch.nn.parallel import DistributedDataParallel")
        w.line("from torch.utils.data import DataLoader, TensorDataset")
        w.line("from torch.utils.data.distributed import DistributedSampler")
        w.line()
        w.line("from model import \(className)")
        w.line()
        constants(&w)
        w.line()
        w.line()
        for l in PyTorchTrainSource.data(tokens: model.input.dtype == .int32).split(separator: "\n", omittingEmptySubsequences: false) { w.line(String(l)) }
        w.line()
        w.line()
        w.block("def make_optimizer(model):") { w in
            w.line("\"\"\"The spec's optimizer with one parameter group per weight-decay value of WEIGHT_DECAY.\"\"\"")
            w.line("groups = {}")
            w.block("for name, parameter in model.named_parameters():") { w in
                w.line("groups.setdefault(WEIGHT_DECAY.get(name, 0.0), []).append(parameter)")
            }
            w.line("groups = [{\"params\": ps, \"weight_decay\": decay} for decay, ps in sorted(groups.items())]")
            w.line("return \(optimizer)")
        }
        w.line()
        w.line()
        w.block("def make_schedule(optimizer, steps_per_epoch):") { w in
            w.line("\"\"\"The spec's learning-rate schedule and whether it steps per optimizer step (else per epoch).\"\"\"")
            for l in schedule { w.line(l) }
        }
        w.line()
        w.line()
        let loop = PyTorchTrainSource.loop(className: className, plateau: isPlateau, penalties: hasPenalties, maxNorm: !maxNorm.isEmpty, clip: t.clipGradNorm != nil,
                                           earlyStopping: t.earlyStopping)
        for l in loop.split(separator: "\n", omittingEmptySubsequences: false) { w.line(String(l)) }
        return w.text
    }

    private var isPlateau: Bool { if case .reduceOnPlateau = t.schedule { return true }; return false }

    private var hasPenalties: Bool { !table(\.l1).isEmpty || !table(\.l2).isEmpty }
    private var maxNorm: [(String, Double)] {
        model.parameters.compactMap { p in p.regularization.maxNorm.map { (p.name, $0) } }
    }

    private func table(_ key: KeyPath<Regularization, Double>) -> [(String, Double)] {
        model.parameters.filter { $0.trainable && $0.regularization[keyPath: key] != 0 }.map { ($0.name, $0.regularization[keyPath: key]) }
    }

    private func dict(_ rows: [(String, Double)]) -> String {
        "{" + rows.map { "\(Py.string($0.0)): \(Py.float($0.1))" }.joined(separator: ", ") + "}"
    }

    private func constants(_ w: inout PythonWriter) {
        let d = t.data
        func base(_ p: String?) -> String { Py.string(((p ?? "") as NSString).lastPathComponent) }
        // Absolute, so train.py finds the data from wherever it runs (a relative spec path resolves
        // against the directory `regula export` ran in).
        var dataDir = ((d.trainInputs ?? "") as NSString).deletingLastPathComponent
        if !dataDir.hasPrefix("/") {
            dataDir = ((FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(dataDir) as NSString).standardizingPath
        }
        w.line("# The spec's settings. BATCH_SIZE is global: each of N processes takes BATCH_SIZE // N examples.")
        w.line("BATCH_SIZE = \(t.batchSize)")
        w.line("EPOCHS = \(t.epochs)")
        w.line("SEED = \(t.seed)")
        w.line("INPUT_SHAPE = \(Py.tuple(model.input.shape.map(\.description)))")
        if model.input.dtype == .float32 {
            w.line("NORMALIZE = (\(Py.float(d.scale)), \(Py.float(d.mean)), \(Py.float(d.std)))  # x = (raw / scale - mean) / std")
        }
        w.line("VALIDATION_SPLIT = \(Py.float(d.validationSplit))  # held out from the end, before shuffling")
        w.line("LIMIT = \(d.limit.map(String.init) ?? "None")")
        w.line("DATA_DIR = \(Py.string(dataDir))")
        w.line("DATA_FILES = {\"train\": (\(base(d.trainInputs)), \(base(d.trainLabels))), \"test\": (\(base(d.testInputs)), \(base(d.testLabels)))}")
        w.line("LABEL_SMOOTHING = \(Py.float(t.loss.labelSmoothing))")
        if let c = t.clipGradNorm { w.line("CLIP_GRAD_NORM = \(Py.float(c))") }
        w.line("# Per-tensor regularization as Regula resolves it (`regula summary --params`); tensors not listed have 0.")
        w.line("WEIGHT_DECAY = \(dict(table(\.weightDecay)))  # \(t.optimizer.decay.rawValue)")
        if hasPenalties {
            w.line("L1 = \(dict(table(\.l1)))  # l1 * sum(|w|) added to the loss")
            w.line("L2 = \(dict(table(\.l2)))  # l2 * sum(w^2) added to the loss")
        }
        if !maxNorm.isEmpty { w.line("MAX_NORM = \(dict(maxNorm))  # each output unit's incoming weights renormed to <= c after a step") }
        if case .reduceOnPlateau(let monitor, _, _, _, _, _) = t.schedule { w.line("PLATEAU_MONITOR = \(Py.string(monitor))") }
        if let e = t.earlyStopping {
            w.line("# Early stopping (Keras): stop when \(e.monitor) has not improved by MIN_DELTA for PATIENCE epochs.")
            w.line("MONITOR = \(Py.string(e.monitor))")
            w.line("MAXIMIZE = \(Py.bool(e.maximize))")
            w.line("PATIENCE = \(e.patience)")
            w.line("MIN_DELTA = \(Py.float(e.minDelta))")
            w.line("RESTORE_BEST = \(Py.bool(e.restoreBest))")
        }
    }

    private mutating func refuseUnsupported() {
        if t.data.format != .idx { refusals.append("data format \(t.data.format.rawValue) (train.py reads IDX files)") }
        if !t.data.augment.isEmpty { refusals.append("data.augment") }
        if t.loss.kind != .crossEntropy { refusals.append("loss \(t.loss.kind.rawValue)") }
        if t.loss.smoothingVariant != .uniform && t.loss.labelSmoothing > 0 { refusals.append("label smoothing variant off_target") }
        if t.emaDecay != nil { refusals.append("train.ema") }
        if t.gradientNoise != nil { refusals.append("train.gradient_noise") }
        if t.adversarial != nil { refusals.append("train.adversarial") }
        if t.consistency != nil { refusals.append("train.consistency") }
        if model.parameters.contains(where: { $0.regularization.applies("spectral_penalty") }) { refusals.append("spectral_penalty") }
        // The per-tensor tables below hold numbers; a schedule would train with its final value.
        for a in ["weight_decay", "l1", "l2"] where model.parameters.contains(where: { $0.regularization.schedules[a] != nil }) {
            refusals.append("a schedule of \(a)")
        }
        if let e = t.earlyStopping, !["val_loss", "val_accuracy"].contains(e.monitor) { refusals.append("early stopping on \(e.monitor)") }
    }

    private mutating func optimizerLine() -> String? {
        let o = t.optimizer
        let betas = "betas=(\(Py.float(o.beta1)), \(Py.float(o.beta2)))" + (o.eps == 1e-8 ? "" : ", eps=\(Py.float(o.eps))")
        switch (o.kind, o.decay) {
        case (.sgd, .coupled):
            var a = ["groups", "lr=\(Py.float(o.lr))"]
            if o.momentum != 0 { a.append("momentum=\(Py.float(o.momentum))") }
            if o.dampening != 0 { a.append("dampening=\(Py.float(o.dampening))") }
            if o.nesterov { a.append("nesterov=True") }
            return "torch.optim.SGD(\(a.joined(separator: ", ")))"
        case (.adam, .coupled), (.adamw, .coupled):
            return "torch.optim.Adam(groups, lr=\(Py.float(o.lr)), \(betas))"
        case (.adam, .decoupled), (.adamw, .decoupled):
            return "torch.optim.AdamW(groups, lr=\(Py.float(o.lr)), \(betas))"
        case (.rmsprop, .coupled) where o.convention == .pytorch:
            var a = ["groups", "lr=\(Py.float(o.lr))", "alpha=\(Py.float(o.alpha))", "eps=\(Py.float(o.eps))"]
            if o.momentum != 0 { a.append("momentum=\(Py.float(o.momentum))") }
            if o.centered { a.append("centered=True") }
            return "torch.optim.RMSprop(\(a.joined(separator: ", ")))"
        default:
            refusals.append("optimizer \(o.kind.rawValue) with \(o.decay.rawValue) decay\(o.kind == .rmsprop ? " (\(o.convention.rawValue) convention)" : "")")
            return nil
        }
    }

    private mutating func scheduleLines() -> [String]? {
        switch t.schedule {
        case .constant:
            return ["return None, False"]
        case .step(let size, let gamma):
            return ["return torch.optim.lr_scheduler.StepLR(optimizer, \(size), gamma=\(Py.float(gamma))), False"]
        case .multiStep(let milestones, let gamma):
            return ["return torch.optim.lr_scheduler.MultiStepLR(optimizer, \(Py.list(milestones.map(String.init))), gamma=\(Py.float(gamma))), False"]
        case .exponential(let gamma):
            return ["return torch.optim.lr_scheduler.ExponentialLR(optimizer, \(Py.float(gamma))), False"]
        case .cosine(let warmup, let start, let minLR):
            let lr = Py.float(t.optimizer.lr)
            return [
                "total = max(1, EPOCHS * steps_per_epoch)",
                "",
                "def factor(step):  # linear warmup from \(Py.float(start)) * lr over \(warmup) steps, then cosine to \(Py.float(minLR))",
                "    if step < \(warmup):",
                "        return \(Py.float(start)) + (1 - \(Py.float(start))) * step / \(warmup)",
                "    progress = min(1.0, (step - \(warmup)) / max(1, total - \(warmup)))",
                "    return (\(Py.float(minLR)) + (\(lr) - \(Py.float(minLR))) * 0.5 * (1 + math.cos(math.pi * progress))) / \(lr)",
                "",
                "return torch.optim.lr_scheduler.LambdaLR(optimizer, factor), True",
            ]
        case .oneCycle(let maxLR, let pct, let div, let finalDiv, let cycle):
            return ["return torch.optim.lr_scheduler.OneCycleLR(optimizer, \(Py.float(maxLR)), total_steps=EPOCHS * steps_per_epoch, "
                    + "pct_start=\(Py.float(pct)), div_factor=\(Py.float(div)), final_div_factor=\(Py.float(finalDiv)), "
                    + "cycle_momentum=\(Py.bool(cycle))), True"]
        case .reduceOnPlateau(let monitor, let factor, let patience, let threshold, let cooldown, let minLR):
            guard ["val_loss", "val_accuracy"].contains(monitor) else {
                refusals.append("the plateau schedule on \(monitor)")
                return nil
            }
            return ["# Stepped per epoch with metrics[PLATEAU_MONITOR] (relative threshold, as Regula).",
                    "return torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, \(Py.string(monitor == "val_loss" ? "min" : "max")), "
                    + "factor=\(Py.float(factor)), patience=\(patience), threshold=\(Py.float(threshold)), cooldown=\(cooldown), "
                    + "min_lr=\(Py.float(minLR))), False"]
        }
    }
}
