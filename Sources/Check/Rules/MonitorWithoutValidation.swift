import Diagnostics
import Syntax

extension Msg {
    static func monitorWithoutValidation(_ what: String, _ monitor: String) -> Message {
        Message(id: "monitor-without-validation",
                text: "\(what) monitors '\(monitor)', which needs a validation set, but 'data' has no 'validation_split'")
    }
}

/// Early stopping and reduce-on-plateau watching a validation metric (`val_loss`, the default)
/// would never fire without a validation set: an error at the monitor, with a fix-it that adds
/// `validation_split: 0.1` to `data:`. Monitoring a training metric (`loss`) needs no split.
func lintMonitorWithoutValidation(_ t: TrainingConfig, spec: Spec) -> [Diagnostic] {
    guard t.data.validationSplit == 0 else { return [] }
    var watched: [(what: String, monitor: String, section: String)] = []
    if let e = t.earlyStopping { watched.append(("early stopping", e.monitor, "early_stopping")) }
    if case .reduceOnPlateau(let monitor, _, _, _, _, _) = t.schedule { watched.append(("the plateau schedule", monitor, "schedule")) }
    let fixIts = insertingEntry("validation_split", "0.1", into: spec.data, message: "add 'validation_split: 0.1' to 'data'").map { [$0] } ?? []
    return watched.filter { $0.monitor.hasPrefix("val_") }.compactMap { w in
        let section = entry(w.section, in: spec.train)
        let written = entry("monitor", in: section?.value)
        // A misspelt monitor is reported as such; its default is not the user's choice.
        if let written, written.value.stringValue != w.monitor { return nil }
        let at = written?.value.range ?? section?.key.range ?? spec.train?.range ?? spec.range
        return Msg.monitorWithoutValidation(w.what, w.monitor).error(at, fixIts: fixIts)
    }
}

private func entry(_ key: String, in value: Value?) -> Entry? {
    value?.mapValue?.first { $0.key.value == key }
}
