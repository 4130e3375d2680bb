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
            case .failed(let d): diagnostics.append(d)
            case .scheduled: preconditionFailure("regularization attributes are not schedulable")
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
                    rules: RegularizationRules, optimizerDecay: Double) -> Regularization {
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
    /// The layer's value if it applies, else a rule's, else `defaults:`' if it applies.
    func value(_ a: String, layerApplies: Bool) -> ArgValue? {
        if layerApplies, let v = layer.args[a] { return v }
        if let (v, i) = rules.value(a, for: row, layer: layer, path: path) {
            rules.used(i, a)
            r.rules.append(RuleSetting(attribute: a, rule: i + 1))
            return v
        }
        return layerApplies ? defaults.values[a] : nil
    }
    r.weightDecay = value("weight_decay", layerApplies: applies)?.numberValue ?? (applies ? optimizerDecay : 0)
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

/// A short text of the nonzero attributes (`wd 0.01, l1 1e-05, max_norm 3`), "" when none.
public func describe(_ r: Regularization) -> String {
    var parts: [String] = []
    if r.weightDecay != 0 { parts.append("wd \(formatNumber(r.weightDecay))") }
    if r.l1 != 0 { parts.append("l1 \(formatNumber(r.l1))") }
    if r.l2 != 0 { parts.append("l2 \(formatNumber(r.l2))") }
    if let m = r.maxNorm { parts.append("max_norm \(formatNumber(m))") }
    if r.spectralPenalty != 0 { parts.append("spectral_penalty \(formatNumber(r.spectralPenalty))") }
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
