import Runtime

/// The recipe's schedule on the runtime's schedule functions, for a run of `epochs` epochs.
struct Schedule {
    let base: Double
    let function: LRSchedule
    var plateau: ReduceOnPlateau?
    var plateauMonitor: String?
    /// Learning rate after plateau reductions (plateau schedules only).
    var plateauLR: Double

    init(_ recipe: ScheduleRecipe, lr: Double, epochs: Int, stepsPerEpoch: Int) {
        base = lr
        plateauLR = base
        plateau = nil
        plateauMonitor = nil
        switch recipe {
        case .constant: function = .constant
        case .step(let s, let g): function = .step(stepSize: s, gamma: g)
        case .multiStep(let m, let g): function = .multiStep(milestones: m, gamma: g)
        case .exponential(let g): function = .exponential(gamma: g)
        case .cosine(let w, let f, let minLR):
            function = .cosine(totalSteps: max(1, epochs * stepsPerEpoch), warmupSteps: w, warmupStartFactor: f, minLR: minLR)
        case .oneCycle(let maxLR, let pct, let div, let finalDiv, let cycle):
            function = .oneCycle(OneCycle(maxLR: maxLR, totalSteps: max(1, epochs * stepsPerEpoch), pctStart: pct,
                                          divFactor: div, finalDivFactor: finalDiv, cycleMomentum: cycle))
        case .reduceOnPlateau(let monitor, let factor, let patience, let threshold, let cooldown, let minLR):
            function = .constant
            plateau = ReduceOnPlateau(convention: .pytorch, maximize: monitor.hasSuffix("accuracy"), factor: factor,
                                      patience: patience, threshold: threshold, cooldown: cooldown, minLR: minLR)
            plateauMonitor = monitor
        }
    }

    /// Learning rate for optimizer step `step` (0-based) in epoch `epoch` (0-based).
    func lr(step: Int, epoch: Int) -> Double {
        if plateau != nil { return plateauLR }
        return function.learningRate(base: base, at: function.stepsPerBatch ? step : epoch)
    }

    func momentum(step: Int) -> Double? { function.momentum(at: step) }
}
