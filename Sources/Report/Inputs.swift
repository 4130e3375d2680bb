import Foundation
import Runtime

/// A problem with the report's inputs (exit 2).
public struct ReportError: Error, CustomStringConvertible {
    public var description: String
    public init(_ d: String) { description = d }
}

/// Reads the runs a command line names: a run folder is one run; a sweep folder (with
/// `sweep.json`) is its variants in the sweep's order, each as far as it got.
public enum ReportInputs {
    public static func load(_ paths: [String]) throws -> [RunRecord] {
        var runs: [RunRecord] = []
        for p in paths {
            let folder = p.hasSuffix("/") && p.count > 1 ? String(p.dropLast()) : p
            if FileManager.default.fileExists(atPath: folder + "/sweep.json") {
                runs += try sweep(folder)
            } else {
                guard FileManager.default.fileExists(atPath: folder + "/metrics.csv")
                        || FileManager.default.fileExists(atPath: folder + "/model.safetensors") else {
                    throw ReportError("\(folder) is neither a run folder (metrics.csv, model.safetensors) nor a sweep (sweep.json)")
                }
                runs.append(try run(folder, name: (folder as NSString).lastPathComponent))
            }
        }
        // Two folders with the same last component (runs/a/x, runs/b/x) are told apart by path.
        let names = runs.map(\.name)
        for k in runs.indices where names.filter({ $0 == runs[k].name }).count > 1 { runs[k].name = runs[k].folder }
        return runs
    }

    static func json(_ path: String) throws -> [String: Any]? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw ReportError("\(path) is not a JSON object")
        }
        return object
    }

    static func strings(_ any: Any?) -> [String: String] {
        guard let d = any as? [String: Any] else { return [:] }
        return d.mapValues { v in (v as? String) ?? "\(v)" }
    }

    /// The variants of the sweep in `folder`; a variant that has not started yet has no rows.
    static func sweep(_ folder: String) throws -> [RunRecord] {
        guard let sweep = try json(folder + "/sweep.json"), let variants = sweep["variants"] as? [[String: Any]] else {
            throw ReportError("\(folder)/sweep.json has no variants list")
        }
        return try variants.enumerated().map { k, v in
            let name = v["name"] as? String ?? "variant \(k + 1)"
            let sub = folder + "/" + (v["folder"] as? String ?? name)
            var r = try run(sub, name: name)
            r.status = v["status"] as? String
            if r.overrides.isEmpty { r.overrides = strings(v["overrides"]) }
            if let ablated = v["ablated"] as? [String], !ablated.isEmpty, !r.settings.contains(where: { $0.key == "ablated" }) {
                r.settings.insert(("ablated", ablated.joined(separator: ", ")), at: 0)
            }
            return r
        }
    }

    /// One run folder; missing files leave their part empty (a run still training).
    static func run(_ folder: String, name: String) throws -> RunRecord {
        let rows = (try? String(contentsOfFile: folder + "/metrics.csv", encoding: .utf8)).map(parseMetricsCSV) ?? []
        var record = RunRecord(name: name, folder: folder, rows: rows)
        if let info = try json(folder + "/run.json") {
            let reg = strings(info["regularization"])
            record.settings = reg.keys.sorted().map { ($0, reg[$0] ?? "") }
        }
        if let variant = try json(folder + "/variant.json") {
            record.overrides = strings(variant["overrides"])
            if let ablated = variant["ablated"] as? [String], !ablated.isEmpty {
                record.settings.insert(("ablated", ablated.joined(separator: ", ")), at: 0)
            }
        }
        let model = folder + "/model.safetensors"
        if FileManager.default.fileExists(atPath: model) {
            let tensors: [String: SafeTensor]
            do { tensors = try SafeTensors.read(model).tensors } catch { throw ReportError("cannot read \(model): \(error)") }
            record.weights = tensors.keys.sorted(by: stateDictOrder).compactMap { k in
                guard let t = tensors[k], t.shape.count >= 2, let f = t.floats else { return nil }
                return RunRecord.Weight(name: k, shape: t.shape, values: f)
            }
        }
        return record
    }
}

/// PyTorch state_dict names in layer order: dot-separated parts compare as numbers when both are.
func stateDictOrder(_ a: String, _ b: String) -> Bool {
    let x = a.split(separator: "."), y = b.split(separator: ".")
    for (p, q) in zip(x, y) where p != q {
        if let i = Int(p), let j = Int(q) { return i < j }
        return p < q
    }
    return x.count < y.count
}
