import Foundation

// The files of a sweep folder, which `regula report` reads too:
//
//   sweep.json              {"spec", "model", "train_arguments", "variants": [{"name", "folder", "overrides", "ablated"?,
//                            "status": pending|running|done|failed, "best_val", "metric", "seconds"}]}
//   <variant>/variant.json  {"name", "overrides": {"PATH": "VALUE"}, "ablated": [...] (only with --ablate)}
//   <variant>/spec.yaml     the variant's spec (spec.regula for a DSL spec), trainable alone
//   <variant>/train.log     the variant's `regula train` output
//   <variant>/metrics.csv, metrics.jsonl, model.safetensors, ...   its run folder
//
// Both JSON files are written atomically (a temporary file renamed over the old one).

public struct SweepRecord: Equatable {
    public enum Status: String { case pending, running, done, failed }

    public var name: String
    /// The variant's folder, relative to the sweep folder.
    public var folder: String
    public var overrides: [String: String]
    public var ablated: [String]?
    public var status: Status
    /// The best validation metric (or the test/train one the run had), and its name.
    public var bestVal: Double?
    public var metric: String?
    /// Wall time of the variant's training process.
    public var seconds: Double?
}

public struct SweepFile: Equatable {
    public var spec: String
    public var model: String
    public var variants: [SweepRecord]
    /// The options every variant's `regula train` got (`--epochs 2`); a sweep resumes only with the same.
    public var trainArguments: [String] = []

    func json() -> Any {
        ["spec": spec, "model": model, "train_arguments": trainArguments, "variants": variants.map { v -> [String: Any] in
            var o: [String: Any] = ["name": v.name, "folder": v.folder, "overrides": v.overrides, "status": v.status.rawValue,
                                    "best_val": v.bestVal.map { $0 as Any } ?? NSNull(), "metric": v.metric.map { $0 as Any } ?? NSNull()]
            if let a = v.ablated { o["ablated"] = a }
            if let s = v.seconds { o["seconds"] = (s * 1000).rounded() / 1000 }
            return o
        }] as [String: Any]
    }

    public static func read(_ path: String) -> SweepFile? {
        guard let data = FileManager.default.contents(atPath: path),
              let o = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let spec = o["spec"] as? String, let model = o["model"] as? String,
              let list = o["variants"] as? [[String: Any]] else { return nil }
        let variants = list.compactMap { v -> SweepRecord? in
            guard let name = v["name"] as? String, let folder = v["folder"] as? String else { return nil }
            return SweepRecord(name: name, folder: folder, overrides: v["overrides"] as? [String: String] ?? [:],
                               ablated: v["ablated"] as? [String],
                               status: (v["status"] as? String).flatMap(SweepRecord.Status.init(rawValue:)) ?? .pending,
                               bestVal: (v["best_val"] as? NSNumber)?.doubleValue, metric: v["metric"] as? String,
                               seconds: (v["seconds"] as? NSNumber)?.doubleValue)
        }
        return SweepFile(spec: spec, model: model, variants: variants, trainArguments: o["train_arguments"] as? [String] ?? [])
    }

    public func write(to path: String) throws {
        try writeJSON(json(), to: path)
    }
}

/// `variant.json`: the variant's name, its overrides, and what `--ablate` removed.
func variantJSON(_ v: SweepVariant) -> Any {
    var o: [String: Any] = ["name": v.name, "overrides": Dictionary(v.overrides.map { ($0.path, $0.value) }, uniquingKeysWith: { $1 })]
    if let a = v.ablated { o["ablated"] = a }
    return o
}

func jsonText(_ object: Any) throws -> Data {
    var data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
    data.append(0x0A)
    return data
}

func writeJSON(_ object: Any, to path: String) throws {
    try jsonText(object).write(to: URL(fileURLWithPath: path), options: .atomic)
}

/// What a finished (or running) variant's run folder says about it.
struct RunMetrics {
    var epochs = 0
    var lastValAcc: Double?
    var lastValLoss: Double?
    var best: (metric: String, value: Double)?

    /// Reads `metrics.jsonl`, and the test accuracy from the `done:` line of `train.log` when the
    /// spec has no validation split.
    init(folder: String) {
        let text = (try? String(contentsOfFile: folder + "/metrics.jsonl", encoding: .utf8)) ?? ""
        var valAcc: [Double] = [], valLoss: [Double] = [], trainAcc: [Double] = []
        for line in text.split(separator: "\n") where line.hasPrefix("{\"epoch\":") {
            guard let o = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { continue }
            epochs = (o["epoch"] as? NSNumber)?.intValue ?? epochs
            if let x = (o["val_acc"] as? NSNumber)?.doubleValue { valAcc.append(x) }
            if let x = (o["val_loss"] as? NSNumber)?.doubleValue { valLoss.append(x) }
            if let x = (o["train_acc"] as? NSNumber)?.doubleValue { trainAcc.append(x) }
        }
        lastValAcc = valAcc.last
        lastValLoss = valLoss.last
        if let m = valAcc.max() { best = ("val_acc", m) }
        else if let m = valLoss.min() { best = ("val_loss", m) }
        else if let t = Self.testAccuracy(folder: folder) { best = ("test_acc", t) }
        else if let t = trainAcc.last { best = ("train_acc", t) }
    }

    static func testAccuracy(folder: String) -> Double? {
        guard let log = try? String(contentsOfFile: folder + "/train.log", encoding: .utf8),
              let line = log.split(separator: "\n").last(where: { $0.hasPrefix("done:") }),
              let r = line.range(of: "test accuracy ") else { return nil }
        let number = line[r.upperBound...].prefix { $0.isNumber || $0 == "." }
        return Double(number).map { ($0 * 100).rounded() / 10_000 }  // 97.33 → 0.9733, not 0.97329999
    }
}

/// The final table: variants ranked by their metric (higher accuracy, lower loss first), then
/// the ones without one.
public func renderRanking(_ sweep: SweepFile) -> String {
    func better(_ a: SweepRecord, _ b: SweepRecord) -> Bool {
        switch (a.bestVal, b.bestVal) {
        case (let x?, let y?): return (a.metric ?? "").hasSuffix("loss") ? x < y : x > y
        case (.some, nil): return true
        default: return false
        }
    }
    let ranked = sweep.variants.enumerated().sorted { x, y in
        better(x.element, y.element) || (!better(y.element, x.element) && x.offset < y.offset)
    }.map(\.element)
    let rows = ranked.enumerated().map { k, v -> [String] in
        let value = v.bestVal.map { (v.metric ?? "").hasSuffix("acc") ? String(format: "%.2f%%", $0 * 100) : String(format: "%.4f", $0) } ?? "-"
        return [v.bestVal == nil ? "-" : String(k + 1), v.name, v.status.rawValue, v.metric ?? "-", value,
                v.seconds.map { String(format: "%.1f s", $0) } ?? "-"]
    }
    let header = ["rank", "variant", "status", "metric", "best", "time"]
    var widths = header.map(\.count)
    for r in rows { for (k, c) in r.enumerated() { widths[k] = max(widths[k], c.count) } }
    func line(_ cells: [String]) -> String {
        cells.enumerated().map { k, c in
            let pad = String(repeating: " ", count: widths[k] - c.count)
            return k == 0 || k == 4 || k == 5 ? pad + c : c + pad
        }.joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
    }
    return ([line(header), String(repeating: "─", count: widths.reduce(0, +) + 2 * (widths.count - 1))] + rows.map(line))
        .joined(separator: "\n") + "\n"
}
