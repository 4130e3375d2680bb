import Check
import Diagnostics
@testable import Export
import Foundation
import Interpreter
import TestSupport
import Training
import XCTest

/// Issue 13, round trip 3(b): every good MNIST spec in `specs/` trains a few steps in Regula, is
/// exported to PyTorch, and the exported module, loaded with Regula's checkpoint in eval mode,
/// reproduces Regula's logits on 256 test images; mnist_mlp and mnist_cnn are also compared on the
/// whole test set (10,000 images: at most 5 predictions may differ).
///
/// Tolerance, per logit: |torch − regula| ≤ 1e-4 · max(|regula|, 1), as the ONNX round trip.
/// Specs the exporter refuses must be refused by diagnostics at their layer's line.
final class PyTorchRoundTripTests: XCTestCase {
    static let tolerance = 1e-4
    static let steps = 3
    static let examples = 256
    static let wholeTestSet: Set<String> = ["mnist_mlp", "mnist_cnn"]

    func testEveryAcceptedSpecMatchesPyTorch() throws {
        let python = try TestTools.require(.torchPython)
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("regula-pytorch-roundtrip-\(getpid())").path
        try? FileManager.default.removeItem(atPath: work)
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }

        var manifest: [[String: Any]] = []
        var refused: [String: String] = [:]
        // CIFAR-10 is not bundled (the ONNX round trip covers its spec on generated images).
        for spec in try goodSpecs() {
            let (model, path) = try checked(spec)
            guard model.training.data.format == .idx else { continue }
            let name = ((spec as NSString).lastPathComponent as NSString).deletingPathExtension
            let (source, diagnostics) = PyTorchExport.modelSource(model, specPath: path, version: "0.1.0")
            guard let source else {
                assertRefusalIsDiagnostic(diagnostics, spec: path)
                refused[name] = diagnostics.map(\.message).joined(separator: "; ")
                continue
            }
            let dir = "\(work)/\(name)"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            try source.write(toFile: dir + "/model.py", atomically: true, encoding: .utf8)
            let checkpoint = try trainFewSteps(model, steps: Self.steps, data: repoRoot + "/data/mnist", run: dir)
            var options = TrainOptions()
            options.threads = 2
            options.dataDirectory = repoRoot + "/data/mnist"
            let whole = Self.wholeTestSet.contains(name)
            options.testLimit = whole ? nil : Self.examples
            let p = try Interpreter.predict(model: model, checkpoint: checkpoint, options: options)
            try rawFloats(p.inputs).write(to: URL(fileURLWithPath: dir + "/input"))
            try rawFloats(p.logits).write(to: URL(fileURLWithPath: dir + "/logits"))
            var entry: [String: Any] = ["name": name, "dir": dir, "class": Py.className(model.name), "checkpoint": checkpoint,
                                        "input": dir + "/input", "input_shape": p.inputShape,
                                        "logits": dir + "/logits", "logits_shape": p.logitShape]
            if model.input.dtype == .int32 { entry["tokens"] = true }
            if whole { entry["labels"] = repoRoot + "/data/mnist/t10k-labels-idx1-ubyte.gz" }
            manifest.append(entry)
        }
        XCTAssertTrue(Self.wholeTestSet.isSubset(of: Set(manifest.compactMap { $0["name"] as? String })))

        var report = ["PyTorch round trip (\(Self.steps) training steps; max rel = max |Δ| / max(|regula|, 1)):"]
        for (name, r) in try runRoundTrip(python, script: pytorchRoundTripScript, manifest: manifest, work: work, label: "PyTorch",
                                          environment: ["OMP_NUM_THREADS": "1"]) {
            let maxAbs = r["max_abs"] as? Double ?? .infinity, maxRel = r["max_rel"] as? Double ?? .infinity
            var row = "  " + name.padding(toLength: 26, withPad: " ", startingAt: 0)
                + String(format: " %5d images  max abs %.3g  max rel %.3g", r["count"] as? Int ?? 0, maxAbs, maxRel)
            XCTAssertLessThanOrEqual(maxRel, Self.tolerance, "\(name): PyTorch's logits differ from Regula's")
            if let differ = r["differ"] as? Int {
                row += String(format: "  predictions differ %d, accuracy torch %.4f regula %.4f", differ,
                              r["torch_accuracy"] as? Double ?? .nan, r["regula_accuracy"] as? Double ?? .nan)
                XCTAssertLessThanOrEqual(differ, 5, "\(name): predictions on the test set")
                XCTAssertEqual(r["count"] as? Int, 10_000, name)
            }
            report.append(row)
        }
        for (name, why) in refused.sorted(by: { $0.key < $1.key }) { report.append("  \(name.padding(toLength: 26, withPad: " ", startingAt: 0)) refused: \(why)") }
        print(report.joined(separator: "\n"))
    }

    private func assertRefusalIsDiagnostic(_ diagnostics: [Diagnostic], spec: String, line: UInt = #line) {
        XCTAssertFalse(diagnostics.isEmpty, "\(spec): refused without a diagnostic", line: line)
        for d in diagnostics {
            XCTAssertEqual(d.severity, .error, spec, line: line)
            XCTAssertEqual(d.id, "pytorch-unsupported-op", spec, line: line)
            XCTAssertEqual(d.range.file, spec, line: line)
            XCTAssertGreaterThan(d.range.start.line, 1, "\(spec): the diagnostic points at the layer's line", line: line)
        }
    }
}
