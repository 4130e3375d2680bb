import XCTest
@testable import Runtime

final class CrossEntropyTests: XCTestCase {
    func testLossAndGradientMatchReferenceAndFiniteDifferences() {
        var rng = TestRandom(seed: 20)
        for (n, k) in [(1, 1), (1, 2), (3, 10), (17, 7), (8, 33)] {
            for smoothing in [LabelSmoothing.none, .uniform(0.1), .offTarget(0.1), .uniform(0.3)] {
                let logits = rng.tensor([n, k], -4, 4)
                let labels = (0..<n).map { _ in Int32(rng.int(k)) }
                let grad = Tensor(shape: [n, k])
                let result = labels.withUnsafeBufferPointer {
                    SoftmaxCrossEntropy.forwardBackward(batch: n, classes: k, logits: logits.data, labels: $0.baseAddress!,
                                                        smoothing: smoothing, dlogits: grad.data)
                }
                let ints = labels.map(Int.init)
                let ref = SoftmaxCrossEntropyReference.loss(batch: n, classes: k, logits: logits.doubles, labels: ints, smoothing: smoothing)
                XCTAssertEqual(result.loss, ref, accuracy: 1e-5 * max(1, abs(ref)), "n \(n) k \(k) \(smoothing)")
                let numeric = finiteDifference(logits.doubles) {
                    SoftmaxCrossEntropyReference.loss(batch: n, classes: k, logits: $0, labels: ints, smoothing: smoothing)
                }
                assertGradient(grad.data, numeric, "n \(n) k \(k) \(smoothing)")
                let correct = (0..<n).filter { r in
                    let row = (0..<k).map { logits[r * k + $0] }
                    return row.firstIndex(of: row.max()!) == ints[r]
                }.count
                XCTAssertEqual(result.correct, correct)
                XCTAssertEqual(labels.withUnsafeBufferPointer {
                    SoftmaxCrossEntropy.correctCount(batch: n, classes: k, logits: logits.data, labels: $0.baseAddress!) }, correct)
            }
        }
    }

    /// Oracles from regularization-semantics.md §5.1.
    func testSemanticsOracles() {
        XCTAssertEqual(LabelSmoothing.uniform(0.1).targets(classes: 10).on, 0.91, accuracy: 1e-7)
        XCTAssertEqual(LabelSmoothing.uniform(0.1).targets(classes: 10).off, 0.01, accuracy: 1e-7)
        XCTAssertEqual(LabelSmoothing.offTarget(0.1).targets(classes: 10).on, 0.9, accuracy: 1e-7)
        XCTAssertEqual(LabelSmoothing.offTarget(0.1).targets(classes: 10).off, 0.1 / 9, accuracy: 1e-8)
        // Uniform logits give log K for any ε, and the gradient is softmax − q = (1/K − q)/N.
        let logits = Tensor(shape: [4, 10], repeating: 0.3), grad = Tensor(shape: [4, 10])
        let labels: [Int32] = [0, 3, 9, 3]
        for eps: Float in [0, 0.1, 0.5] {
            let r = labels.withUnsafeBufferPointer {
                SoftmaxCrossEntropy.forwardBackward(batch: 4, classes: 10, logits: logits.data, labels: $0.baseAddress!,
                                                    smoothing: .uniform(eps), dlogits: grad.data)
            }
            XCTAssertEqual(r.loss, log(10), accuracy: 1e-6)
            let (on, off) = LabelSmoothing.uniform(eps).targets(classes: 10)
            for row in 0..<4 { for j in 0..<10 {
                XCTAssertEqual(grad[row * 10 + j], (0.1 - (j == Int(labels[row]) ? on : off)) / 4, accuracy: 1e-7)
            } }
        }
    }

    func testDeterministicAcrossThreads() {
        var rng = TestRandom(seed: 21)
        let logits = rng.tensor([128, 10], -3, 3)
        let labels = (0..<128).map { _ in Int32(rng.int(10)) }
        let g1 = Tensor(shape: [128, 10]), g2 = Tensor(shape: [128, 10])
        let r1 = labels.withUnsafeBufferPointer { SoftmaxCrossEntropy.forwardBackward(batch: 128, classes: 10, logits: logits.data,
            labels: $0.baseAddress!, smoothing: .uniform(0.1), dlogits: g1.data, pool: ThreadPool(threads: 1)) }
        let r2 = labels.withUnsafeBufferPointer { SoftmaxCrossEntropy.forwardBackward(batch: 128, classes: 10, logits: logits.data,
            labels: $0.baseAddress!, smoothing: .uniform(0.1), dlogits: g2.data, pool: ThreadPool(threads: 2)) }
        XCTAssertEqual(r1.loss.bitPattern, r2.loss.bitPattern)
        assertBitIdentical(g1, g2)
    }
}
