import Check
@testable import Export
import Foundation
import TestSupport
import XCTest

/// The generated package is pinned text (re-record with REGULA_RECORD=1), and refusals are
/// diagnostics at the refused layer's line with no files.
final class PyTorchSnapshotTests: XCTestCase {
    func testGeneratedPackagesMatchTheirSnapshots() throws {
        for (name, files) in [("mnist_mlp", ["model.py", "train.py", "README.md"]), ("mnist_cnn", ["model.py", "train.py"]),
                              ("shake_shake", ["model.py"]), ("shakedrop", ["model.py"]),
                              ("lstm_classifier", ["model.py"])] {
            let (model, path) = try checked(repoRoot + "/specs/\(name).yaml")
            let exported = PyTorchExport.export(model: model, specPath: path, version: "0.1.0")
            XCTAssertEqual(exported.diagnostics.map(\.message), [], name)
            for file in files {
                // The spec's data folder is absolute; the snapshot must not depend on the checkout.
                let text = (exported.files[file] ?? "").replacingOccurrences(of: repoRoot, with: "<repo>")
                assertSnapshot(text, named: "\(name).\(file).txt")
            }
        }
    }

    func testJoinsAreRefusedAtTheirLine() throws {
        let (model, path) = try checked(repoRoot + "/specs/transformer_block.yaml")
        let exported = PyTorchExport.export(model: model, specPath: path, version: "0.1.0")
        XCTAssertTrue(exported.files.isEmpty)
        let d = try XCTUnwrap(exported.diagnostics.first)
        XCTAssertEqual(d.id, "pytorch-unsupported-op")
        XCTAssertTrue(d.message.contains("(add) cannot be exported to PyTorch"), d.message)
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        XCTAssertTrue(lines[d.range.start.line - 1].contains("add"), String(lines[d.range.start.line - 1]))
    }

    func testTrainingSettingsItCannotReproduceAreRefused() throws {
        let (model, path) = try checked(repoRoot + "/specs/mlp_ema.yaml")
        let exported = PyTorchExport.export(model: model, specPath: path, version: "0.1.0")
        XCTAssertTrue(exported.files.isEmpty)
        XCTAssertEqual(exported.diagnostics.map(\.id), ["pytorch-unsupported-training", "pytorch-unsupported-training"])
        XCTAssertEqual(exported.diagnostics.map(\.message), ["the PyTorch train.py cannot reproduce train.ema yet",
                                                              "the PyTorch train.py cannot reproduce train.gradient_noise yet"])
    }

    /// train.py's decay and penalty tables hold one number per tensor: a scheduled strength is
    /// refused rather than trained at its final value.
    func testScheduledPenaltyStrengthsAreRefused() throws {
        let path = NSTemporaryDirectory() + "regula-export-scheduled-\(getpid()).yaml"
        try """
        regula: 1
        model: scheduled
        input: [784]
        defaults: {l1: {schedule: linear, from: 0, to: 0.0001, epochs: 1}}
        layers: [dense: {units: 10, l2: {schedule: step, values: [0, 0.0001], steps: [100]}}]
        loss: cross_entropy
        train: {optimizer: {kind: adamw, weight_decay: {schedule: cosine, from: 0.05, to: 0, epochs: 1}}, epochs: 1}
        data: {format: idx, dir: ../data/mnist}
        """.write(toFile: path, atomically: true, encoding: .utf8)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        let (model, specPath) = try checked(path)
        let exported = PyTorchExport.export(model: model, specPath: specPath, version: "0.1.0")
        XCTAssertTrue(exported.files.isEmpty)
        XCTAssertEqual(exported.diagnostics.map(\.message), ["weight_decay", "l1", "l2"].map { "the PyTorch train.py cannot reproduce a schedule of \($0) yet" })
    }
}
