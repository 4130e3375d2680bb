import Foundation
import XCTest

/// `regula export onnx`: a file on success (exit 0), diagnostics for a layer ONNX cannot express
/// (exit 1, no file), a checkpoint that cannot be read (exit 2).
final class ExportCommandTests: XCTestCase {
    private var work: URL!

    override func setUpWithError() throws {
        work = FileManager.default.temporaryDirectory.appendingPathComponent("regula-export-cli-\(getpid())-\(name.hashValue)")
        try? FileManager.default.removeItem(at: work)
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: work)
    }

    /// Two optimizer steps of `spec`; returns the checkpoint.
    private func checkpoint(_ spec: String) throws -> String {
        let run = work.appendingPathComponent("run").path
        let r = try CLI.run(["train", spec, "--steps", "2", "--limit", "64", "--out", run, "--progress", "quiet", "--threads", "2"])
        XCTAssertEqual(r.status, 0, r.stderr)
        return run + "/model.safetensors"
    }

    func testExportWritesAnONNXModel() throws {
        let output = work.appendingPathComponent("mlp.onnx").path
        let r = try CLI.run(["export", "onnx", "specs/mnist_mlp.yaml", "--checkpoint", checkpoint("specs/mnist_mlp.yaml"), "-o", output])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.hasPrefix("wrote \(output): "), r.stdout)
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: output)))
        XCTAssertEqual(Array(bytes.prefix(2)), [0x08, 0x08], "ModelProto starts with ir_version = 8")
    }

    func testRefusedLayerExitsOneWithoutAFile() throws {
        let output = work.appendingPathComponent("lstm.onnx").path
        let r = try CLI.run(["export", "onnx", "specs/lstm_classifier.yaml", "--checkpoint", checkpoint("specs/lstm_classifier.yaml"),
                             "-o", output])
        XCTAssertEqual(r.status, 1, r.stderr)
        XCTAssertTrue(r.stderr.hasPrefix("specs/lstm_classifier.yaml:9:5: error: layer '0' (lstm) cannot be exported to ONNX: zoneout"), r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: output))
    }

    func testMissingCheckpointExitsTwo() throws {
        let r = try CLI.run(["export", "onnx", "specs/mnist_mlp.yaml", "--checkpoint", "no/such/model.safetensors",
                             "-o", work.appendingPathComponent("x.onnx").path])
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.stderr.hasPrefix("error: cannot read checkpoint 'no/such/model.safetensors'"), r.stderr)
    }
}
