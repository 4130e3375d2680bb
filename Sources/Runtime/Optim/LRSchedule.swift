import Foundation

/// Learning-rate schedules as pure functions of a step counter (semantics §7.2).
///
/// `step`, `multiStep` and `exponential` count **epochs** (PyTorch convention: the scheduler steps
/// once per epoch); `cosine` and `oneCycle` count **optimizer steps**. `stepsPerBatch` tells the
/// training loop which counter to pass.
public enum LRSchedule: Sendable, Hashable {
    case constant
    /// `η₀·γ^⌊t/s⌋` (PyTorch `StepLR`).
    case step(stepSize: Int, gamma: Double)
    /// `η₀·γ^(number of milestones ≤ t)` (PyTorch `MultiStepLR`).
    case multiStep(milestones: [Int], gamma: Double)
    /// `η₀·γ^t` (PyTorch `ExponentialLR`).
    case exponential(gamma: Double)
    /// Linear warmup from `warmupStartFactor·η₀` to `η₀` over `warmupSteps`, then half-cosine from
    /// `η₀` to `minLR` over the remaining `totalSteps − warmupSteps`, clamped at `minLR` afterwards
    /// (PyTorch `CosineAnnealingLR` would rise again past `T_max`; Keras `CosineDecay` clamps).
    case cosine(totalSteps: Int, warmupSteps: Int, warmupStartFactor: Double, minLR: Double)
    /// Smith's one-cycle policy (PyTorch `OneCycleLR`); the base learning rate is ignored.
    case oneCycle(OneCycle)

    public var stepsPerBatch: Bool {
        switch self {
        case .cosine, .oneCycle: return true
        case .constant, .step, .multiStep, .exponential: return false
        }
    }

    /// The learning rate at counter `t` (0-based) for base learning rate `base`.
    public func learningRate(base: Double, at t: Int) -> Double {
        switch self {
        case .constant:
            return base
        case let .step(s, gamma):
            precondition(s > 0, "step schedule needs a positive step size")
            return base * pow(gamma, Double(t / s))
        case let .multiStep(milestones, gamma):
            return base * pow(gamma, Double(milestones.filter { $0 <= t }.count))
        case let .exponential(gamma):
            return base * pow(gamma, Double(t))
        case let .cosine(total, warmup, startFactor, minLR):
            if t < warmup {
                return base * (startFactor + (1 - startFactor) * Double(t) / Double(warmup))
            }
            let span = total - warmup
            let progress = span > 0 ? min(1, Double(t - warmup) / Double(span)) : 1
            return minLR + 0.5 * (base - minLR) * (1 + cos(Double.pi * progress))
        case let .oneCycle(c):
            return c.learningRate(at: t)
        }
    }

    /// The momentum (SGD) or β₁ (Adam) at step `t`, or nil when the schedule does not cycle it.
    public func momentum(at t: Int) -> Double? {
        if case let .oneCycle(c) = self, c.cycleMomentum { return c.momentum(at: t) }
        return nil
    }
}

/// PyTorch `OneCycleLR` with cosine annealing (`torch/optim/lr_scheduler.py`).
///
/// Phases (end steps are `float(pct·T) − 1` as in PyTorch): the learning rate goes from
/// `maxLR/divFactor` up to `maxLR`, then down to `maxLR/divFactor/finalDivFactor` at step `T − 1`;
/// momentum moves inversely between `maxMomentum` and `baseMomentum`. `threePhase` adds a
/// symmetric descent back to the initial rate before the final annihilation phase.
public struct OneCycle: Sendable, Hashable {
    public var maxLR: Double
    public var totalSteps: Int
    public var pctStart: Double = 0.3
    public var divFactor: Double = 25
    public var finalDivFactor: Double = 1e4
    public var threePhase: Bool = false
    public var cycleMomentum: Bool = true
    public var baseMomentum: Double = 0.85
    public var maxMomentum: Double = 0.95

    public init(maxLR: Double, totalSteps: Int, pctStart: Double = 0.3, divFactor: Double = 25,
                finalDivFactor: Double = 1e4, threePhase: Bool = false, cycleMomentum: Bool = true,
                baseMomentum: Double = 0.85, maxMomentum: Double = 0.95) {
        precondition(totalSteps > 0, "one-cycle needs a positive total step count")
        precondition(pctStart > 0 && pctStart < 1, "one-cycle pctStart must be in (0, 1), got \(pctStart)")
        self.maxLR = maxLR; self.totalSteps = totalSteps; self.pctStart = pctStart
        self.divFactor = divFactor; self.finalDivFactor = finalDivFactor; self.threePhase = threePhase
        self.cycleMomentum = cycleMomentum; self.baseMomentum = baseMomentum; self.maxMomentum = maxMomentum
    }

    public var initialLR: Double { maxLR / divFactor }
    public var minLR: Double { initialLR / finalDivFactor }

    /// (end step, lr start, lr end, momentum start, momentum end) per phase.
    private var phases: [(Double, Double, Double, Double, Double)] {
        let up = pctStart * Double(totalSteps) - 1
        let last = Double(totalSteps) - 1
        if threePhase {
            return [(up, initialLR, maxLR, maxMomentum, baseMomentum),
                    (2 * pctStart * Double(totalSteps) - 2, maxLR, initialLR, baseMomentum, maxMomentum),
                    (last, initialLR, minLR, maxMomentum, maxMomentum)]
        }
        return [(up, initialLR, maxLR, maxMomentum, baseMomentum), (last, maxLR, minLR, baseMomentum, maxMomentum)]
    }

    /// `end + (start − end)/2·(cos(π·pct) + 1)` (PyTorch `_annealing_cos`).
    private static func anneal(_ start: Double, _ end: Double, _ pct: Double) -> Double {
        end + (start - end) / 2 * (cos(Double.pi * pct) + 1)
    }

    private func value(at t: Int, lr: Bool) -> Double {
        let step = Double(min(max(t, 0), totalSteps - 1))
        var start = 0.0
        let ph = phases
        for (i, p) in ph.enumerated() {
            if step <= p.0 || i == ph.count - 1 {
                let pct = p.0 > start ? (step - start) / (p.0 - start) : 1
                return lr ? Self.anneal(p.1, p.2, pct) : Self.anneal(p.3, p.4, pct)
            }
            start = p.0
        }
        preconditionFailure("one-cycle has no phases")
    }

    public func learningRate(at t: Int) -> Double { value(at: t, lr: true) }
    public func momentum(at t: Int) -> Double { value(at: t, lr: false) }
}
