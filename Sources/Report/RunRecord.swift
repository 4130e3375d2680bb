import Foundation
import Runtime

/// One metrics row as `metrics.csv` has it; absent fields are nil.
public struct MetricsRow: Equatable {
    public var epoch: Int
    public var step: Int
    public var trainLoss: Double?
    public var trainAccuracy: Double?
    public var valLoss: Double?
    public var valAccuracy: Double?

    public init(epoch: Int, step: Int, trainLoss: Double? = nil, trainAccuracy: Double? = nil, valLoss: Double? = nil,
                valAccuracy: Double? = nil) {
        self.epoch = epoch; self.step = step; self.trainLoss = trainLoss; self.trainAccuracy = trainAccuracy
        self.valLoss = valLoss; self.valAccuracy = valAccuracy
    }
}

/// A run as the report shows it: its curves, settings and weights, from a run folder.
public struct RunRecord {
    public var name: String
    public var folder: String
    public var rows: [MetricsRow]
    /// Regularization settings (`run.json`) and, for a sweep's variants, the overrides.
    public var settings: [(key: String, value: String)]
    /// A sweep variant's overrides (`PATH` → value), empty for a plain run.
    public var overrides: [String: String]
    /// A sweep variant's status (`done`, `running`, …); nil for a plain run.
    public var status: String?
    /// Weight matrices and kernels (tensors of rank ≥ 2), in state_dict order (`2.weight` before `10.weight`).
    public var weights: [Weight]

    public struct Weight {
        public var name: String
        public var shape: [Int]
        public var values: [Float]

        public init(name: String, shape: [Int], values: [Float]) {
            self.name = name; self.shape = shape; self.values = values
        }
    }

    public init(name: String, folder: String, rows: [MetricsRow], settings: [(key: String, value: String)] = [],
                overrides: [String: String] = [:], status: String? = nil, weights: [Weight] = []) {
        self.name = name; self.folder = folder; self.rows = rows; self.settings = settings; self.overrides = overrides
        self.status = status; self.weights = weights
    }

    /// The metric runs are ranked by: validation accuracy when the run has one, else train accuracy.
    public var rankingMetric: (name: String, best: Double)? {
        if let v = rows.compactMap(\.valAccuracy).max() { return ("val_acc", v) }
        if let t = rows.compactMap(\.trainAccuracy).max() { return ("train_acc", t) }
        return nil
    }

    /// The epoch with the best validation (else train) accuracy.
    public var bestRow: MetricsRow? {
        let hasVal = rows.contains { $0.valAccuracy != nil }
        return rows.max { (hasVal ? $0.valAccuracy : $0.trainAccuracy) ?? -1 < (hasVal ? $1.valAccuracy : $1.trainAccuracy) ?? -1 }
    }

    public var sparsity: Sparsity {
        var s = Sparsity()
        for w in weights {
            let t = Sparsity(w.values)
            s.total += t.total; s.zero += t.zero; s.near += t.near
        }
        return s
    }
}

/// `metrics.csv` as rows: columns found by header name, one row per epoch (a later row of the
/// same epoch, as a resumed run writes, replaces an earlier one).
public func parseMetricsCSV(_ text: String) -> [MetricsRow] {
    let lines = text.split(whereSeparator: \.isNewline)
    guard let header = lines.first else { return [] }
    let columns = header.split(separator: ",", omittingEmptySubsequences: false).map { String($0) }
    func index(_ n: String) -> Int? { columns.firstIndex(of: n) }
    let (e, s, tl, ta, vl, va) = (index("epoch"), index("step"), index("train_loss"), index("train_acc"), index("val_loss"), index("val_acc"))
    var byEpoch: [Int: MetricsRow] = [:]
    for line in lines.dropFirst() {
        let f = line.split(separator: ",", omittingEmptySubsequences: false).map { String($0) }
        func v(_ k: Int?) -> Double? { k.flatMap { $0 < f.count ? Double(f[$0]) : nil } }
        guard let epoch = v(e).map({ Int($0) }) else { continue }
        byEpoch[epoch] = MetricsRow(epoch: epoch, step: v(s).map { Int($0) } ?? 0, trainLoss: v(tl), trainAccuracy: v(ta),
                                    valLoss: v(vl), valAccuracy: v(va))
    }
    return byEpoch.keys.sorted().compactMap { byEpoch[$0] }
}
