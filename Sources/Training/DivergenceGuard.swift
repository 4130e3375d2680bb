/// Warns once when training diverges without producing NaN: the loss grows far beyond where it
/// started (a learning rate too large for the model gives losses in the hundreds of thousands
/// that stay finite, and the run would otherwise end looking normal).
///
/// Rule: the baseline is the loss of the first step observed, the model as initialized (or as
/// resumed), which a healthy run only improves on; from `window` steps later on, an exponential
/// moving average of the loss (α = 1/window) above `factor`× the baseline (floored at 1e-3, for
/// losses near zero from the start) is divergence. The average ignores the single spikes that a
/// noisy batch gives. (A baseline over several early steps would miss the worst case: a learning
/// rate that explodes the loss at the first update.)
struct DivergenceGuard {
    var window = 20
    var factor = 10.0
    private var baseline: Double?
    private var observed = 0
    private var average: Double?
    private(set) var warning: String?

    /// Feeds the loss of optimizer step `step` (from 1); returns the warning the first time the
    /// rule fires.
    mutating func observe(step: Int, loss: Double, learningRate: Double) -> String? {
        guard warning == nil, loss.isFinite else { return nil }
        observed += 1
        let alpha = 1 / Double(window)
        average = average.map { $0 + alpha * (loss - $0) } ?? loss
        let baseline = max(self.baseline ?? loss, 1e-3)
        self.baseline = baseline
        guard observed > window, let average, average > factor * baseline else { return nil }
        warning = "the training loss is diverging: its running mean is \(significant(average)) at step \(step), "
            + "more than \(Int(factor))× its initial value \(significant(baseline)); lower the learning rate (now \(significant(learningRate)))"
        return warning
    }
}

/// Four significant digits, as people read losses and learning rates (`0.002447`, `2.509e+05`).
func significant(_ x: Double) -> String {
    String(format: "%.4g", x)
}
