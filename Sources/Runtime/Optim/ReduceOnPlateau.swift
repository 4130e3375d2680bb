/// Reduce the learning rate when a monitored metric stops improving (semantics §7.2), in PyTorch's
/// or Keras' semantics, which differ by one epoch for equal patience.
///
/// PyTorch `ReduceLROnPlateau` (`torch/optim/lr_scheduler.py`): better ⇔ `a < best·(1 − threshold)`
/// (`rel`, min mode) or `a < best − threshold` (`abs`); reduce when `numBadEpochs > patience`
/// (strictly), then cooldown; a change smaller than `eps` is skipped.
/// Keras `ReduceLROnPlateau` (`keras/src/callbacks/reduce_lr_on_plateau.py`): better ⇔
/// `a < best − minDelta` (absolute); reduce when `wait >= patience`; new rate `max(lr·factor, minLR)`.
public struct ReduceOnPlateau: Sendable, Hashable {
    public enum Convention: String, Sendable, Hashable { case pytorch, keras }
    public enum ThresholdMode: String, Sendable, Hashable { case relative, absolute }

    public var convention: Convention
    public var maximize: Bool
    public var factor: Double
    public var patience: Int
    /// PyTorch `threshold` (with `thresholdMode`) or Keras `min_delta` (always absolute).
    public var threshold: Double
    public var thresholdMode: ThresholdMode
    public var cooldown: Int
    public var minLR: Double
    public var eps: Double

    public private(set) var best: Double
    public private(set) var badEpochs = 0
    public private(set) var cooldownCounter = 0

    public init(convention: Convention = .pytorch, maximize: Bool = false, factor: Double = 0.1, patience: Int = 10,
                threshold: Double = 1e-4, thresholdMode: ThresholdMode = .relative, cooldown: Int = 0,
                minLR: Double = 0, eps: Double = 1e-8) {
        precondition(factor < 1 && factor >= 0, "plateau factor must be in [0, 1), got \(factor)")
        self.convention = convention; self.maximize = maximize; self.factor = factor; self.patience = patience
        self.threshold = threshold
        self.thresholdMode = convention == .keras ? .absolute : thresholdMode
        self.cooldown = cooldown; self.minLR = minLR; self.eps = eps
        self.best = maximize ? -.infinity : .infinity
    }

    func isBetter(_ a: Double) -> Bool {
        switch (maximize, thresholdMode) {
        case (false, .relative): return a < best * (1 - threshold)
        case (false, .absolute): return a < best - threshold
        case (true, .relative): return a > best * (1 + threshold)
        case (true, .absolute): return a > best + threshold
        }
    }

    /// Feeds one evaluation of the metric; returns the learning rate to use from now on.
    public mutating func step(metric a: Double, lr: Double) -> Double {
        switch convention {
        case .pytorch:
            if isBetter(a) { best = a; badEpochs = 0 } else { badEpochs += 1 }
            if cooldownCounter > 0 { cooldownCounter -= 1; badEpochs = 0 }
            guard badEpochs > patience else { return lr }
            cooldownCounter = cooldown
            badEpochs = 0
            let new = max(lr * factor, minLR)
            return lr - new > eps ? new : lr
        case .keras:
            let inCooldown = cooldownCounter > 0
            if inCooldown { cooldownCounter -= 1; badEpochs = 0 }
            if isBetter(a) {
                best = a; badEpochs = 0
            } else if !inCooldown {
                badEpochs += 1
                if badEpochs >= patience && lr > minLR {
                    cooldownCounter = cooldown
                    badEpochs = 0
                    return max(lr * factor, minLR)
                }
            }
            return lr
        }
    }
}
