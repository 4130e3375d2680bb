import XCTest
@testable import Interpreter

/// The acceptance runs on the full bundled MNIST (data/mnist): the only long tests.
final class AccuracyTests: XCTestCase {
    /// 784-256-256-10, ReLU, dropout 0.5, AdamW lr 1e-3 wd 1e-2, batch 128, label smoothing 0.1,
    /// 3 epochs (PyTorch: 97.2%).
    func testTutorialMLPReaches97PercentIn3Epochs() throws {
        var o = testOptions("acc-mlp")
        o.writeCheckpoints = false
        let r = try train(model: try loadSpec("mnist_mlp"), options: o) { _ in }
        XCTAssertEqual(r.epochs.count, 3)
        XCTAssertEqual(r.epochs.last?.trainLoss ?? 9, r.epochs.map(\.trainLoss).min() ?? 0)
        XCTAssertGreaterThanOrEqual(try XCTUnwrap(r.testAccuracy), 0.97)
        print("tutorial MLP: test accuracy \(r.testAccuracy ?? 0), \(Int(r.samplesPerSecond)) samples/s, peak RSS \(r.peakRSS)")
    }

    /// conv16-bn-relu-pool-conv32-bn-relu-pool-fc10, SGD momentum 0.9 lr 0.05 wd 5e-4, batch 64,
    /// 3 epochs (PyTorch: 97.9%), inputs normalized to [-1, 1] as the tutorial's pipeline does.
    /// Without normalization the same recipe reaches 96.6–97.1% for seeds 0–2 (the loss spikes in
    /// the first ten steps at lr 0.05 with momentum 0.9); with it 97.59% and 97.67% for seeds 0, 1.
    func testTutorialCNNReaches97_5PercentIn3Epochs() throws {
        let model = try loadSpec("mnist_cnn")
        var o = testOptions("acc-cnn")
        o.writeCheckpoints = false
        let r = try train(model: model, options: o) { _ in }
        XCTAssertEqual(r.epochs.count, 3)
        XCTAssertGreaterThanOrEqual(try XCTUnwrap(r.testAccuracy), 0.975)
        print("tutorial CNN: test accuracy \(r.testAccuracy ?? 0), \(Int(r.samplesPerSecond)) samples/s, peak RSS \(r.peakRSS)")
    }
}
