import XCTest
@testable import Interpreter

/// The residual regularizer specs (stochastic depth, Shake-Shake, ShakeDrop) train on real MNIST
/// with a falling loss and no NaN. Batch 8 and 200 steps keep the run short; the spec's
/// optimizer and regularizers are unchanged.
final class ResidualSpecsTests: XCTestCase {
    func trainBriefly(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        var model = try loadSpec(name)
        model.training.batchSize = 8
        var o = testOptions("res-\(name)")
        o.limit = 1600
        o.epochs = 1
        o.writeCheckpoints = false
        o.testLimit = 500
        var losses: [Double] = []
        o.stepCallback = { losses.append($0.loss) }
        let r = try train(model: model, options: o) { _ in }
        XCTAssertEqual(losses.count, 200, file: file, line: line)
        XCTAssertTrue(losses.allSatisfy(\.isFinite), file: file, line: line)
        let head = losses.prefix(40).reduce(0, +) / 40, tail = losses.suffix(40).reduce(0, +) / 40
        XCTAssertLessThan(tail, head - 0.2, "loss \(head) → \(tail)", file: file, line: line)
        XCTAssertGreaterThan(try XCTUnwrap(r.testAccuracy), 0.2, file: file, line: line)
    }

    func testStochasticDepthResNet() throws { try trainBriefly("resnet_stochastic_depth") }
    func testShakeShake() throws { try trainBriefly("shake_shake") }
    func testShakeDrop() throws { try trainBriefly("shakedrop") }
}
