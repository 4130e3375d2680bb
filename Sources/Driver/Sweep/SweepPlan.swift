import Check
import Diagnostics
import Foundation
import Runtime
import Syntax

// `regula sweep`'s variants: the grid of `--set PATH=V1,V2` values, `--random N` points drawn
// from `--set PATH=LOW..HIGH` ranges, and `--ablate`'s spec without each regularizer. Every
// variant is applied to the parsed spec and checked before anything trains; a bad override is a
// diagnostic in the override's own text (`<command line>`), rendered like a spec line.

/// The name diagnostics give the text of the overrides: one line per `--set`, as typed.
public let overrideFileName = "<command line>"

/// One `--set PATH=...`: the path and its values (a list, or a range for `--random`).
public struct SweepSetting {
    public enum Values {
        case list([Located<String>])
        /// `LOW..HIGH`; `log` draws log-uniformly (`log:LOW..HIGH`, or a λ-like key: weight_decay, l1, l2, lr).
        case range(low: Double, high: Double, log: Bool, integer: Bool, range: SourceRange)
    }

    public var path: SpecPath
    public var values: Values
}

/// One spec of a sweep: its name, the overrides that make it, the regularizers it leaves out.
public struct SweepVariant {
    public var name: String
    public var overrides: [(path: String, value: String)]
    /// nil unless `--ablate`: the regularizer groups removed (empty for the baseline).
    public var ablated: [String]?
    public var spec: Spec
}

public struct SweepPlan {
    public var source: SourceFile
    /// The `--set` lines as a source file, so diagnostics can quote them.
    public var overrides: SourceFile
    public var spec: Spec?
    public var variants: [SweepVariant]
    public var diagnostics: [Diagnostic]

    public var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }
}

/// Keys whose ranges are drawn log-uniformly without a `log:` marker (decays, penalties, rates).
let logScaleKeys: Set<String> = ["weight_decay", "l1", "l2", "lr", "min_lr", "max_lr", "eta"]

public enum SweepPlanner {
    /// Parses the spec and the settings, enumerates the variants and checks every one.
    /// - Parameters:
    ///   - sets: the `--set` texts, `PATH=V1,V2,...` or `PATH=LOW..HIGH` / `PATH=log:LOW..HIGH`.
    ///   - random: `--random N`: N points drawn from the settings instead of their grid.
    public static func plan(path: String, sets: [String], random: Int?, ablate: Bool, seed: UInt64) throws -> SweepPlan {
        let (source, prior) = try Frontend.load(path: path)
        return plan(source: source, prior: prior, sets: sets, random: random, ablate: ablate, seed: seed)
    }

    public static func plan(source: SourceFile, prior: [Diagnostic] = [], sets: [String], random: Int?, ablate: Bool,
                            seed: UInt64) -> SweepPlan {
        let overrides = SourceFile(path: overrideFileName, text: sets.map { "--set " + $0 }.joined(separator: "\n"))
        let front = Frontend.run(source: source, prior: prior)
        var plan = SweepPlan(source: source, overrides: overrides, spec: front.spec, variants: [], diagnostics: front.diagnostics)
        guard let spec = front.spec, !front.hasErrors else { return plan }
        var settings: [SweepSetting] = []
        for (k, text) in sets.enumerated() {
            switch parseSetting(text, line: k + 1) {
            case .success(let s): settings.append(s)
            case .failure(let d): plan.diagnostics.append(d)
            }
        }
        if random == nil {
            // Reported, then left out, so the other settings are still applied and checked.
            settings.removeAll { s in
                guard case .range(_, _, _, _, let r) = s.values else { return false }
                plan.diagnostics.append(SweepMsg.rangeNeedsRandom.error(r))
                return true
            }
        }
        let points = random.map { sample(settings, count: $0, seed: seed) } ?? grid(settings)
        let names = shortNames(settings.map(\.path))
        let groups = ablate ? regularizerGroups(in: spec) : []
        let ablations: [[String]?] = ablate ? [[]] + groups.map { [$0] } + (groups.count > 1 ? [groups] : []) : [nil]
        var seen: Set<String> = []
        for (n, point) in points.enumerated() {
            for removed in ablations {
                var variant = spec
                for (s, value) in zip(settings, point) {
                    if let d = setValue(overrideValue(value.value, range: value.range), at: s.path, in: &variant,
                                        primaryArgument: primaryArgumentName(ofKind:)) {
                        // The variant is still checked without this override, so one run reports every bad value.
                        if seen.insert(d.message + d.range.description).inserted { plan.diagnostics.append(d) }
                    }
                }
                if let removed { variant = Check.ablate(variant, groups: Set(removed)) }
                let values = random != nil ? nil : zip(names, point).map { "\($0)=\($1.value)" }
                plan.variants.append(SweepVariant(name: variantName(values, number: n + 1, removed: removed, of: groups), overrides: zip(settings, point).map { ($0.path.text, $1.value) },
                                                  ablated: removed, spec: variant))
            }
        }
        for v in plan.variants {
            let checked = check(v.spec)
            for d in checked.diagnostics where d.severity == .error {
                var d = d
                if d.range.file != overrideFileName { d.notes.append(Note("in variant '\(v.name)'")) }
                if seen.insert(d.message + d.range.description).inserted { plan.diagnostics.append(d) }
            }
        }
        plan.diagnostics = inReadingOrder(plan.diagnostics)
        return plan
    }

    /// `dropout=0.2_weight_decay=1e-4` (a grid point), `random-03`, with `_no-dropout`,
    /// `_baseline` or `_no-regularization` after it under `--ablate`.
    static func variantName(_ values: [String]?, number: Int, removed: [String]?, of groups: [String]) -> String {
        var parts = values ?? [String(format: "random-%02d", number)]
        if let removed {
            parts.append(removed.isEmpty ? "baseline"
                         : removed.count > 1 && removed.count == groups.count ? "no-regularization" : "no-" + removed.joined(separator: "-"))
        }
        return parts.isEmpty ? "baseline" : parts.joined(separator: "_")
    }

    /// The spec's diagnostics first, as found, then the overrides' in line and column order.
    static func inReadingOrder(_ diagnostics: [Diagnostic]) -> [Diagnostic] {
        diagnostics.enumerated().sorted { a, b in
            let (x, y) = (a.element.range, b.element.range)
            if x.file != y.file { return x.file != overrideFileName && (y.file == overrideFileName || a.offset < b.offset) }
            return x.start != y.start ? x.start < y.start : a.offset < b.offset
        }.map(\.element)
    }

    /// `PATH=V1,V2`, `PATH=LOW..HIGH`, `PATH=log:LOW..HIGH`, with ranges into line `line` of the
    /// override text (`--set ` comes first, 6 characters).
    static func parseSetting(_ text: String, line: Int) -> ParsedSetting {
        let scalars = Array(text.unicodeScalars)
        func range(_ from: Int, _ to: Int) -> SourceRange {
            SourceRange(file: overrideFileName, start: SourceLocation(line: line, column: 7 + from),
                        end: SourceLocation(line: line, column: 7 + to))
        }
        guard let eq = scalars.firstIndex(of: "=") else {
            return .failure(SweepMsg.missingEquals.error(range(0, scalars.count)))
        }
        let pathText = String(String.UnicodeScalarView(scalars[..<eq]))
        let path = SpecPath(parsing: pathText, file: overrideFileName, start: SourceLocation(line: line, column: 7))
        let valueStart = eq + 1
        let valueText = String(String.UnicodeScalarView(scalars[valueStart...]))
        guard !valueText.isEmpty else { return .failure(SweepMsg.missingValue.error(range(valueStart, valueStart))) }
        if valueText.contains("..") {
            var body = valueText, offset = valueStart
            var log = logScaleKeys.contains(path.components.last?.value ?? "")
            if body.hasPrefix("log:") { log = true; body.removeFirst(4); offset += 4 } else if body.hasPrefix("lin:") { log = false; body.removeFirst(4); offset += 4 }
            let ends = body.components(separatedBy: "..")
            let whole = range(valueStart, scalars.count)
            guard ends.count == 2, let low = Double(ends[0]), let high = Double(ends[1]), low.isFinite, high.isFinite, low <= high else {
                return .failure(SweepMsg.badRange.error(range(offset, scalars.count)))
            }
            if log && low <= 0 { return .failure(SweepMsg.logNeedsPositive.error(whole)) }
            let integer = Int(ends[0]) != nil && Int(ends[1]) != nil && !log
            return .success(SweepSetting(path: path, values: .range(low: low, high: high, log: log, integer: integer, range: whole)))
        }
        var values: [Located<String>] = []
        var start = valueStart
        for part in valueText.split(separator: ",", omittingEmptySubsequences: false) {
            let n = part.unicodeScalars.count
            guard n > 0 else { return .failure(SweepMsg.emptyValue.error(range(start, start))) }
            values.append(Located(String(part), range(start, start + n)))
            start += n + 1
        }
        return .success(SweepSetting(path: path, values: .list(values)))
    }

    /// Every combination, the first setting varying slowest.
    static func grid(_ settings: [SweepSetting]) -> [[Located<String>]] {
        settings.reduce([[]]) { points, s in
            guard case .list(let values) = s.values else { return points }
            return points.flatMap { p in values.map { p + [$0] } }
        }
    }

    /// Reserved stream of `--random`'s draws (the runtime's Philox streams, as every draw in Regula).
    static let randomStream: UInt32 = 0xFFFF_0009

    /// `count` points: list values drawn uniformly, ranges uniformly or log-uniformly, three
    /// significant digits; the same seed gives the same points.
    static func sample(_ settings: [SweepSetting], count: Int, seed: UInt64) -> [[Located<String>]] {
        var rng = RandomGenerator(seed: seed, stream: randomStream)
        return (0..<count).map { _ in
            settings.map { s in
                switch s.values {
                case .list(let values): return values[Int(rng.next() % UInt64(values.count))]
                case .range(let low, let high, let log, let integer, let range):
                    let u = Double(rng.next() >> 11) / Double(1 << 53)
                    if integer { return Located(String(Int(low) + Int(u * (high - low + 1)).clamped(0, Int(high - low))), range) }
                    let x = log ? Foundation.exp(Foundation.log(low) + u * (Foundation.log(high) - Foundation.log(low))) : low + u * (high - low)
                    return Located(String(format: "%.3g", x), range)
                }
            }
        }
    }

    /// The last path component names a setting in variant names, unless two settings share it.
    static func shortNames(_ paths: [SpecPath]) -> [String] {
        let last = paths.map { $0.components.last?.value ?? "" }
        return paths.enumerated().map { k, p in last.filter { $0 == last[k] }.count > 1 ? p.text : last[k] }
    }
}



extension Int {
    func clamped(_ low: Int, _ high: Int) -> Int { Swift.min(Swift.max(self, low), high) }
}

enum ParsedSetting {
    case success(SweepSetting)
    case failure(Diagnostic)
}

/// The messages of sweep planning (one lowercase phrase each, no final period).
enum SweepMsg {
    struct Text {
        var id: String
        var text: String
        func error(_ range: SourceRange) -> Diagnostic { .error(id, text, at: range) }
    }

    static let missingEquals = Text(id: "bad-override", text: "an override is PATH=VALUE[,VALUE...] and needs '='")
    static let missingValue = Text(id: "bad-override", text: "an override needs at least one value after '='")
    static let emptyValue = Text(id: "bad-override", text: "an override has an empty value between commas")
    static let badRange = Text(id: "bad-override", text: "a range is LOW..HIGH with two numbers, LOW not above HIGH")
    static let logNeedsPositive = Text(id: "bad-override", text: "a log-uniform range needs a positive LOW (write lin:LOW..HIGH for a uniform one)")
    static let rangeNeedsRandom = Text(id: "bad-override", text: "a range of values needs --random N to draw points from it")
}
