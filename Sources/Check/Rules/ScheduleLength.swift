import Diagnostics

/// A schedule counted in epochs that ends after the last epoch of training never reaches its
/// final value, which evaluation and export use: a warning at the schedule. (A schedule counted
/// in steps is not compared: the steps per epoch depend on the data, known when training starts.)
func lintScheduleLength(_ nodes: [CheckedNode], _ training: TrainingConfig) -> [Diagnostic] {
    var found: [(String, String, ScalarSchedule)] = []
    // A penalty strength's schedule is reported once where it is written (a rule's or the
    // defaults' schedule reaches many tensors), named after the first layer it reaches.
    var seen: Set<String> = []
    for n in nodes {
        for (a, s) in n.schedules { found.append((a == "stochastic_depth" ? "survival" : a, n.displayKind, s)) }
        for p in n.params {
            for a in Regularization.scheduledPenalties {
                if let s = p.regularization.schedules[a], seen.insert("\(a) \(s.range)").inserted { found.append((a, n.displayKind, s)) }
            }
        }
    }
    for a in training.data.augment {
        if let s = a.alphaSchedule { found.append(("alpha", a.kind.isMixup ? "mixup" : "cutmix", s)) }
    }
    if let s = training.consistency?.weightSchedule { found.append(("weight", "train.consistency", s)) }
    return found.filter { $0.2.unit == .epochs && $0.2.end > training.epochs }
        .map { Msg.scheduleOutlastsTraining($0.0, $0.1, $0.2.end, training.epochs).warning($0.2.range) }
}
