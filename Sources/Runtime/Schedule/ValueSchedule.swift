import Foundation

/// A regularizer's scalar (a dropout rate, a survival probability, mixup's α, a consistency
/// weight) as a pure function of the training point, so that a resumed run, the interpreter and
/// a generated trainer all read the same value at the same step.
///
/// Time `t` counts optimizer steps (`unit == .steps`) or epochs (`.epochs`), where epoch time is
/// fractional, `step / stepsPerEpoch`: a linear or cosine ramp moves at every step and takes its
/// stated value at the first step of the stated epoch. Step milestones compare `t ≥ m`, so with
/// epochs the value changes at the first step of epoch `m` (PyTorch's `MultiStepLR` stepped per
/// epoch). Before `start` a ramp holds `from`, after `start + length` it holds `to` (Keras'
/// `CosineDecay` clamps; PyTorch's `CosineAnnealingLR` would rise again).
public struct ValueSchedule: Hashable, Sendable {
    public enum Unit: String, Hashable, Sendable { case epochs, steps }

    public enum Form: Hashable, Sendable {
        /// The same value at every point.
        case constant(Double)
        /// `from + (to − from)·s`, s = clamp((t − start)/length, 0, 1).
        case linear(from: Double, to: Double, start: Int, length: Int)
        /// `to + (from − to)·(1 + cos(π·s))/2`, s as for `linear` (half a cosine).
        case cosine(from: Double, to: Double, start: Int, length: Int)
        /// `values[k]`, k = the number of milestones ≤ t (values has one more entry than milestones).
        case step(values: [Double], milestones: [Int])
    }

    public var form: Form
    public var unit: Unit

    public init(_ form: Form, unit: Unit) {
        self.form = form
        self.unit = unit
    }

    /// The value at optimizer step `step` (0-based, counted over the whole run) of a run with
    /// `stepsPerEpoch` steps per epoch.
    public func value(step: Int, stepsPerEpoch: Int) -> Double {
        let t = unit == .steps ? Double(step) : Double(step) / Double(max(stepsPerEpoch, 1))
        switch form {
        case .constant(let v):
            return v
        case let .linear(from, to, start, length):
            return from + (to - from) * Self.progress(t, start, length)
        case let .cosine(from, to, start, length):
            return to + (from - to) * (1 + cos(Double.pi * Self.progress(t, start, length))) / 2
        case let .step(values, milestones):
            precondition(values.count == milestones.count + 1, "a step schedule needs one value more than milestones")
            return values[milestones.filter { Double($0) <= t }.count]
        }
    }

    /// The value once the schedule is over: what evaluation, inference and export use.
    public var final: Double {
        switch form {
        case .constant(let v): return v
        case .linear(_, let to, _, _), .cosine(_, let to, _, _): return to
        case .step(let values, _): return values.last ?? 0
        }
    }

    private static func progress(_ t: Double, _ start: Int, _ length: Int) -> Double {
        guard length > 0 else { return t >= Double(start) ? 1 : 0 }
        return min(1, max(0, (t - Double(start)) / Double(length)))
    }
}
