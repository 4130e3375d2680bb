import Foundation

/// One row of the per-epoch training log (`metrics.csv` / `metrics.jsonl` in the run folder).
public struct EpochMetrics: Equatable, Sendable {
    public var epoch: Int
    public var step: Int
    public var lr: Double
    public var trainLoss: Double
    public var trainAccuracy: Double
    public var valLoss: Double?
    public var valAccuracy: Double?
    public var samplesPerSecond: Double
    /// Seconds since the start of training.
    public var elapsed: Double

    public init(epoch: Int, step: Int, lr: Double, trainLoss: Double, trainAccuracy: Double, valLoss: Double? = nil,
                valAccuracy: Double? = nil, samplesPerSecond: Double, elapsed: Double) {
        self.epoch = epoch; self.step = step; self.lr = lr; self.trainLoss = trainLoss; self.trainAccuracy = trainAccuracy
        self.valLoss = valLoss; self.valAccuracy = valAccuracy; self.samplesPerSecond = samplesPerSecond; self.elapsed = elapsed
    }

    public static let columns = ["epoch", "step", "lr", "train_loss", "train_acc", "val_loss", "val_acc", "samples_per_sec", "elapsed"]

    var values: [Double?] {
        [Double(epoch), Double(step), lr, trainLoss, trainAccuracy, valLoss, valAccuracy, samplesPerSecond, elapsed]
    }

    /// A CSV line (no newline): missing values are empty fields, non-finite ones `nan`/`inf`/`-inf`.
    public var csvLine: String {
        values.enumerated().map { k, v in
            guard let v else { return "" }
            return k < 2 ? String(Int(v)) : Self.number(v, json: false)
        }.joined(separator: ",")
    }

    /// A JSON object line (no newline) with the CSV's column names; missing or non-finite values are `null`.
    public var jsonLine: String {
        "{" + zip(Self.columns, values).enumerated().map { k, pair in
            let value = pair.1.map { k < 2 ? String(Int($0)) : Self.number($0, json: true) } ?? "null"
            return "\"\(pair.0)\":\(value)"
        }.joined(separator: ",") + "}"
    }

    /// Shortest round-trip decimal (Swift's `description`), which is valid JSON for finite values.
    static func number(_ v: Double, json: Bool) -> String {
        if v.isFinite { return "\(v)" }
        if json { return "null" }
        return v.isNaN ? "nan" : (v > 0 ? "inf" : "-inf")
    }
}

/// Appends one row per epoch to `metrics.csv` and `metrics.jsonl` in `folder`, flushing after
/// every row so an interrupted run keeps the epochs it finished.
public final class MetricsWriter {
    public let csvPath: String
    public let jsonlPath: String
    private let csv: UnsafeMutablePointer<FILE>
    private let jsonl: UnsafeMutablePointer<FILE>

    /// Creates (truncates) both files; with `append` an existing log is continued (`--resume`).
    ///
    /// - Parameter keepingEpochs: with `append`, rows of later epochs are dropped first: they
    ///   were written after the checkpoint being resumed from, and the resumed run writes them again.
    public init(folder: String, append: Bool = false, keepingEpochs: Int? = nil) throws {
        csvPath = folder + "/metrics.csv"
        jsonlPath = folder + "/metrics.jsonl"
        if append, let keep = keepingEpochs {
            try Self.dropRows(after: keep, csv: csvPath, jsonl: jsonlPath)
        }
        let csvExisted = append && FileManager.default.fileExists(atPath: csvPath)
        let mode = append ? "a" : "w"
        guard let c = fopen(csvPath, mode) else { throw CheckpointError.io(path: csvPath, reason: String(cString: strerror(errno))) }
        guard let j = fopen(jsonlPath, mode) else {
            fclose(c)
            throw CheckpointError.io(path: jsonlPath, reason: String(cString: strerror(errno)))
        }
        csv = c; jsonl = j
        if !csvExisted { write(EpochMetrics.columns.joined(separator: ","), to: csv) }
    }

    deinit { fclose(csv); fclose(jsonl) }

    private func write(_ line: String, to f: UnsafeMutablePointer<FILE>) {
        fputs(line + "\n", f)
        fflush(f)
    }

    public func append(_ m: EpochMetrics) {
        write(m.csvLine, to: csv)
        write(m.jsonLine, to: jsonl)
    }

    /// An event line in `metrics.jsonl` only (the CSV keeps one row per epoch): string fields.
    public func event(_ fields: [String: String]) {
        let body = fields.keys.sorted().map { "\(SafeTensors.quote($0)):\(SafeTensors.quote(fields[$0] ?? ""))" }.joined(separator: ",")
        write("{" + body + "}", to: jsonl)
    }

    /// Keeps the header and the rows of epochs 1...`epochs` (event lines of later steps go too).
    static func dropRows(after epochs: Int, csv: String, jsonl: String) throws {
        func rewrite(_ path: String, keep: (Substring) -> Bool) throws {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return }
            let lines = text.split(separator: "\n", omittingEmptySubsequences: true).filter(keep)
            do { try (lines.joined(separator: "\n") + (lines.isEmpty ? "" : "\n")).write(toFile: path, atomically: true, encoding: .utf8) } catch {
                throw CheckpointError.io(path: path, reason: "\(error)")
            }
        }
        try rewrite(csv) { line in Int(line.prefix { $0 != "," }).map { $0 <= epochs } ?? true }
        var epochRows = 0
        try rewrite(jsonl) { line in
            guard line.hasPrefix("{\"epoch\":") else { return epochRows < epochs }
            epochRows += 1
            return epochRows <= epochs
        }
    }
}
