import Check
import Diagnostics
import Driver
@testable import Export
import Foundation
import Interpreter
import Runtime
import TestSupport
import Training
import XCTest

/// Issue 13, round trip 3(a): every good spec in `specs/` trains a few steps in Regula (on the
/// bundled MNIST; CIFAR-10 on generated images), is exported, and ONNX Runtime reproduces
/// Regula's logits on 256 test images.
///
/// Tolerance, per logit: |onnx − regula| ≤ 1e-4 · max(|regula|, 1), a relative error of 1e-4 with
/// logits below 1 in magnitude held to 1e-4 absolute (a purely relative bound is meaningless at 0).
/// Specs the exporter refuses must be refused by diagnostics at their layer's line.
final class ONNXRoundTripTests: XCTestCase {
    static let tolerance = 1e-4
    static let steps = 3
    static let examples = 256

    func testEveryGoodSpecMatchesONNXRuntime() throws {
        let python = try TestTools.require(.python)
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("regula-onnx-roundtrip-\(getpid())").path
        try? FileManager.default.removeItem(atPath: work)
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }

        var manifest: [[String: Any]] = []
        var refused: [String: String] = [:]
        for spec in try goodSpecs() + writeExtraSpecs(in: work) {
            let (model, path) = try checked(spec)
            // CIFAR-10 is not bundled: its spec trains and is compared on generated images.
            let data = model.training.data.format == .cifar10 ? try syntheticCIFAR10(in: work) : repoRoot + "/data/mnist"
            let name = ((spec as NSString).lastPathComponent as NSString).deletingPathExtension
            let checkpoint = try trainFewSteps(model, steps: Self.steps, data: data, run: "\(work)/\(name)")
            let result = try ONNXExport.export(model: model, weights: ONNXExport.readWeights(checkpoint), specPath: path,
                                               producerVersion: "0.1.0")
            guard let onnx = result.model else {
                assertRefusalIsDiagnostic(result.diagnostics, spec: path)
                refused[name] = result.diagnostics.map(\.message).joined(separator: "; ")
                continue
            }
            var options = TrainOptions()
            options.threads = 2
            options.dataDirectory = data
            options.testLimit = Self.examples
            let p = try Interpreter.predict(model: model, checkpoint: checkpoint, options: options)
            XCTAssertEqual(p.logitShape.first, Self.examples, name)
            let tokens = onnx.graph.inputs.first?.elemType == .int32
            try Data(onnx.serialized).write(to: URL(fileURLWithPath: "\(work)/\(name).onnx"))
            try rawFloats(p.inputs).write(to: URL(fileURLWithPath: "\(work)/\(name).input"))
            try rawFloats(p.logits).write(to: URL(fileURLWithPath: "\(work)/\(name).logits"))
            manifest.append(["name": name, "onnx": "\(work)/\(name).onnx", "input": "\(work)/\(name).input",
                             "input_shape": p.inputShape, "input_dtype": tokens ? "int32" : "float32",
                             "logits": "\(work)/\(name).logits", "logits_shape": p.logitShape])
        }
        XCTAssertEqual(Set(refused.keys), ["lstm_classifier"])   // zoneout at evaluation
        XCTAssertGreaterThanOrEqual(manifest.count, 32)

        var report = ["ONNX round trip (\(Self.examples) test images, \(Self.steps) training steps):"]
        for (name, r) in try runRoundTrip(python, script: onnxRuntimeScript, manifest: manifest, work: work, label: "ONNX Runtime") {
            let maxAbs = r["max_abs"] as? Double ?? .infinity, maxRel = r["max_rel"] as? Double ?? .infinity
            report.append("  " + name.padding(toLength: 26, withPad: " ", startingAt: 0)
                          + String(format: " exported  max abs %.3g  max rel %.3g  (max |logit| %.3g)", maxAbs, maxRel,
                                   r["max_logit"] as? Double ?? .nan))
            XCTAssertLessThanOrEqual(maxRel, Self.tolerance, "\(name): ONNX Runtime's logits differ from Regula's")
            XCTAssertEqual(r["producer"] as? String, "regula", name)
            XCTAssertEqual((r["metadata"] as? [String: String])?["model_name"], name, name)
            XCTAssertEqual((r["metadata"] as? [String: String])?["regula_version"], "0.1.0", name)
            XCTAssertEqual((r["input_dims"] as? [Any])?.first as? String, "N", name)
            XCTAssertEqual((r["output_dims"] as? [Any])?.first as? String, "N", name)
        }
        for (name, why) in refused.sorted(by: { $0.key < $1.key }) { report.append("  \(name.padding(toLength: 26, withPad: " ", startingAt: 0)) refused: \(why)") }
        print(report.joined(separator: "\n"))
    }

    /// A CIFAR-10 binary folder of generated images (`cifarRecord`): 5 training batches of 128
    /// records and a test batch of 256, labels cycling through the 10 classes.
    private func syntheticCIFAR10(in work: String) throws -> String {
        let dir = work + "/cifar10"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for (name, count) in (1...5).map({ ("data_batch_\($0).bin", 128) }) + [("test_batch.bin", Self.examples)] {
            let bytes = (0..<count).flatMap { cifarRecord([UInt8(($0 * 3 + name.count) % 10)]) }
            try Data(bytes).write(to: URL(fileURLWithPath: dir + "/" + name))
        }
        return dir
    }

    private func assertRefusalIsDiagnostic(_ diagnostics: [Diagnostic], spec: String, line: UInt = #line) {
        XCTAssertFalse(diagnostics.isEmpty, "\(spec): refused without a diagnostic", line: line)
        for d in diagnostics {
            XCTAssertEqual(d.severity, .error, spec, line: line)
            XCTAssertEqual(d.id, "onnx-unsupported-op", spec, line: line)
            XCTAssertEqual(d.range.file, spec, line: line)
            XCTAssertGreaterThan(d.range.start.line, 1, "\(spec): the diagnostic points at the layer's line", line: line)
        }
    }
}
