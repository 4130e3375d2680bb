import Foundation

/// Maps data values to pixels along one axis, linearly or logarithmically, and chooses its ticks.
public struct Scale: Equatable {
    public enum Kind: Equatable { case linear, log }
    public var kind: Kind
    public var domain: (lo: Double, hi: Double)
    public var range: (lo: Double, hi: Double)
    /// Ticks only at whole numbers (epochs, steps).
    public var integerTicks = false

    public static func == (a: Scale, b: Scale) -> Bool {
        a.kind == b.kind && a.domain == b.domain && a.range == b.range
    }

    /// A scale over `values` (non-finite ones ignored), widened to nice round ends; log when
    /// `allowLog` and the positive values span more than a factor of 20 (losses).
    public static func fitting(_ values: [Double], range: (Double, Double), allowLog: Bool = false,
                               includeZero: Bool = false) -> Scale {
        var v = values.filter(\.isFinite)
        if includeZero { v.append(0) }
        guard var lo = v.min(), var hi = v.max() else { return Scale(kind: .linear, domain: (0, 1), range: range) }
        if allowLog, lo > 0, hi / lo > 20 {
            return Scale(kind: .log, domain: (pow(10, floor(log10(lo))), pow(10, ceil(log10(hi)))), range: range)
        }
        if lo == hi { (lo, hi) = (lo - max(abs(lo) * 0.1, 0.5), hi + max(abs(hi) * 0.1, 0.5)) }
        let step = Ticks.step(lo, hi, count: 5)
        return Scale(kind: .linear, domain: (floor(lo / step) * step, ceil(hi / step) * step), range: range)
    }

    public init(kind: Kind, domain: (Double, Double), range: (Double, Double)) {
        self.kind = kind
        self.domain = (domain.0, domain.1)
        self.range = (range.0, range.1)
    }

    /// The pixel of `v` (values outside the domain fall outside the range; a log scale clamps
    /// non-positive values to its lower end).
    public func callAsFunction(_ v: Double) -> Double {
        let t: Double
        switch kind {
        case .linear: t = (v - domain.lo) / (domain.hi - domain.lo)
        case .log:
            let x = log10(max(v, domain.lo)), a = log10(domain.lo), b = log10(domain.hi)
            t = (x - a) / (b - a)
        }
        return range.lo + t * (range.hi - range.lo)
    }

    /// Tick values with their labels.
    public var ticks: [(value: Double, label: String)] {
        switch kind {
        case .linear:
            var step = Ticks.step(domain.lo, domain.hi, count: 5)
            if integerTicks { step = max(step.rounded(.up), 1) }
            return Ticks.linear(domain.lo, domain.hi, step: step).map { ($0, Ticks.label($0, step: step)) }
        case .log:
            let a = Int(floor(log10(domain.lo) + 1e-9)), b = Int(ceil(log10(domain.hi) - 1e-9))
            return (a...max(a, b)).map { e in (pow(10, Double(e)), Ticks.powerLabel(e)) }
        }
    }
}

/// "Nice" tick steps (1, 2 or 5 times a power of ten) and their labels.
public enum Ticks {
    /// The nice step that cuts [lo, hi] into about `count` intervals.
    public static func step(_ lo: Double, _ hi: Double, count: Int) -> Double {
        let raw = max(hi - lo, 1e-300) / Double(max(count, 1))
        let p = pow(10, floor(log10(raw)))
        let f = raw / p
        return (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * p
    }

    /// Multiples of `step` within [lo, hi] (with a little tolerance for rounding).
    public static func linear(_ lo: Double, _ hi: Double, step: Double) -> [Double] {
        let first = ceil(lo / step - 1e-9), last = floor(hi / step + 1e-9)
        guard first <= last else { return [] }
        return (Int(first)...Int(last)).map { Double($0) * step }
    }

    /// `v` with as many decimals as the step needs (0.25 step → "0.25", "0.5"; 1000 → "1000").
    public static func label(_ v: Double, step: Double) -> String {
        let decimals = max(0, Int(-floor(log10(step) + 1e-9)))
        let s = String(format: "%.\(decimals)f", abs(v) < step * 1e-6 ? 0 : v)
        return s
    }

    /// 10^e as people write it on an axis: 0.01, 0.1, 1, 10, 100, else 1e-5, 1e6.
    public static func powerLabel(_ e: Int) -> String {
        switch e {
        case -2...(-1): return String(format: "%.\(-e)f", pow(10, Double(e)))
        case 0...3: return String(Int(pow(10, Double(e))))
        default: return "1e\(e)"
        }
    }
}
