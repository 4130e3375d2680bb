import Check
import Foundation
import Syntax
import Training

// Runs a checked sweep plan: every variant is a child `regula train` (this same executable) in
// its own run folder, up to `jobs` at a time. The sweep's state lives in `sweep.json`, rewritten
// atomically at every change, so a sweep stopped in any way (SIGKILL included) and started again
// with the same command skips the variants marked done and continues the others: with
// `--resume` when their folder holds a checkpoint, from scratch (`--force`) otherwise.

public struct SweepOptions {
    /// The sweep folder (default `runs/sweep-<model>`).
    public var out: String?
    public var jobs = 1
    /// Cores to share among the jobs; each variant trains with `cores / jobs` threads.
    public var cores = ProcessInfo.processInfo.activeProcessorCount
    /// Options passed to every `regula train` (`--epochs 2 --seed 1 ...`).
    public var trainArguments: [String] = []
    /// The `regula` executable.
    public var executable: String
    /// Redraw the per-variant progress lines in place (a terminal); else print plain lines.
    public var live = false
    /// Polled between checks; true stops launching variants and lets the running ones checkpoint.
    public var stopRequested: () -> Bool = { false }
    /// Forwarded to the running trainers when the sweep is asked to stop (SIGTERM; a terminal's
    /// Ctrl-C already reached them).
    public var forwardSignal: () -> Int32? = { nil }

    public init(executable: String) {
        self.executable = executable
    }
}

public struct SweepOutcome {
    public var folder: String
    public var sweep: SweepFile
    public var interrupted: Bool
    public var failed: Int { sweep.variants.filter { $0.status == .failed }.count }
}

public enum SweepRunner {
    /// Writes the sweep folder and trains every variant not done yet.
    /// - Throws: `DriverError` when the folder holds a different sweep or cannot be written.
    public static func run(_ plan: SweepPlan, specPath: String, options: SweepOptions,
                           print: @escaping (String) -> Void) throws -> SweepOutcome {
        guard let spec = plan.spec else { throw DriverError("the sweep has no spec to run") }
        let model = spec.model?.value ?? "model"
        let folder = options.out ?? "runs/sweep-" + model
        do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch {
            throw DriverError("cannot create the sweep folder \(folder): \(error.localizedDescription)")
        }
        let statePath = folder + "/sweep.json"
        let previous = SweepFile.read(statePath)
        let folders = plan.variants.map { folderName($0.name) }
        if let previous {
            func key(_ name: String, _ overrides: [String: String], _ ablated: [String]?) -> String {
                ([name] + overrides.keys.sorted().map { $0 + "=" + (overrides[$0] ?? "") } + (ablated ?? []).map { "-" + $0 }).joined(separator: "\n")
            }
            let same = previous.variants.map { key($0.name, $0.overrides, $0.ablated) }
                == plan.variants.map { v in key(v.name, Dictionary(v.overrides.map { ($0.path, $0.value) }, uniquingKeysWith: { $1 }), v.ablated) }
            guard same else {
                throw DriverError("\(folder) holds another sweep (its variants differ from these); choose another --out or delete it")
            }
            guard previous.trainArguments == options.trainArguments else {
                throw DriverError("\(folder) holds this sweep run with other options (\(previous.trainArguments.isEmpty ? "none" : previous.trainArguments.joined(separator: " "))); "
                    + "repeat them to continue it, or choose another --out")
            }
        }
        let sweep = SweepFile(spec: specPath, model: model, variants: zip(plan.variants, folders).enumerated().map { k, pair in
            var record = SweepRecord(name: pair.0.name, folder: pair.1, overrides: Dictionary(pair.0.overrides.map { ($0.path, $0.value) }, uniquingKeysWith: { $1 }),
                                     ablated: pair.0.ablated, status: .pending)
            if let old = previous?.variants[k], old.status == .done {
                record.status = .done
                (record.bestVal, record.metric, record.seconds) = (old.bestVal, old.metric, old.seconds)
            } else if let old = previous?.variants[k] {
                record.seconds = old.seconds
            }
            return record
        }, trainArguments: options.trainArguments)
        let dsl = specPath.hasSuffix(".regula")
        let specDirectory = URL(fileURLWithPath: specPath).deletingLastPathComponent().path
        for (k, v) in plan.variants.enumerated() where sweep.variants[k].status != .done {
            let dir = folder + "/" + folders[k]
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            let relocated = relocatingData(v.spec, from: specDirectory, to: dir)
            let text: String
            if dsl { text = printDSL(relocated) } else {
                let printed = printYAML(relocated, primaryArgument: primaryArgumentName(ofKind:))
                guard printed.refused.isEmpty else { throw DriverError("variant '\(v.name)' cannot be printed as YAML: \(printed.refused[0].message)") }
                text = printed.text
            }
            try writeIfChanged(Data(text.utf8), to: dir + "/" + (dsl ? "spec.regula" : "spec.yaml"))
            try writeIfChanged(jsonText(variantJSON(v)), to: dir + "/variant.json")
        }
        do { try sweep.write(to: statePath) } catch { throw DriverError("cannot write \(statePath): \(error.localizedDescription)") }

        var scheduler = Scheduler(folder: folder, sweep: sweep, dsl: dsl, options: options, print: print)
        try scheduler.run()
        return SweepOutcome(folder: folder, sweep: scheduler.sweep, interrupted: scheduler.stopping)
    }

    /// A variant's folder name: its name with anything a shell would need quoted replaced by `-`.
    static func folderName(_ name: String) -> String {
        String(name.unicodeScalars.map { c -> Character in
            CharacterSet.alphanumerics.contains(c) && c.isASCII || "._=,+-".unicodeScalars.contains(c) ? Character(c) : "-"
        })
    }

    private static func writeIfChanged(_ data: Data, to path: String) throws {
        if FileManager.default.contents(atPath: path) == data { return }
        try data.write(to: URL(fileURLWithPath: path), options: .atomic)
    }
}

/// The spec's relative data paths (`data.dir`, `data.train.inputs`, ...) rewritten for a spec
/// file in `folder`, so the variant's spec trains from its own folder.
func relocatingData(_ spec: Spec, from specDirectory: String, to folder: String) -> Spec {
    let pathKeys: Set<String> = ["dir", "inputs", "labels", "train", "test"]
    func relocate(_ v: Value, key: String) -> Value {
        switch v.kind {
        case .string(let s) where pathKeys.contains(key) && !s.hasPrefix("/"):
            let absolute = URL(fileURLWithPath: specDirectory).appendingPathComponent(s).standardized.path
            return Value(.string(relativePath(absolute, from: folder)), v.range)
        case .map(let entries):
            return Value(.map(entries.map { Entry(key: $0.key, value: relocate($0.value, key: $0.key.value)) }), v.range)
        default: return v
        }
    }
    var out = spec
    out.data = spec.data.map { relocate($0, key: "data") }
    return out
}

/// `target` as a path relative to the folder `base` (both made absolute first).
func relativePath(_ target: String, from base: String) -> String {
    let t = URL(fileURLWithPath: target).standardized.pathComponents
    let b = URL(fileURLWithPath: base).standardized.pathComponents
    var common = 0
    while common < min(t.count, b.count) && t[common] == b[common] { common += 1 }
    if common <= 1 { return URL(fileURLWithPath: target).standardized.path }  // nothing shared but the root
    let parts = Array(repeating: "..", count: b.count - common) + t[common...]
    return parts.isEmpty ? "." : parts.joined(separator: "/")
}
