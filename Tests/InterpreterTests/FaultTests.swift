import Training
import XCTest
import Foundation
@testable import Interpreter

final class FaultTests: XCTestCase {
    /// A learning rate of 1e30 after a good epoch: step 3 (the first of epoch 2) still sees good
    /// weights, its update makes them ~1e30, and step 4's second dense layer overflows. The error
    /// names the step, the layer and its spec line, and the epoch-1 checkpoint is untouched.
    func testNonFiniteLossNamesStepAndLayerAndKeepsTheCheckpoint() throws {
        var model = try loadSpec("mnist_mlp")
        var o = testOptions("nan")
        o.limit = 256
        o.epochs = 1
        o.evaluateTest = false
        let first = try train(model: model, options: o) { _ in }
        let dir = try XCTUnwrap(first.runDirectory)
        let before = try Data(contentsOf: URL(fileURLWithPath: dir + "/model.safetensors"))

        model.training.optimizer.lr = 1e30
        o.outDirectory = dir
        o.resume = true
        o.epochs = 2
        XCTAssertThrowsError(try train(model: model, options: o) { _ in }) { error in
            guard case let TrainError.nonFinite(step, epoch, _, node, checkpoint) = error else {
                return XCTFail("unexpected error \(error)")
            }
            XCTAssertEqual(step, 4)
            XCTAssertEqual(epoch, 2)
            XCTAssertTrue(node.hasPrefix("layer 3 (dense) at "), node)
            XCTAssertTrue(node.contains("mnist_mlp.yaml:"), node)
            XCTAssertEqual(checkpoint, dir + "/model.safetensors")
            XCTAssertTrue("\(error)".contains("step 4"), "\(error)")
        }
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: dir + "/model.safetensors")), before)
    }

    func testMissingDataIsAClearErrorBeforeTraining() throws {
        var o = testOptions("missing")
        o.dataDirectory = NSTemporaryDirectory() + "no-such-folder-\(getpid())"
        var steps = 0
        o.stepCallback = { _ in steps += 1 }
        XCTAssertThrowsError(try train(model: try loadSpec("mnist_mlp"), options: o) { _ in }) { error in
            XCTAssertTrue("\(error)".contains("train-images-idx3-ubyte") && "\(error)".contains("not found"), "\(error)")
        }
        XCTAssertEqual(steps, 0)
    }

    /// A truncated gzip file and a spec whose `input:` does not match the images.
    func testTruncatedAndWrongShapeData() throws {
        let dir = NSTemporaryDirectory() + "regula-trunc-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let src = repoRoot + "/data/mnist/"
        for f in ["train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"] {
            try? FileManager.default.removeItem(atPath: dir + "/" + f)
            try FileManager.default.copyItem(atPath: src + f, toPath: dir + "/" + f)
        }
        let images = try Data(contentsOf: URL(fileURLWithPath: src + "train-images-idx3-ubyte.gz"))
        try images.prefix(images.count / 2).write(to: URL(fileURLWithPath: dir + "/train-images-idx3-ubyte.gz"))
        var o = testOptions("trunc")
        o.dataDirectory = dir
        XCTAssertThrowsError(try train(model: try loadSpec("mnist_mlp"), options: o) { _ in }) { error in
            XCTAssertTrue("\(error)".contains("train-images-idx3-ubyte.gz") && "\(error)".contains("truncated"), "\(error)")
        }
        let wrong = try checkSpec("""
        regula: 1
        model: wrong
        input: [100]
        layers: [dense: 10]
        loss: cross_entropy
        data: {dir: \(repoRoot)/data/mnist}
        """)
        XCTAssertThrowsError(try train(model: wrong, options: testOptions("shape")) { _ in }) { error in
            XCTAssertTrue("\(error)".contains("[100]") && "\(error)".contains("784"), "\(error)")
        }
    }

    func testAModelThatDoesNotFitIsRefusedBeforeAllocating() throws {
        var o = testOptions("mem")
        o.memoryLimit = 10_000_000
        XCTAssertThrowsError(try train(model: try loadSpec("mnist_mlp"), options: o) { _ in }) { error in
            guard case TrainError.memory(let need, let have, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(have, 10_000_000)
            XCTAssertGreaterThan(need, have)
            XCTAssertTrue("\(error)".contains("reduce the batch size"), "\(error)")
        }
    }
}
