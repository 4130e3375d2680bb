import Training
import XCTest
import Foundation
import Runtime
@testable import Interpreter

/// Reads a safetensors header: name → (dtype, shape).
func safetensorsHeader(_ path: String) throws -> [String: (String, [Int])] {
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    let n = data.prefix(8).withUnsafeBytes { Int(UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self))) }
    let json = try XCTUnwrap(JSONSerialization.jsonObject(with: data.subdata(in: 8..<(8 + n))) as? [String: Any])
    var out: [String: (String, [Int])] = [:]
    for (k, v) in json where k != "__metadata__" {
        let d = try XCTUnwrap(v as? [String: Any])
        out[k] = (try XCTUnwrap(d["dtype"] as? String), try XCTUnwrap(d["shape"] as? [Int]))
    }
    return out
}

final class CheckpointTests: XCTestCase {
    /// `nn.Sequential(Linear(784,256), ReLU(), Dropout(), Linear(256,256), ReLU(), Dropout(), Linear(256,10))`.
    func testMLPCheckpointIsThePyTorchStateDict() throws {
        var o = testOptions("names-mlp")
        o.limit = 256
        o.epochs = 1
        o.evaluateTest = false
        let r = try train(model: try loadSpec("mnist_mlp"), options: o) { _ in }
        let h = try safetensorsHeader(try XCTUnwrap(r.runDirectory) + "/model.safetensors")
        let expected: [String: (String, [Int])] = [
            "0.weight": ("F32", [256, 784]), "0.bias": ("F32", [256]),
            "3.weight": ("F32", [256, 256]), "3.bias": ("F32", [256]),
            "6.weight": ("F32", [10, 256]), "6.bias": ("F32", [10]),
        ]
        XCTAssertEqual(Set(h.keys), Set(expected.keys))
        for (k, v) in expected { XCTAssertEqual(h[k]?.0, v.0, k); XCTAssertEqual(h[k]?.1, v.1, k) }
    }

    /// Conv(0) BN(1) ReLU(2) MaxPool(3) Conv(4) BN(5) ReLU(6) MaxPool(7) Flatten(8) Linear(9), with
    /// BN running statistics and `num_batches_tracked` as int64 counting the training steps.
    func testCNNCheckpointIsThePyTorchStateDict() throws {
        var o = testOptions("names-cnn")
        o.limit = 192
        o.epochs = 1
        o.evaluateTest = false
        let r = try train(model: try loadSpec("mnist_cnn"), options: o) { _ in }
        let path = try XCTUnwrap(r.runDirectory) + "/model.safetensors"
        let h = try safetensorsHeader(path)
        let expected: [String: (String, [Int])] = [
            "0.weight": ("F32", [16, 1, 3, 3]), "0.bias": ("F32", [16]),
            "1.weight": ("F32", [16]), "1.bias": ("F32", [16]), "1.running_mean": ("F32", [16]),
            "1.running_var": ("F32", [16]), "1.num_batches_tracked": ("I64", []),
            "4.weight": ("F32", [32, 16, 3, 3]), "4.bias": ("F32", [32]),
            "5.weight": ("F32", [32]), "5.bias": ("F32", [32]), "5.running_mean": ("F32", [32]),
            "5.running_var": ("F32", [32]), "5.num_batches_tracked": ("I64", []),
            "9.weight": ("F32", [10, 1568]), "9.bias": ("F32", [10]),
        ]
        XCTAssertEqual(Set(h.keys), Set(expected.keys))
        for (k, v) in expected { XCTAssertEqual(h[k]?.0, v.0, k); XCTAssertEqual(h[k]?.1, v.1, k) }
        let entries = try SafeTensors.read(path).tensors
        XCTAssertEqual(entries["1.num_batches_tracked"]?.int64s, [3])
        // After 3 steps from r_var = 1 the running variance has moved but stays positive.
        let rv = try XCTUnwrap(entries["1.running_var"]?.floats)
        XCTAssertTrue(rv.allSatisfy { $0 > 0 && $0 != 1 })
    }

    /// `--init` loads exactly the saved weights; `evaluate` reads a checkpoint.
    func testInitAndEvaluateUseTheCheckpoint() throws {
        let model = try loadSpec("mnist_mlp")
        var o = testOptions("init")
        o.limit = 1280
        o.testLimit = 500
        o.epochs = 1
        let r = try train(model: model, options: o) { _ in }
        let ckpt = try XCTUnwrap(r.runDirectory) + "/model.safetensors"
        var e = TrainOptions()
        e.testLimit = 500
        let ev = try evaluate(model: model, checkpoint: ckpt, options: e)
        XCTAssertEqual(ev.accuracy, try XCTUnwrap(r.testAccuracy), accuracy: 1e-9)
        XCTAssertEqual(ev.count, 500)
        // `--init` starts from exactly those weights: with no steps the test accuracy is the same.
        var i = testOptions("init-from")
        i.initCheckpoint = ckpt
        i.maxSteps = 0
        i.testLimit = 500
        let fromInit = try train(model: model, options: i) { _ in }
        XCTAssertEqual(fromInit.steps, 0)
        XCTAssertEqual(fromInit.testAccuracy, r.testAccuracy)
        var fresh = i
        fresh.initCheckpoint = nil
        fresh.outDirectory = i.outDirectory.map { $0 + "-fresh" }
        XCTAssertNotEqual(try train(model: model, options: fresh) { _ in }.testAccuracy, r.testAccuracy)
        // A wrong checkpoint is a clear error naming what is missing.
        XCTAssertThrowsError(try evaluate(model: try loadSpec("mnist_cnn"), checkpoint: ckpt, options: e)) { err in
            XCTAssertTrue("\(err)".contains("does not match the model; missing: 1.weight"), "\(err)")
        }
    }
}
