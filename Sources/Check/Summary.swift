// `regula summary`: one row per node of the checked graph (output shape, parameter count,
// regularization), totals of trainable and non-trainable parameters and their memory, and the
// `--params` listing of every state_dict tensor.

public struct ModelSummary: Equatable {
    public struct Row: Equatable {
        /// The spec's name, else the state_dict path.
        public var name: String
        public var kind: String
        public var shape: String
        public var params: Int
        /// Resolved regularization and stochastic options (`weight: wd 0.01`, `p 0.5`).
        public var regularization: String
    }

    public struct Param: Equatable {
        public var name: String
        public var shape: [Int]
        public var trainable: Bool
        public var regularization: String
        /// The attributes `regularize:` rules set, with each rule's number (`weight_decay: rule 1`).
        public var rules: String
    }

    public var model: String
    public var rows: [Row]
    public var params: [Param]
    public var trainable: Int
    public var nonTrainable: Int
    /// float32 storage of every parameter and buffer.
    public var bytes: Int
    /// The regularizers outside the layers (loss, data pipeline, training loop), one per line.
    public var training: [String] = []
}

public func summarize(_ model: CheckedModel) -> ModelSummary {
    var rows: [ModelSummary.Row] = []
    var params: [ModelSummary.Param] = []
    var trainable = 0, frozen = 0
    for n in model.nodes {
        var reg: [String] = []
        if let options = describeOptions(n.op, n.schedules) { reg.append(options) }
        for p in n.params {
            if p.trainable { trainable += p.count } else { frozen += p.count }
            let text = describe(p.regularization)
            let rules = p.regularization.rules.map { "\($0.attribute): rule \($0.rule)" }
            params.append(ModelSummary.Param(name: p.name, shape: p.shape, trainable: p.trainable, regularization: text,
                                             rules: rules.joined(separator: ", ")))
            if !text.isEmpty {
                let suffix = String(p.name.dropFirst(n.path.count + 1))
                reg.append("\(suffix): \(text)")
            }
        }
        rows.append(ModelSummary.Row(name: n.name ?? (n.path.isEmpty ? "input" : n.path), kind: n.displayKind,
                                     shape: show(n.shape), params: n.params.filter(\.trainable).reduce(0) { $0 + $1.count },
                                     regularization: reg.joined(separator: "; ")))
    }
    return ModelSummary(model: model.name, rows: rows, params: params, trainable: trainable, nonTrainable: frozen,
                        bytes: (trainable + frozen) * 4, training: describeTraining(model.training))
}

/// The regularizers a spec sets outside its layers, as `regula summary` lists them.
private func describeTraining(_ t: TrainingConfig) -> [String] {
    var out: [String] = []
    if t.loss.labelSmoothing > 0 {
        out.append("label smoothing \(show(t.loss.labelSmoothing))\(t.loss.smoothingVariant == .offTarget ? " (off_target)" : "")")
    }
    for a in t.data.augment {
        let kind: String
        switch a.kind {
        case .randomCrop(let p): kind = "random crop, padding \(p)"
        case .flip(let h, let v, let p): kind = "flip \(h && v ? "both axes" : h ? "horizontal" : "vertical"), p \(show(p))"
        case .cutout(let size): kind = "cutout \(size)×\(size)"
        case .rotate(let d): kind = "rotate ±\(show(d))°"
        case .translate(let f): kind = "translate ±\(show(f))"
        case .zoom(let f): kind = "zoom ±\(show(f))"
        case .colorJitter(let b, let c, let sat, let h):
            kind = "color jitter " + [("brightness", b), ("contrast", c), ("saturation", sat), ("hue", h)]
                .filter { $0.1 > 0 }.map { "\($0.0) \(show($0.1))" }.joined(separator: ", ")
        case .mixup(let x, let p): kind = "mixup α \(a.alphaSchedule?.summary ?? show(x))\(p < 1 ? ", p \(show(p))" : "")"
        case .cutmix(let x, let p): kind = "cutmix α \(a.alphaSchedule?.summary ?? show(x))\(p < 1 ? ", p \(show(p))" : "")"
        }
        out.append("augment: " + kind + (a.epochs.map { ", first \($0) epochs" } ?? ""))
    }
    if let a = t.adversarial {
        let attack = a.method == .fgsm ? "fgsm ε \(show(a.epsilon))"
            : "pgd ε \(show(a.epsilon)), \(a.steps) steps of \(show(a.stepSize))\(a.randomStart ? " from a random start" : "")"
        out.append("adversarial: \(attack) (pixel values in [\(show(a.clipLow)), \(show(a.clipHigh))]), clean weight \(show(a.mix))")
    }
    if let c = t.consistency {
        let ramp = c.rampUp > 0 ? ", ramped up over \(c.rampUp) epochs" : ""
        let weight = c.weightSchedule?.summary ?? show(c.weight)
        out.append(c.method == .pi ? "consistency: Π-model, weight \(weight)\(ramp)"
            : "consistency: mean teacher (decay \(show(c.emaDecay)), used for evaluation), weight \(weight)\(ramp)")
    }
    if let c = t.clipGradNorm { out.append("gradient clipping at norm \(show(c))") }
    if let n = t.gradientNoise { out.append("gradient noise η \(show(n.eta)), γ \(show(n.gamma))") }
    if let d = t.emaDecay { out.append("weight average (EMA) decay \(show(d)), used for evaluation") }
    if let e = t.earlyStopping {
        out.append("early stopping on \(e.monitor), patience \(e.patience)\(e.restoreBest ? ", best weights restored" : "")")
    }
    return out
}

/// The stochastic and regularizing options of an op, for the summary's last column.
/// A scheduled argument reads as its schedule (`p 0 → 0.3 linear over 5 epochs`).
private func describeOptions(_ op: LayerOp, _ schedules: [String: ScalarSchedule] = [:]) -> String? {
    func p(_ x: Double) -> String { schedules["p"]?.summary ?? formatNumber(x) }
    func survival(_ sd: StochasticDepth?) -> String {
        sd.map { ", survival \(schedules["stochastic_depth"]?.summary ?? formatNumber($0.survival)) per \($0.mode.rawValue)" } ?? ""
    }
    switch op {
    case .dropout(let x, let s): return "p \(p(x))" + (s == .classic ? ", classic" : "")
    case .spatialDropout(let x): return "p \(p(x)) per channel"
    case .alphaDropout(let x): return "p \(p(x)), alpha"
    case .dropBlock(let x, let bs, let steps):
        return "p \(p(x)), \(bs)×\(bs) blocks per channel" + (steps.map { ", linear over \($0) steps" } ?? "")
    case .lockedDropout(let x): return "p \(p(x)) per feature, every step"
    case .gaussianNoise(let s, let m): return (m ? "×(1 + N(0, σ²))" : "+ N(0, σ²)") + ", σ \(formatNumber(s))"
    case .lstm(_, _, _, let d, let rd, let z), .gru(_, _, _, let d, let rd, let z):
        let parts = [d > 0 ? "dropout \(formatNumber(d))" : nil, rd > 0 ? "recurrent_dropout \(formatNumber(rd))" : nil,
                     z > 0 ? "zoneout \(formatNumber(z))" : nil].compactMap { $0 }
        return parts.isEmpty ? nil : parts.joined(separator: ", ")
    case .attention(_, _, let d, _): return d > 0 ? "attention dropout \(formatNumber(d))" : nil
    case .embedding(_, _, let p): return p > 0 ? "embedding dropout \(formatNumber(p)) per word" : nil
    case .residual(let sd?): return String(survival(sd).dropFirst(2))
    case .shakeShake(let s): return "shake-shake \(s.forward.rawValue)-\(s.backward.rawValue)-\(s.level.rawValue)" + survival(s.stochasticDepth)
    case .shakeDrop(let s):
        return "shakedrop p \(formatNumber(s.p)), α [\(formatNumber(s.alpha.lowerBound)), \(formatNumber(s.alpha.upperBound))], β [\(formatNumber(s.beta.lowerBound)), \(formatNumber(s.beta.upperBound))]"
            + survival(s.stochasticDepth)
    default: return nil
    }
}

/// `269,322`.
public func groupedNumber(_ n: Int) -> String {
    let digits = Array(String(abs(n)))
    var out = ""
    for (k, c) in digits.enumerated() {
        if k > 0 && (digits.count - k) % 3 == 0 { out.append(",") }
        out.append(c)
    }
    return (n < 0 ? "-" : "") + out
}

private func table(_ header: [String], _ rows: [[String]], rightAligned: Set<Int>) -> String {
    var widths = header.map(\.count)
    for r in rows { for (k, c) in r.enumerated() { widths[k] = max(widths[k], c.count) } }
    func line(_ cells: [String]) -> String {
        var parts: [String] = []
        for (k, c) in cells.enumerated() {
            let pad = String(repeating: " ", count: widths[k] - c.count)
            parts.append(rightAligned.contains(k) ? pad + c : (k == cells.count - 1 ? c : c + pad))
        }
        var text = parts.joined(separator: "  ")
        while text.last == " " { text.removeLast() }
        return text
    }
    let rule = String(repeating: "─", count: widths.reduce(0, +) + 2 * (widths.count - 1))
    return ([line(header), rule] + rows.map(line)).joined(separator: "\n")
}

/// The plain-text table `regula summary` prints.
public func renderSummary(_ s: ModelSummary) -> String {
    let rows = s.rows.map { [$0.name, $0.kind, $0.shape, groupedNumber($0.params), $0.regularization] }
    return "model \(s.model)\n"
        + table(["layer", "kind", "output", "params", "regularization"], rows, rightAligned: [3]) + "\n\n"
        + "trainable parameters:     \(groupedNumber(s.trainable))\n"
        + "non-trainable parameters: \(groupedNumber(s.nonTrainable))\n"
        + "parameter memory:         \(formatBytes(UInt64(s.bytes))) (float32)\n"
        + (s.training.isEmpty ? "" : "\ntraining regularizers:\n" + s.training.map { "  \($0)\n" }.joined())
}

/// The `regula summary --params` listing: every state_dict tensor, and which `regularize:` rule
/// set what (a column shown when a rule set anything).
public func renderParams(_ s: ModelSummary) -> String {
    let withRules = s.params.contains { !$0.rules.isEmpty }
    let rows = s.params.map { p in
        ["\(p.name)", "[" + p.shape.map(String.init).joined(separator: ", ") + "]", p.trainable ? "yes" : "no",
         p.regularization.isEmpty && !p.rules.isEmpty ? "none" : p.regularization] + (withRules ? [p.rules] : [])
    }
    let header = ["name", "shape", "trainable", "regularization"] + (withRules ? ["set by rule"] : [])
    return table(header, rows, rightAligned: []) + "\n"
}
