import XCTest
import Foundation
@testable import Interpreter

/// Settings of the data and loss sections that change what trains: the data layout and the
/// target encoding reach the training loop (they used to be accepted and ignored).
final class DataLayoutTrainTests: XCTestCase {
    let folder = NSTemporaryDirectory() + "regula-layout-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"

    override func setUpWithError() throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    /// 32 random 2×4×4 images written once channels first and once channels last, with labels in
    /// a separate file: the two specs train to the same losses and weights.
    func testChannelsLastDataTrainsLikeTheSameDataChannelsFirst() throws {
        var rng = SystemRandomNumberGenerator()
        let (n, c, h, w) = (32, 2, 4, 4)
        let images = (0..<n).map { _ in (0..<(c * h * w)).map { _ in Int.random(in: 0...255, using: &rng) } }
        func nchw(_ im: [Int]) -> [Int] { im }
        func nhwc(_ im: [Int]) -> [Int] {
            (0..<(h * w)).flatMap { p in (0..<c).map { ch in im[ch * h * w + p] } }
        }
        func write(_ name: String, _ rows: [[Int]]) throws -> String {
            let path = folder + "/" + name
            try rows.map { $0.map(String.init).joined(separator: ",") }.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }
        let labels = try write("y.csv", (0..<n).map { [$0 % 3] })
        let first = try write("nchw.csv", images.map(nchw))
        let last = try write("nhwc.csv", images.map(nhwc))
        func spec(_ input: String, _ inputs: String) -> String {
            """
            regula: 1
            model: layout
            input: \(input)
            layers:
              - conv2d: {filters: 3, kernel: 3, padding: 1}
              - relu
              - flatten
              - dense: 3
            train: {optimizer: {kind: sgd, lr: 0.05}, batch_size: 8}
            data: {format: csv, train: {inputs: \(inputs), labels: \(labels)}}
            """
        }
        func run(_ text: String) throws -> (losses: [Double], weights: Data) {
            var o = testOptions("layout")
            o.evaluateTest = false
            o.threads = 1
            var losses: [Double] = []
            o.stepCallback = { losses.append($0.loss) }
            let r = try train(model: try checkSpec(text), options: o) { _ in }
            return (losses, try Data(contentsOf: URL(fileURLWithPath: try XCTUnwrap(r.runDirectory) + "/model.safetensors")))
        }
        let a = try run(spec("[2, 4, 4]", first))
        let b = try run(spec("{shape: [4, 4, 2], data_format: channels_last}", last))
        XCTAssertEqual(a.losses.count, 4)
        XCTAssertEqual(a.losses, b.losses)
        XCTAssertEqual(a.weights, b.weights)
        // Read without the layout, the channels-last file gives other losses (the test can fail).
        XCTAssertNotEqual(try run(spec("[2, 4, 4]", last)).losses, a.losses)
    }

    /// `loss: {kind: mse, targets: one_hot}` trains against one-hot rows: the loss of the
    /// untrained model matches the formula computed here from its outputs, and training lowers it.
    func testMSEWithOneHotTargetsTrains() throws {
        let text = """
        regula: 1
        model: mse
        input: [1, 28, 28]
        layers:
          - flatten
          - dense: 10
          - sigmoid
        loss: {kind: mse, targets: one_hot}
        train: {optimizer: {kind: sgd, lr: 0.5}, batch_size: 32}
        data: {dir: \(repoRoot)/data/mnist}
        """
        var o = testOptions("mse")
        o.limit = 3200
        o.epochs = 2
        var losses: [Double] = []
        o.stepCallback = { losses.append($0.loss) }
        let r = try train(model: try checkSpec(text), options: o) { _ in }
        XCTAssertEqual(losses.count, 200)
        XCTAssertTrue(losses.allSatisfy(\.isFinite))
        // Sigmoid outputs start near 0.5: against one-hot rows the mean squared error is about
        // (0.5² · 9 + 0.5²) / 10 = 0.25; class ids read as floats gave values far from it.
        XCTAssertEqual(losses[0], 0.25, accuracy: 0.05)
        let early = losses.prefix(20).reduce(0, +) / 20, late = losses.suffix(20).reduce(0, +) / 20
        XCTAssertLessThan(late, early * 0.7)
        XCTAssertNotNil(r.testLoss)
    }
}
