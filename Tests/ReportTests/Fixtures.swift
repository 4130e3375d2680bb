import Foundation
import Runtime

/// Run and sweep folders written the way `regula train` and `regula sweep` write them, with
/// deterministic curves and weights.
enum Fixtures {
    static func temporary(_ name: String) -> String {
        NSTemporaryDirectory() + "regula-report-\(name)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    }

    /// A run folder: `epochs` rows whose losses fall and whose validation lags by `gap`;
    /// weights from a fixed sequence, with `zeros` of every 10 set to exactly 0 (an L1 run).
    static func run(_ folder: String, epochs: Int, gap: Double, scale: Float, zeros: Int = 0, validation: Bool = true,
                    settings: [String: String] = [:]) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var csv = "epoch,step,lr,train_loss,train_acc,val_loss,val_acc,samples_per_sec,elapsed\n"
        for e in 1...max(epochs, 1) where epochs > 0 {
            let loss = 2.0 / Double(e + 1), acc = 1 - loss / 2.5
            let val = validation ? "\(loss + gap * Double(e) / 4),\(acc - gap / 3)" : ","
            csv += "\(e),\(e * 10),0.001,\(loss),\(acc),\(val),1000,\(e)\n"
        }
        try csv.write(toFile: folder + "/metrics.csv", atomically: true, encoding: .utf8)
        func weights(_ n: Int, seed: Int) -> [Float] {
            (0..<n).map { k in
                k % 10 < zeros ? 0 : scale * Float(sin(Double(k * 7 + seed)) * cos(Double(k) * 0.37))
            }
        }
        try SafeTensors.write(["0.weight": SafeTensor(floats: weights(64 * 16, seed: 1), shape: [64, 16]),
                               "0.bias": SafeTensor(floats: weights(64, seed: 2), shape: [64]),
                               "2.weight": SafeTensor(floats: weights(10 * 64, seed: 3), shape: [10, 64])],
                              to: folder + "/model.safetensors")
        let body = settings.keys.sorted().map { "\"\($0)\": \"\(settings[$0] ?? "")\"" }.joined(separator: ", ")
        try "{\"model\": \"m\", \"spec\": \"m.yaml\", \"seed\": 0, \"regularization\": {\(body)}}"
            .write(toFile: folder + "/run.json", atomically: true, encoding: .utf8)
    }

    /// A sweep of dropout × weight decay: four variants, the last still running after one epoch.
    static func sweep(_ folder: String) throws {
        var variants: [String] = []
        for (k, (p, wd)) in [("0", "0"), ("0.5", "0"), ("0", "1e-4"), ("0.5", "1e-4")].enumerated() {
            let name = "p=\(p),wd=\(wd)", sub = "v\(k + 1)"
            let status = k == 3 ? "running" : "done"
            try run(folder + "/" + sub, epochs: k == 3 ? 1 : 4, gap: p == "0" ? 0.6 : 0.1, scale: wd == "0" ? 0.3 : 0.15)
            let overrides = "{\"layers.2.p\": \"\(p)\", \"defaults.weight_decay\": \"\(wd)\"}"
            try "{\"name\": \"\(name)\", \"overrides\": \(overrides)}".write(toFile: folder + "/\(sub)/variant.json", atomically: true, encoding: .utf8)
            variants.append("{\"name\": \"\(name)\", \"folder\": \"\(sub)\", \"overrides\": \(overrides), \"status\": \"\(status)\"}")
        }
        try FileManager.default.createDirectory(atPath: folder + "/v5", withIntermediateDirectories: true)
        variants.append("{\"name\": \"pending\", \"folder\": \"v5\", \"overrides\": {\"layers.2.p\": \"0.2\"}, \"status\": \"pending\"}")
        try "{\"spec\": \"m.yaml\", \"model\": \"m\", \"variants\": [\(variants.joined(separator: ", "))]}"
            .write(toFile: folder + "/sweep.json", atomically: true, encoding: .utf8)
    }
}
