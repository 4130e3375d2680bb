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

    /// Probability targets (mixup, CutMix): loss against the Float64 twin and finite differences,
    /// gradient softmax − q, and a row is correct when its arg-max logit is its target's.
    func testSoftTargetsMatchReferenceAndFiniteDifferences() {
        var rng = TestRandom(seed: 21)
        for (n, k) in [(1, 2), (3, 10), (17, 7)] {
            for smoothing in [LabelSmoothing.none, .uniform(0.1), .offTarget(0.2)] {
                let logits = rng.tensor([n, k], -4, 4)
                var targets = [Float](repeating: 0, count: n * k)
                for r in 0..<n {
                    let raw = (0..<k).map { _ in rng.uniform(0, 1) }, total = raw.reduce(0, +)
                    for j in 0..<k { targets[r * k + j] = raw[j] / total }
                }
                let grad = Tensor(shape: [n, k])
                let result = SoftmaxCrossEntropy.forwardBackward(batch: n, classes: k, logits: logits.data, targets: targets,
                                                                 smoothing: smoothing, dlogits: grad.data)
                let t = targets.map(Double.init)
                let ref = SoftmaxCrossEntropyReference.loss(batch: n, classes: k, logits: logits.doubles, targets: t, smoothing: smoothing)
                XCTAssertEqual(result.loss, ref, accuracy: 1e-5 * max(1, abs(ref)), "n \(n) k \(k) \(smoothing)")
                let numeric = finiteDifference(logits.doubles) {
                    SoftmaxCrossEntropyReference.loss(batch: n, classes: k, logits: $0, targets: t, smoothing: smoothing)
                }
                assertGradient(grad.data, numeric, "n \(n) k \(k) \(smoothing)")
                let correct = (0..<n).filter { r in
                    let z = (0..<k).map { logits[r * k + $0] }, q = targets[(r * k)..<(r * k + k)].map { $0 }
                    return z.firstIndex(of: z.max()!) == q.firstIndex(of: q.max()!)
                }.count
                XCTAssertEqual(result.correct, correct)
                XCTAssertEqual(SoftmaxCrossEntropy.correctCount(batch: n, classes: k, logits: logits.data, targets: targets), correct)
            }
        }
    }

    /// Semantics reference §5.2: cross-entropy with the mixed target λ·onehot(i) + (1−λ)·onehot(j)
    /// equals λ·CE(y_i) + (1−λ)·CE(y_j), to 1e-6, with and without label smoothing; a one-hot row
    /// gives the hard-label loss and gradient.
    func testMixedTargetEqualsTheWeightedPairOfLosses() {
        var rng = TestRandom(seed: 22)
        let n = 6, k = 10, lambda: Float = 0.3
        let logits = rng.tensor([n, k], -3, 3)
        let a = (0..<n).map { _ in Int32(rng.int(k)) }, b = (0..<n).map { _ in Int32(rng.int(k)) }
        for smoothing in [LabelSmoothing.none, .uniform(0.1), .offTarget(0.1)] {
            var mixed = [Float](repeating: 0, count: n * k)
            for r in 0..<n { mixed[r * k + Int(a[r])] += lambda; mixed[r * k + Int(b[r])] += 1 - lambda }
            let soft = SoftmaxCrossEntropy.forwardBackward(batch: n, classes: k, logits: logits.data, targets: mixed, smoothing: smoothing, dlogits: nil)
            let la = SoftmaxCrossEntropy.forwardBackward(batch: n, classes: k, logits: logits.data, labels: a, smoothing: smoothing, dlogits: nil)
            let lb = SoftmaxCrossEntropy.forwardBackward(batch: n, classes: k, logits: logits.data, labels: b, smoothing: smoothing, dlogits: nil)
            XCTAssertEqual(soft.loss, Double(lambda) * la.loss + Double(1 - lambda) * lb.loss, accuracy: 1e-6, "\(smoothing)")

            var oneHot = [Float](repeating: 0, count: n * k)
            for r in 0..<n { oneHot[r * k + Int(a[r])] = 1 }
            let gSoft = Tensor(shape: [n, k]), gHard = Tensor(shape: [n, k])
            let s = SoftmaxCrossEntropy.forwardBackward(batch: n, classes: k, logits: logits.data, targets: oneHot, smoothing: smoothing, dlogits: gSoft.data)
            let h = SoftmaxCrossEntropy.forwardBackward(batch: n, classes: k, logits: logits.data, labels: a, smoothing: smoothing, dlogits: gHard.data)
            XCTAssertEqual(s.loss, h.loss, accuracy: 1e-6, "\(smoothing)")
            XCTAssertEqual(s.correct, h.correct)
            assertClose(gSoft, gHard, rtol: 1e-6, atol: 1e-7)
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

/// The Π-model / Mean Teacher consistency term against its Float64 twin and finite differences;
/// zero (with a zero gradient) when the target is the softmax itself.
final class SoftmaxConsistencyTests: XCTestCase {
    func testMatchesReferenceAndFiniteDifferences() {
        var rng = TestRandom(seed: 31)
        for (n, k) in [(1, 2), (3, 10), (9, 7)] {
            let logits = rng.tensor([n, k], -3, 3)
            var target = [Float](repeating: 0, count: n * k)
            for r in 0..<n {
                let raw = (0..<k).map { _ in rng.uniform(0, 1) }, total = raw.reduce(0, +)
                for j in 0..<k { target[r * k + j] = raw[j] / total }
            }
            let grad = Tensor(shape: [n, k])
            let c = SoftmaxConsistency.forwardBackward(rows: n, classes: k, logits: logits.data, target: target, weight: 2.5, dlogits: grad.data)
            let t = target.map(Double.init)
            let ref = SoftmaxConsistencyReference.loss(rows: n, classes: k, logits: logits.doubles, target: t, weight: 2.5)
            XCTAssertEqual(c, ref, accuracy: 1e-6 * max(1, abs(ref)), "n \(n) k \(k)")
            let numeric = finiteDifference(logits.doubles) {
                SoftmaxConsistencyReference.loss(rows: n, classes: k, logits: $0, target: t, weight: 2.5)
            }
            assertGradient(grad.data, numeric, "n \(n) k \(k)")
        }
    }

    func testVanishesAtItsOwnSoftmax() {
        var rng = TestRandom(seed: 32)
        let logits = rng.tensor([4, 10], -3, 3), p = Tensor(shape: [4, 10]), grad = Tensor(shape: [4, 10])
        Softmax.forward(rows: 4, n: 10, logits.data, p.data)
        let c = SoftmaxConsistency.forwardBackward(rows: 4, classes: 10, logits: logits.data, target: p.data, weight: 100, dlogits: grad.data)
        XCTAssertEqual(c, 0, accuracy: 1e-10)
        for i in 0..<40 { XCTAssertEqual(grad.data[i], 0, accuracy: 1e-7) }
    }
}
