import Foundation
import Syntax
import Diagnostics

// Per-parameter regularization: the layer's attribute, else `defaults:`, else the optimizer's
// global weight decay (for decay only). Kernels get decay and penalties; biases and
// normalization parameters get none unless the spec opts in (`decay_bias: true`,
// `decay_norm: true`, or decay written on the normalization layer itself), as timm's
// `param_groups_weight_decay` and MMEngine's `norm_decay_mult=0` do.

/// The `defaults:` section, checked against the regularization attribute rows.
struct RegularizationDefaults {
    var values: [String: ArgValue] = [:]
    /// Penalty strengths given as schedules; `values` holds the value each ends at.
    var schedules: [String: ScalarSchedule] = [:]

    init() {}

    init(_ entries: [Entry], diagnostics: inout [Diagnostic]) {
        let names = regularizationArgs.map(\.name)
        for e in entries {
            guard let spec = regularizationArgs.first(where: { $0.name == e.key.value }) else {
                diagnostics.append(Msg.unknownArgument(e.key.value, "defaults", closest(to: e.key.value, in: names)).error(e.key.range))
                continue
            }
            switch convert(e.value, spec, kind: "defaults") {
            case .ok(let v): values[spec.name] = v
            case .scheduled(let v, let schedule): values[spec.name] = v; schedules[spec.name] = schedule
            case .failed(let d): diagnostics.append(d)
            }
        }
    }

    func bool(_ a: String) -> Bool? { values[a]?.boolValue }
}

/// The resolved regularization of one parameter of `layer` (state_dict prefix `path`): the
/// layer's own attribute, else a matching `regularize:` rule's, else `defaults:`, else the
/// optimizer's decay. Decay and penalties reach biases and normalization parameters from the
/// layer and `defaults:` only with `decay_bias`/`decay_norm`; a rule that matches them sets them.
func regularization(_ row: ParamRow, layer: ELayer, path: String, defaults: RegularizationDefaults,
                    rules: RegularizationRules, optimizerDecay: Strength) -> Regularization {
    var r = Regularization()
    func flag(_ a: String) -> Bool { layer.bool(a) ?? defaults.bool(a) ?? false }
    let applies: Bool
    switch row.cls {
    case .kernel: applies = true
    case .bias: applies = flag("decay_bias")
    case .norm: applies = flag("decay_norm") || ["weight_decay", "l1", "l2"].contains { layer.args[$0] != nil }
    case .buffer: applies = false
    }
    rules.recordMatches(row, layer: layer, path: path)
    /// The layer's value if it applies, else a rule's, else `defaults:`' if it applies; a
    /// schedule the value comes with goes to `r.schedules`.
    func value(_ a: String, layerApplies: Bool) -> ArgValue? {
        if layerApplies, let v = layer.args[a] {
            r.schedules[a] = layer.schedules[a]
            return v
        }
        if let (v, schedule, i) = rules.value(a, for: row, layer: layer, path: path) {
            rules.used(i, a)
            r.rules.append(RuleSetting(attribute: a, rule: i + 1))
            r.schedules[a] = schedule
            return v
        }
        guard layerApplies, let v = defaults.values[a] else { return nil }
        r.schedules[a] = defaults.schedules[a]
        return v
    }
    if let v = value("weight_decay", layerApplies: applies)?.numberValue {
        r.weightDecay = v
    } else if applies {
        r.weightDecay = optimizerDecay.value
        r.schedules["weight_decay"] = optimizerDecay.schedule
    }
    r.l1 = value("l1", layerApplies: applies)?.numberValue ?? 0
    r.l2 = value("l2", layerApplies: applies)?.numberValue ?? 0
    if row.cls == .kernel {
        r.maxNorm = value("max_norm", layerApplies: true)?.numberValue
        r.spectralPenalty = value("spectral_penalty", layerApplies: true)?.numberValue ?? 0
        r.weightNorm = value("weight_norm", layerApplies: true)?.boolValue ?? false
        r.spectralNorm = value("spectral_norm", layerApplies: true)?.boolValue ?? false
        r.dropConnect = value("dropconnect", layerApplies: true)?.numberValue ?? 0
    }
    return r
}

/// A penalty strength: a number (the value a schedule ends at), and the schedule if the spec
/// gives one.
struct Strength {
    var value: Double
    var schedule: ScalarSchedule?
}

/// A short text of the nonzero attributes (`wd 0.01, l1 1e-05, max_norm 3`; a schedule as
/// `l2 0 → 0.001 linear over 2 epochs`), "" when none.
public func describe(_ r: Regularization) -> String {
    var parts: [String] = []
    func strength(_ a: String, _ label: String) {
        if let s = r.schedules[a] { parts.append("\(label) \(s.summary)") } else if r.strength(a) != 0 { parts.append("\(label) \(formatNumber(r.strength(a)))") }
    }
    strength("weight_decay", "wd")
    strength("l1", "l1")
    strength("l2", "l2")
    if let m = r.maxNorm { parts.append("max_norm \(formatNumber(m))") }
    strength("spectral_penalty", "spectral_penalty")
    if r.weightNorm { parts.append("weight_norm") }
    if r.spectralNorm { parts.append("spectral_norm") }
    if r.dropConnect != 0 { parts.append("dropconnect \(formatNumber(r.dropConnect))") }
    return parts.joined(separator: ", ")
}

/// Up to six significant digits: `0.0005`, `0.833333`, `1e-05`.
func formatNumber(_ x: Double) -> String {
    if x == x.rounded(), abs(x) < 1e9 { return String(Int(x)) }
    return String(format: "%.6g", x)
}
