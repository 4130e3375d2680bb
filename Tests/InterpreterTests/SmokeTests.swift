import XCTest
@testable import Interpreter

final class SmokeTests: XCTestCase {
    /// 20 AdamW steps on real MNIST already move the MLP far from chance, and the run folder
    /// gets its checkpoint and metrics.
    func testMLPLearnsFromAFewBatches() throws {
        let model = try loadSpec("mnist_mlp")
        var o = testOptions("smoke")
        o.limit = 2560
        o.testLimit = 1000
        o.epochs = 1
        var losses: [Double] = []
        o.stepCallback = { losses.append($0.loss) }
        let r = try train(model: model, options: o) { _ in }
        XCTAssertEqual(r.steps, 20)
        XCTAssertEqual(losses.count, 20)
        XCTAssertLessThan(losses.suffix(5).reduce(0, +) / 5, losses.prefix(5).reduce(0, +) / 5 - 0.2)
        XCTAssertGreaterThan(r.testAccuracy ?? 0, 0.6)
        let dir = try XCTUnwrap(r.runDirectory)
        for f in ["model.safetensors", "train_state.safetensors", "metrics.csv", "metrics.jsonl"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/" + f), f)
        }
    }
}
