import Syntax
import Diagnostics

// Argument conversion: a spec `Value` (after expression substitution) to a typed `ArgValue`,
// driven by the `ArgSpec` rows of the kinds table.

extension Value {
    var intValue: Int? { if case .int(let i) = kind { return i }; return nil }
    var numberValue: Double? {
        switch kind {
        case .int(let i): return Double(i)
        case .float(let d): return d
        default: return nil
        }
    }
    var stringValue: String? { if case .string(let s) = kind { return s }; return nil }
    var boolValue: Bool? { if case .bool(let b) = kind { return b }; return nil }
    var listValue: [Value]? { if case .list(let l) = kind { return l }; return nil }
    var mapValue: [Entry]? { if case .map(let m) = kind { return m }; return nil }
}

/// The largest size or count an argument may have (2³¹ − 1), so shape and parameter arithmetic
/// cannot overflow.
let maxSize = Int(Int32.max)

/// The result of converting one argument: the value, or the diagnostic explaining why not.
enum Converted {
    case ok(ArgValue)
    /// A schedule map for a schedulable argument: the value it ends at, and the schedule.
    case scheduled(ArgValue, ScalarSchedule)
    case failed(Diagnostic)
}

/// Converts `v` to the type `spec` asks for and checks its range. `kind` names the layer kind in messages.
func convert(_ v: Value, _ spec: ArgSpec, kind: String) -> Converted {
    let typeError = Converted.failed(Msg.wrongType(spec.name, kind, spec.type).error(v.range))
    func ranged(_ x: Double) -> Diagnostic? {
        if let r = spec.range, !r.contains(x) { return Msg.outOfRange(spec.name, kind, r, x).error(v.range) }
        if abs(x) > Double(maxSize) { return Msg.tooBig(spec.name, kind).error(v.range) }
        return nil
    }
    func intList(_ items: [Value], count: Int?) -> [Int]? {
        if let c = count, items.count != c { return nil }
        let ints = items.compactMap(\.intValue)
        return ints.count == items.count ? ints : nil
    }
    if isScheduleMap(v) || (spec.type == .survival && v.mapValue?.first { $0.key.value == "survival" || $0.key.value == "p" }.map { isScheduleMap($0.value) } == true) {
        return scheduled(v, spec, kind: kind)
    }
    switch spec.type {
    case .int:
        guard let i = v.intValue else { return typeError }
        if let d = ranged(Double(i)) { return .failed(d) }
        return .ok(.int(i))
    case .number:
        guard let x = v.numberValue else { return typeError }
        if let d = ranged(x) { return .failed(d) }
        return .ok(.number(x))
    case .bool:
        guard let b = v.boolValue else { return typeError }
        return .ok(.bool(b))
    case .choice(let choices):
        guard let s = v.stringValue else { return typeError }
        if !choices.isEmpty && !choices.contains(s) {
            return .failed(Msg.badChoice(spec.name, kind, s, choices).error(v.range))
        }
        return .ok(.string(s))
    case .intPair, .padding:
        if spec.type == .padding, let s = v.stringValue {
            guard s == "same" || s == "valid" else {
                return .failed(Msg.badChoice(spec.name, kind, s, ["same", "valid"]).error(v.range))
            }
            return .ok(.keyword(s))
        }
        let pair: [Int]
        if let i = v.intValue { pair = [i, i] } else if let l = v.listValue, let p = intList(l, count: 2) { pair = p } else { return typeError }
        for x in pair { if let d = ranged(Double(x)) { return .failed(d) } }
        return .ok(.ints(pair))
    case .intList:
        guard let l = v.listValue, let ints = intList(l, count: nil) else { return typeError }
        for x in ints { if let d = ranged(Double(x)) { return .failed(d) } }
        return .ok(.ints(ints))
    case .intOrList:
        let ints: [Int]
        if let i = v.intValue { ints = [i] } else if let l = v.listValue, !l.isEmpty, let x = intList(l, count: nil) { ints = x } else { return typeError }
        for x in ints { if let d = ranged(Double(x)) { return .failed(d) } }
        return .ok(.ints(ints))
    case .layers:
        if case .layers(let items) = v.kind { return .ok(.layers(items)) }
        if let l = v.listValue, l.isEmpty { return .ok(.layers([])) }
        return typeError
    case .shortcut:
        if case .layers(let items) = v.kind { return .ok(.layers(items)) }
        if let l = v.listValue, l.isEmpty { return .ok(.layers([])) }
        if v.stringValue == "none" { return .ok(.none) }
        return typeError
    case .branches:
        guard let l = v.listValue else { return typeError }
        var lists: [[LayerItem]] = []
        for b in l {
            if case .layers(let items) = b.kind { lists.append(items) } else { return typeError }
        }
        return .ok(.branches(lists))
    case .survival:
        if let x = v.numberValue {
            if let d = ranged(x) { return .failed(d) }
            return .ok(.survival(x, .batch))
        }
        guard let m = v.mapValue else { return typeError }
        let checkSurvival = { (x: Value) -> Diagnostic? in
            guard let n = x.numberValue else { return Msg.wrongType("survival", kind, .number).error(x.range) }
            if let r = spec.range, !r.contains(n) { return Msg.outOfRange("survival", kind, r, n).error(x.range) }
            return nil
        }
        let (given, mode): (Value?, StochasticDepth.Mode)
        switch survivalMap(m, spec, kind: kind, check: checkSurvival) {
        case .failure(let e): return .failed(e.diagnostic)
        case .success(let r): (given, mode) = r
        }
        guard let survival = given?.numberValue else { return .failed(Msg.missingArgument("survival", spec.name).error(v.range)) }
        return .ok(.survival(survival, mode))
    case .numberRange:
        guard let l = v.listValue, l.count == 2, let lo = l[0].numberValue, let hi = l[1].numberValue else { return typeError }
        guard lo <= hi else { return .failed(Msg.badRange(spec.name, kind).error(v.range)) }
        return .ok(.range(lo, hi))
    }
}

/// A schedule given for argument `spec` (`p: {schedule: linear, …}`; for stochastic depth also
/// `{survival: {schedule: …}, mode: sample}`), refused unless the kinds table marks it schedulable.
private func scheduled(_ v: Value, _ spec: ArgSpec, kind: String) -> Converted {
    guard spec.schedulable else { return .failed(Msg.notSchedulable(spec.name, kind, spec.type).error(v.range)) }
    var map = v, mode = StochasticDepth.Mode.batch
    if spec.type == .survival, !isScheduleMap(v), let entries = v.mapValue {
        switch survivalMap(entries, spec, kind: kind) {
        case .failure(let e): return .failed(e.diagnostic)
        case .success(let r): (map, mode) = (r.value ?? v, r.mode)
        }
    }
    switch readSchedule(map, name: spec.type == .survival ? "survival" : spec.name, kind: kind, range: spec.range) {
    case .failure(let e): return .failed(e.diagnostic)
    case .success(let s): return .scheduled(spec.type == .survival ? .survival(s.final, mode) : .number(s.final), s)
    }
}

/// The entries of `{survival: …, mode: batch | sample}` (the survival also as `p`): the
/// survival's value, if given, and the mode. `check` vets the survival's value where it stands,
/// so errors come in the order they are written.
private func survivalMap(_ entries: [Entry], _ spec: ArgSpec, kind: String, check: (Value) -> Diagnostic? = { _ in nil })
    -> Result<(value: Value?, mode: StochasticDepth.Mode), ScheduleError> {
    var value: Value?, mode = StochasticDepth.Mode.batch
    for e in entries {
        switch e.key.value {
        case "survival", "p":
            if let d = check(e.value) { return .failure(ScheduleError(diagnostic: d)) }
            value = e.value
        case "mode":
            guard let s = e.value.stringValue, let m = StochasticDepth.Mode(rawValue: s) else {
                return .failure(ScheduleError(diagnostic: Msg.badChoice("mode", kind, e.value.stringValue ?? "?", ["batch", "sample"]).error(e.value.range)))
            }
            mode = m
        default:
            return .failure(ScheduleError(diagnostic: Msg.unknownArgument(e.key.value, spec.name,
                                                                          closest(to: e.key.value, in: ["survival", "mode"])).error(e.key.range)))
        }
    }
    return .success((value, mode))
}
