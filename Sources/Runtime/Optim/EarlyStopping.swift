/// Early stopping with Keras semantics (`keras/src/callbacks/early_stopping.py`, semantics §7.1).
///
/// At each epoch end: skip if `epoch < startFromEpoch`; when restoring and no snapshot exists yet,
/// take one; `wait += 1`; an improvement is `current < best − minDelta` (min mode) or
/// `current > best + minDelta` (max mode), the first observation always counts; on improvement
/// record the value, epoch and (when restoring) a snapshot, and reset `wait` only if the value also
/// beats `baseline`; otherwise stop when `wait >= patience` and `epoch > 0`.
/// At the end of training the best snapshot is restored even if stopping never triggered (Keras 3).
///
/// The weights snapshot is whatever `capture` returns (a copy of the parameters, a checkpoint path…).
public struct EarlyStopping<Snapshot> {
    public var patience: Int
    public var minDelta: Double
    public var maximize: Bool
    public var baseline: Double?
    public var restoreBest: Bool
    public var startFromEpoch: Int

    public private(set) var wait = 0
    public private(set) var best: Double?
    public private(set) var bestEpoch: Int?
    public private(set) var stoppedEpoch: Int?
    public private(set) var bestSnapshot: Snapshot?

    public init(patience: Int = 0, minDelta: Double = 0, maximize: Bool = false, baseline: Double? = nil,
                restoreBest: Bool = false, startFromEpoch: Int = 0) {
        self.patience = patience; self.minDelta = abs(minDelta); self.maximize = maximize
        self.baseline = baseline; self.restoreBest = restoreBest; self.startFromEpoch = startFromEpoch
    }

    func isImprovement(_ value: Double, over reference: Double?) -> Bool {
        guard let reference else { return true }
        return maximize ? value - minDelta > reference : value + minDelta < reference
    }

    /// Feeds the monitored value of `epoch` (nil when missing); returns true when training should stop.
    public mutating func epochEnded(_ epoch: Int, value: Double?, capture: () -> Snapshot) -> Bool {
        guard let value, epoch >= startFromEpoch else { return false }
        if restoreBest && bestSnapshot == nil { bestSnapshot = capture() }
        wait += 1
        if isImprovement(value, over: best) {
            best = value
            bestEpoch = epoch
            if restoreBest { bestSnapshot = capture() }
            if baseline == nil || isImprovement(value, over: baseline) { wait = 0 }
            return false
        }
        if wait >= patience && epoch > 0 {
            stoppedEpoch = epoch
            return true
        }
        return false
    }

    /// The snapshot to restore at the end of training (nil unless `restoreBest`).
    public var snapshotToRestore: Snapshot? { restoreBest ? bestSnapshot : nil }
}
