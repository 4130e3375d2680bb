import Foundation

/// Per-epoch metrics in the run folder: `metrics.csv` (a header, one row per epoch) and
/// `metrics.jsonl` (one JSON object per epoch). Written after each epoch so a crashed run keeps
/// its history; `--resume` appends.
struct MetricsWriter {
    let directory: String?
    static let columns = ["epoch", "train_loss", "train_accuracy", "val_loss", "val_accuracy", "lr", "seconds", "samples_per_second"]

    init(directory: String?, append: Bool) {
        self.directory = directory
        guard let directory else { return }
        let csv = directory + "/metrics.csv", jsonl = directory + "/metrics.jsonl"
        if !append || !FileManager.default.fileExists(atPath: csv) {
            FileManager.default.createFile(atPath: csv, contents: Data((Self.columns.joined(separator: ",") + "\n").utf8))
            FileManager.default.createFile(atPath: jsonl, contents: Data())
        }
    }

    func append(_ m: EpochMetrics) {
        guard let directory else { return }
        func num(_ x: Double?) -> String { x.map { $0.isFinite ? String($0) : "nan" } ?? "" }
        let values = [String(m.epoch), num(m.trainLoss), num(m.trainAccuracy), num(m.valLoss), num(m.valAccuracy),
                      num(m.learningRate), num(m.seconds), num(m.samplesPerSecond)]
        appendLine(values.joined(separator: ","), to: directory + "/metrics.csv")
        let json = zip(Self.columns, values).filter { !$0.1.isEmpty }.map { "\"\($0.0)\": \($0.1 == "nan" ? "null" : $0.1)" }
        appendLine("{" + json.joined(separator: ", ") + "}", to: directory + "/metrics.jsonl")
    }

    private func appendLine(_ line: String, to path: String) {
        guard let h = FileHandle(forWritingAtPath: path) else { return }
        defer { try? h.close() }
        _ = try? h.seekToEnd()
        try? h.write(contentsOf: Data((line + "\n").utf8))
    }
}

/// The text of epoch lines and the final summary.
enum Summary {
    static func epochLine(_ m: EpochMetrics, epochs: Int) -> String {
        var s = "epoch \(m.epoch)/\(epochs): loss \(fmt(m.trainLoss, 4)), accuracy \(fmt(m.trainAccuracy * 100, 2))%"
        if let v = m.valLoss { s += ", val_loss \(fmt(v, 4))" }
        if let v = m.valAccuracy { s += ", val_accuracy \(fmt(v * 100, 2))%" }
        s += ", lr \(m.learningRate), \(fmt(m.seconds, 1)) s, \(Int(m.samplesPerSecond.rounded())) samples/s"
        return s
    }

    static func final(_ r: TrainResult) -> String {
        var s = "done: \(r.steps) steps"
        if let a = r.testAccuracy, let l = r.testLoss { s += ", test accuracy \(fmt(a * 100, 2))%, test loss \(fmt(l, 4))" }
        s += ", \(Int(r.samplesPerSecond.rounded())) samples/s, peak memory \(mib(r.peakRSS))"
        if let d = r.runDirectory { s += ", run folder \(d)" }
        return s
    }
}
