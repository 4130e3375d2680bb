import Syntax
import Diagnostics

// `regularize:` selector rules. Each rule matches parameter tensors by layer kind, layer name
// pattern and tensor role, and sets regularization attributes on them:
//
//     regularize:
//       - {match: {role: [bias, norm]}, weight_decay: 0}     # timm's "no decay on 1-d params"
//       - {match: {kind: dense, role: weight}, l1: 1e-5}
//
// Precedence, most specific first: an attribute written on the layer itself, then the rules,
// then `defaults:`, then the optimizer's `weight_decay`. A rule sets decay and penalties on
// biases and normalization parameters directly (no `decay_bias` needed: matching them is the
// opt-in). Two rules that give one tensor different values of one attribute are an error at
// both; a rule, or an attribute of a rule, that sets nothing is a warning.

/// The role a rule matches: a layer's weight matrix or kernel, its bias, or a normalization
/// layer's scale and shift.
enum TensorRole: String, CaseIterable {
    case weight, bias, norm

    init?(_ cls: ParamClass) {
        switch cls {
        case .kernel: self = .weight
        case .bias: self = .bias
        case .norm: self = .norm
        case .buffer: return nil
        }
    }
}

/// The attributes a rule may set, and the ones that act on weight matrices only.
let ruleAttributes = regularizationArgs.filter { !["decay_bias", "decay_norm"].contains($0.name) }
private let weightOnlyAttributes: Set<String> = ["max_norm", "weight_norm", "spectral_norm", "dropconnect", "spectral_penalty"]
private let matchKeys = ["kind", "layer", "role"]

struct RegularizationRule {
    var kinds: [String]?
    var layers: [String]?
    var roles: [TensorRole]?
    var values: [String: ArgValue] = [:]
    /// Penalty strengths given as schedules; `values` holds the value each ends at.
    var schedules: [String: ScalarSchedule] = [:]
    var valueRanges: [String: SourceRange] = [:]
    /// The `match:` key, where "matches nothing" points.
    var matchRange: SourceRange

    func matches(_ row: ParamRow, layer: ELayer, path: String) -> Bool {
        guard let role = TensorRole(row.cls) else { return false }
        if let roles, !roles.contains(role) { return false }
        if let kinds, !kinds.contains(layer.spec.name) { return false }
        if let layers, !layers.contains(where: { pattern in
            globMatches(pattern, path) || layer.name.map { globMatches(pattern, $0.value) } == true
        }) {
            return false
        }
        return true
    }
}

/// The rules of a spec, and what they did (a class: every layer's resolution records into it).
final class RegularizationRules {
    private(set) var rules: [RegularizationRule] = []
    private var matched: Set<Int> = []
    private var tookEffect: Set<String> = []                  // "rule index/attribute"
    private var conflicts: Set<String> = []                   // "earlier/later/attribute", reported once
    private(set) var diagnostics: [Diagnostic] = []

    init(_ value: Value?, diagnostics d: inout [Diagnostic]) {
        guard let value else { return }
        guard case .list(let items) = value.kind else {
            d.append(Msg.rulesNotAList.error(value.range))
            return
        }
        for item in items {
            if let r = Self.rule(item, &d) { rules.append(r) }
        }
    }

    var isEmpty: Bool { rules.isEmpty }

    private static func rule(_ item: Value, _ d: inout [Diagnostic]) -> RegularizationRule? {
        guard case .map(let entries) = item.kind else {
            d.append(Msg.ruleNotAMap.error(item.range))
            return nil
        }
        guard let match = entries.first(where: { $0.key.value == "match" }) else {
            d.append(Msg.ruleWithoutMatch.error(item.range))
            return nil
        }
        var rule = RegularizationRule(matchRange: match.key.range)
        var ok = true
        for e in entries where e.key.value != "match" {
            guard let spec = ruleAttributes.first(where: { $0.name == e.key.value }) else {
                let hint = ["decay_bias", "decay_norm"].contains(e.key.value) ? Msg.ruleDecayFlag(e.key.value)
                    : Msg.unknownArgument(e.key.value, "regularize", closest(to: e.key.value, in: ruleAttributes.map(\.name) + ["match"]))
                d.append(hint.error(e.key.range))
                ok = false
                continue
            }
            switch convert(e.value, spec, kind: "regularize") {
            case .ok(let v): rule.values[spec.name] = v; rule.valueRanges[spec.name] = e.value.range
            case .scheduled(let v, let schedule):
                rule.values[spec.name] = v; rule.schedules[spec.name] = schedule; rule.valueRanges[spec.name] = e.value.range
            case .failed(let diag): d.append(diag); ok = false
            }
        }
        guard case .map(let criteria) = match.value.kind, !criteria.isEmpty else {
            d.append(Msg.ruleMatchNotAMap.error(match.value.range))
            return nil
        }
        for c in criteria {
            guard let words = strings(c.value) else {
                d.append(Msg.ruleCriterionType(c.key.value).error(c.value.range))
                ok = false
                continue
            }
            switch c.key.value {
            case "kind":
                var kinds: [String] = []
                for w in words {
                    guard let k = kindTable.first(where: { $0.name == w || $0.aliases.contains(w) }) else {
                        d.append(Msg.unknownKind(w, closest(to: w, in: kindTable.flatMap { [$0.name] + $0.aliases })).error(c.value.range))
                        ok = false
                        continue
                    }
                    guard k.parametric else {
                        d.append(Msg.ruleKindWithoutParameters(k.name).error(c.value.range))
                        ok = false
                        continue
                    }
                    kinds.append(k.name)
                }
                rule.kinds = kinds
            case "layer":
                rule.layers = words
            case "role":
                var roles: [TensorRole] = []
                for w in words {
                    guard let r = TensorRole(rawValue: w) else {
                        d.append(Msg.unknownChoice("tensor role", w, TensorRole.allCases.map(\.rawValue)).error(c.value.range))
                        ok = false
                        continue
                    }
                    roles.append(r)
                }
                rule.roles = roles
            default:
                d.append(Msg.unknownArgument(c.key.value, "match", closest(to: c.key.value, in: matchKeys)).error(c.key.range))
                ok = false
            }
        }
        if rule.values.isEmpty && ok {
            d.append(Msg.ruleSetsNothing.error(item.range))
            return nil
        }
        if let roles = rule.roles, !roles.contains(.weight) {
            for a in rule.values.keys.sorted() where weightOnlyAttributes.contains(a) {
                d.append(Msg.ruleWeightOnly(a).error(rule.valueRanges[a] ?? item.range))
                ok = false
            }
        }
        return ok ? rule : nil
    }

    /// A string, or a list of strings.
    private static func strings(_ v: Value) -> [String]? {
        switch v.kind {
        case .string(let s): return [s]
        case .list(let items):
            let words = items.compactMap { i -> String? in if case .string(let s) = i.kind { return s }; return nil }
            return words.count == items.count && !words.isEmpty ? words : nil
        default: return nil
        }
    }

    /// Notes which rules match a tensor (for the "matches nothing" warning).
    func recordMatches(_ row: ParamRow, layer: ELayer, path: String) {
        for (i, r) in rules.enumerated() where r.matches(row, layer: layer, path: path) { matched.insert(i) }
    }

    /// The value the rules give attribute `a` of a tensor, its schedule if the rule gives one,
    /// and the rule's index; records a conflict when two matching rules disagree (two schedules
    /// disagree unless equal, a schedule and a number always do).
    func value(_ a: String, for row: ParamRow, layer: ELayer, path: String) -> (ArgValue, ScalarSchedule?, Int)? {
        var found: (ArgValue, ScalarSchedule?, Int)?
        for (i, r) in rules.enumerated() where r.matches(row, layer: layer, path: path) {
            guard let v = r.values[a] else { continue }
            let schedule = r.schedules[a]
            if let (earlier, earlierSchedule, j) = found {
                if (earlier != v || earlierSchedule != schedule) && conflicts.insert("\(j)/\(i)/\(a)").inserted {
                    let before = text(earlier, earlierSchedule), now = text(v, schedule)
                    diagnostics.append(Msg.ruleConflict(a, path + "." + row.suffix, before, now)
                        .error(r.valueRanges[a] ?? r.matchRange,
                               notes: [Note("the other rule sets \(a): \(before)", at: rules[j].valueRanges[a])]))
                }
                continue
            }
            found = (v, schedule, i)
        }
        return found
    }

    /// Records that rule `i`'s attribute `a` set a tensor's value.
    func used(_ i: Int, _ a: String) { tookEffect.insert("\(i)/\(a)") }

    /// Conflicts, and warnings for rules that match no parameter or set nothing they match.
    func finish() -> [Diagnostic] {
        var out = diagnostics
        for (i, r) in rules.enumerated() {
            guard matched.contains(i) else {
                out.append(Msg.ruleMatchesNothing.warning(r.matchRange))
                continue
            }
            for a in r.values.keys.sorted() where !tookEffect.contains("\(i)/\(a)") {
                let why = weightOnlyAttributes.contains(a) ? "it acts on weights, and the rule matches none"
                    : "every tensor it matches sets \(a) on its layer"
                out.append(Msg.ruleAttributeUnused(a, why).warning(r.valueRanges[a] ?? r.matchRange))
            }
        }
        return out
    }
}

/// A rule's value as the spec writes it: `0.0001`, `true`; a schedule as `summary` shows it
/// (`0 → 0.001 linear over 2 epochs`).
private func text(_ v: ArgValue, _ schedule: ScalarSchedule? = nil) -> String {
    if let schedule { return schedule.summary }
    switch v {
    case .number(let d): return formatNumber(d)
    case .int(let i): return String(i)
    case .bool(let b): return String(b)
    default: return "\(v)"
    }
}

/// Shell-style pattern: `*` any run of characters, `?` one character, everything else literal.
func globMatches(_ pattern: String, _ text: String) -> Bool {
    let p = Array(pattern), t = Array(text)
    var pi = 0, ti = 0, star = -1, mark = 0
    while ti < t.count {
        if pi < p.count && (p[pi] == "?" || p[pi] == t[ti]) {
            pi += 1; ti += 1
        } else if pi < p.count && p[pi] == "*" {
            star = pi; mark = ti; pi += 1
        } else if star >= 0 {
            pi = star + 1; mark += 1; ti = mark
        } else {
            return false
        }
    }
    while pi < p.count && p[pi] == "*" { pi += 1 }
    return pi == p.count
}
