import Syntax
import Diagnostics

// Scheduled scalars: a regularizer's number written either as a plain number or, in the same
// keyword, as a schedule map, so that specs read alike in YAML and the DSL:
//
//     p: {schedule: linear, from: 0, to: 0.3, epochs: 5}          from → to over 5 epochs (start: 0)
//     p: {schedule: cosine, from: 0.3, to: 0.1, steps: 2000, start: 500}
//     p: {schedule: step, values: [0, 0.1, 0.3], epochs: [2, 4]}  0 until epoch 2, 0.1 until 4, then 0.3
//     p: {schedule: constant, value: 0.3}
//
// Exactly one of `epochs` or `steps` gives the unit: the length of a ramp, the milestones of a
// step schedule. The runtime's `ValueSchedule` evaluates it; `final` is the value once it is
// over, which the checked layer keeps as its number (evaluation, inference and export use it).

/// A schedule as the spec wrote it, with the source range of its map (for diagnostics only: two
/// schedules are equal, and print alike, wherever they are written, so a spec and its DSL twin
/// check to the same model).
public struct ScalarSchedule: Hashable, Sendable, CustomStringConvertible {
    public enum Unit: String, Hashable, Sendable { case epochs, steps }
    public enum Form: Hashable, Sendable {
        case constant(Double)
        case linear(from: Double, to: Double, start: Int, length: Int)
        case cosine(from: Double, to: Double, start: Int, length: Int)
        case step(values: [Double], milestones: [Int])
    }
    public var form: Form
    public var unit: Unit
    public var range: SourceRange

    public init(_ form: Form, unit: Unit, range: SourceRange) {
        self.form = form
        self.unit = unit
        self.range = range
    }

    public static func == (a: ScalarSchedule, b: ScalarSchedule) -> Bool { a.form == b.form && a.unit == b.unit }
    public func hash(into h: inout Hasher) {
        h.combine(form)
        h.combine(unit)
    }
    public var description: String { "ScalarSchedule(\(form), \(unit))" }

    /// The value once the schedule is over.
    public var final: Double {
        switch form {
        case .constant(let v): return v
        case .linear(_, let to, _, _), .cosine(_, let to, _, _): return to
        case .step(let values, _): return values.last ?? 0
        }
    }

    /// Where the schedule stops changing, in its unit.
    public var end: Int {
        switch form {
        case .constant: return 0
        case .linear(_, _, let start, let length), .cosine(_, _, let start, let length): return start + length
        case .step(_, let milestones): return milestones.last ?? 0
        }
    }

    /// One line for `regula summary`: `0 → 0.3 linear over 5 epochs`.
    public var summary: String {
        func n(_ x: Double) -> String { formatNumber(x) }
        let unit = self.unit.rawValue
        switch form {
        case .constant(let v): return "\(n(v)) constant"
        case let .linear(from, to, start, length), let .cosine(from, to, start, length):
            var name = "linear"
            if case .cosine = form { name = "cosine" }
            let single = length == 1 ? String(unit.dropLast()) : unit
            return "\(n(from)) → \(n(to)) \(name) over \(length) \(single)" + (start > 0 ? " from \(unit.dropLast()) \(start)" : "")
        case let .step(values, milestones):
            var parts = [n(values[0])]
            for (m, v) in zip(milestones, values.dropFirst()) { parts.append("\(n(v)) at \(unit.dropLast()) \(m)") }
            return parts.joined(separator: ", ") + " (step)"
        }
    }

    /// The schedule forms and the keys each reads besides `schedule` and the unit.
    static let forms: [(name: String, keys: [String])] = [
        ("constant", ["value"]), ("linear", ["from", "to", "start"]), ("cosine", ["from", "to", "start"]), ("step", ["values"]),
    ]
    static let formNames = forms.map(\.name)
}

/// A map value that asks for a schedule (`{schedule: …}`) rather than holding other arguments.
func isScheduleMap(_ v: Value) -> Bool {
    v.mapValue?.contains { $0.key.value == "schedule" } == true
}

/// Why a schedule map is refused.
struct ScheduleError: Error {
    let diagnostic: Diagnostic
}

/// Reads a schedule map for argument `name` of `kind`; every value it can take is checked
/// against `range` at the line of that value.
func readSchedule(_ v: Value, name: String, kind: String, range: ArgRange?) -> Result<ScalarSchedule, ScheduleError> {
    do { return .success(try parseSchedule(v, name: name, kind: kind, range: range)) } catch let e as ScheduleError {
        return .failure(e)
    } catch {
        preconditionFailure("unexpected error \(error)")
    }
}

private func parseSchedule(_ v: Value, name: String, kind: String, range: ArgRange?) throws -> ScalarSchedule {
    func fail(_ m: Message, _ at: SourceRange) -> ScheduleError { ScheduleError(diagnostic: m.error(at)) }
    guard let entries = v.mapValue else { throw fail(Msg.wrongType(name, kind, .number), v.range) }
    let what = "\(name) schedule"
    var byKey: [String: Entry] = [:]
    for e in entries {
        if byKey[e.key.value] != nil { throw fail(Msg.duplicateArgument(e.key.value, what), e.key.range) }
        byKey[e.key.value] = e
    }
    guard let formEntry = byKey["schedule"] else { throw fail(Msg.missingArgument("schedule", what), v.range) }
    guard let formName = formEntry.value.stringValue, let form = ScalarSchedule.forms.first(where: { $0.name == formName }) else {
        throw fail(Msg.badChoice("schedule", kind, formEntry.value.stringValue ?? "?", ScalarSchedule.formNames), formEntry.value.range)
    }
    let allowed = ["schedule"] + (formName == "constant" ? [] : ["epochs", "steps"]) + form.keys
    for e in entries where !allowed.contains(e.key.value) {
        throw fail(Msg.unknownScheduleKey(e.key.value, formName, closest(to: e.key.value, in: allowed)), e.key.range)
    }
    // The unit: exactly one of epochs and steps (a constant takes neither).
    let epochs = byKey["epochs"], steps = byKey["steps"]
    if let e = epochs, let s = steps { throw fail(Msg.scheduleBothUnits(name, kind), e.key.range.union(s.value.range)) }
    let unit: ScalarSchedule.Unit = steps != nil ? .steps : .epochs
    func point(_ key: String) throws -> Double {
        guard let e = byKey[key] else { throw fail(Msg.missingArgument(key, "\(formName) schedule"), v.range) }
        guard let x = e.value.numberValue else { throw fail(Msg.wrongType(key, "\(formName) schedule", .number), e.value.range) }
        try inRange(x, e.value.range)
        return x
    }
    func inRange(_ x: Double, _ at: SourceRange) throws {
        if let r = range, !r.contains(x) { throw fail(Msg.outOfRange(name, kind, r, x), at) }
    }
    func count(_ e: Entry, positive: Bool) throws -> Int {
        let r: ArgRange = positive ? .positive : .nonNegative
        guard let i = e.value.intValue else { throw fail(Msg.wrongType(e.key.value, "\(formName) schedule", .int), e.value.range) }
        if !r.contains(Double(i)) { throw fail(Msg.outOfRange(e.key.value, "\(formName) schedule", r, Double(i)), e.value.range) }
        if i > maxSize { throw fail(Msg.tooBig(e.key.value, "\(formName) schedule"), e.value.range) }
        return i
    }
    let result: ScalarSchedule.Form
    switch formName {
    case "constant":
        result = .constant(try point("value"))
    case "linear", "cosine":
        guard let u = epochs ?? steps else { throw fail(Msg.scheduleNeedsUnit(name, kind, formName), v.range) }
        let start = try byKey["start"].map { try count($0, positive: false) } ?? 0
        let from = try point("from"), to = try point("to"), length = try count(u, positive: true)
        result = formName == "linear" ? .linear(from: from, to: to, start: start, length: length)
                                      : .cosine(from: from, to: to, start: start, length: length)
    default:   // step
        guard let u = epochs ?? steps else { throw fail(Msg.scheduleNeedsUnit(name, kind, formName), v.range) }
        guard let valuesEntry = byKey["values"] else { throw fail(Msg.missingArgument("values", "step schedule"), v.range) }
        guard let items = valuesEntry.value.listValue, !items.isEmpty else { throw fail(Msg.scheduleValues, valuesEntry.value.range) }
        var values: [Double] = []
        for item in items {
            guard let x = item.numberValue else { throw fail(Msg.scheduleValues, item.range) }
            try inRange(x, item.range)
            values.append(x)
        }
        guard let marks = u.value.listValue else { throw fail(Msg.scheduleMilestones(u.key.value), u.value.range) }
        var milestones: [Int] = []
        for m in marks {
            guard let i = m.intValue, i > (milestones.last ?? 0), i <= maxSize else { throw fail(Msg.scheduleMilestones(u.key.value), m.range) }
            milestones.append(i)
        }
        guard milestones.count == values.count - 1 else {
            throw fail(Msg.scheduleMilestoneCount(values.count, u.key.value, marks.count), u.value.range)
        }
        result = .step(values: values, milestones: milestones)
    }
    return ScalarSchedule(result, unit: unit, range: v.range)
}
