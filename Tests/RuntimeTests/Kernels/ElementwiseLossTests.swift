import XCTest
@testable import Runtime

/// MSE and BCE against their Float64 twins and finite differences of the twins, over awkward
/// sizes; BCE's clamped logs at p = 0 and 1.
final class ElementwiseLossTests: XCTestCase {
    func testMeanSquaredErrorMatchesReferenceAndFiniteDifferences() {
        var rng = TestRandom(seed: 30)
        for n in [1, 3, 10, 17, 130] {
            let p = rng.tensor([n], -3, 3), t = rng.tensor([n], 0, 1), d = Tensor(shape: [n])
            let loss = MeanSquaredError.loss(count: n, predictions: p.data, targets: t.data)
            let ref = ElementwiseLossReference.meanSquaredError(p.doubles, t.doubles)
            XCTAssertEqual(Double(loss), ref, accuracy: 1e-6 * max(1, ref), "n \(n)")
            MeanSquaredError.backward(count: n, predictions: p.data, targets: t.data, dpredictions: d.data)
            let numeric = finiteDifference(p.doubles) { ElementwiseLossReference.meanSquaredError($0, t.doubles) }
            assertGradient(d.data, numeric, "n \(n)")
        }
    }

    func testBinaryCrossEntropyMatchesReferenceAndFiniteDifferences() {
        var rng = TestRandom(seed: 31)
        for n in [1, 2, 10, 33, 130] {
            let p = rng.tensor([n], 0.05, 0.95), t = Tensor(shape: [n]), d = Tensor(shape: [n])
            for j in 0..<n { t[j] = j % 3 == 0 ? 1 : (j % 3 == 1 ? 0 : rng.uniform(0, 1)) }
            let loss = BinaryCrossEntropy.loss(count: n, probabilities: p.data, targets: t.data)
            let ref = ElementwiseLossReference.binaryCrossEntropy(p.doubles, t.doubles)
            XCTAssertEqual(Double(loss), ref, accuracy: 1e-6 * max(1, ref), "n \(n)")
            BinaryCrossEntropy.backward(count: n, probabilities: p.data, targets: t.data, dprobabilities: d.data)
            let numeric = finiteDifference(p.doubles, h: 1e-7) { ElementwiseLossReference.binaryCrossEntropy($0, t.doubles) }
            assertGradient(d.data, numeric, "n \(n)")
        }
    }

    /// PyTorch's BCELoss: log clamped at −100, so a confident wrong answer costs 100 and a
    /// confident right one 0; the gradient stays finite.
    func testBinaryCrossEntropyClampsItsLogs() {
        let p: [Float] = [0, 1, 0, 1], t: [Float] = [1, 0, 0, 1]
        var d = [Float](repeating: 0, count: 4)
        XCTAssertEqual(BinaryCrossEntropy.loss(count: 4, probabilities: p, targets: t), 50)
        BinaryCrossEntropy.backward(count: 4, probabilities: p, targets: t, dprobabilities: &d)
        let huge: Float = 1 / 1e-12 / 4
        XCTAssertEqual(d, [-huge, huge, 0, 0])
        XCTAssertTrue(d.allSatisfy(\.isFinite))
        XCTAssertEqual(MeanSquaredError.loss(count: 0, predictions: p, targets: t), 0)
        XCTAssertEqual(BinaryCrossEntropy.loss(count: 0, probabilities: p, targets: t), 0)
    }
}
