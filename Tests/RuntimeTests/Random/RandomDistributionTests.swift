import XCTest
@testable import Runtime

/// Distribution helpers against the statistical oracles of the semantics reference (§2.2, §5.2),
/// with tolerances of four standard errors.
final class RandomDistributionTests: XCTestCase {
    func testUniformRangeAndMoments() {
        let n = 1 << 20
        var u = [Float](repeating: -1, count: n)
        RandomStream(seed: 1, step: 0, stream: 0).fillUniform(&u, count: n)
        XCTAssertGreaterThanOrEqual(u.min()!, 0)
        XCTAssertLessThan(u.max()!, 1)
        let mean = u.reduce(0.0) { $0 + Double($1) } / Double(n)
        let variance = u.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / Double(n)
        XCTAssertEqual(mean, 0.5, accuracy: 4 * (1.0 / 12 / Double(n)).squareRoot())
        XCTAssertEqual(variance, 1.0 / 12, accuracy: 1e-3)
        for x in u.prefix(1000) { XCTAssertEqual(x * 0x1p24, (x * 0x1p24).rounded(), "24-bit grid") }
    }

    func testUniformRange() {
        var u = [Float](repeating: 0, count: 10_000)
        RandomStream(seed: 2).fillUniform(&u, count: u.count, low: -3, high: 5)
        XCTAssertGreaterThanOrEqual(u.min()!, -3)
        XCTAssertLessThan(u.max()!, 5)
        XCTAssertLessThan(u.min()!, -2.9)
        XCTAssertGreaterThan(u.max()!, 4.9)
    }

    /// Semantics §2.2: x = 1, N = 10⁶, p = 0.3: zero fraction p ± 4√(pq/N), mean(y) = 1 ± 4√(p/(qN)),
    /// every nonzero exactly 1/q.
    func testInvertedDropoutOracle() {
        let n = 1_000_000, p: Float = 0.3, q = 1 - p
        let x = [Float](repeating: 1, count: n)
        var y = [Float](repeating: 0, count: n)
        RandomStream(seed: 12345, step: 7, stream: 3).applyBernoulli(x, &y, count: n, keep: q, scale: 1 / q)
        let zeros = y.filter { $0 == 0 }.count
        let pd = Double(p), qd = Double(q), nd = Double(n)
        XCTAssertEqual(Double(zeros) / nd, pd, accuracy: 4 * (pd * qd / nd).squareRoot())
        let mean = y.reduce(0.0) { $0 + Double($1) } / nd
        XCTAssertEqual(mean, 1, accuracy: 4 * (pd / (qd * nd)).squareRoot())
        XCTAssertTrue(y.allSatisfy { $0 == 0 || $0 == 1 / q })
    }

    /// The backward pass regenerates the mask: dx = dy ⊙ m/q equals y/x elementwise.
    func testBackwardRegeneratesTheSameMask() {
        let n = 10_001, keep: Float = 0.6
        let s = RandomStream(seed: 5, step: 11, stream: 2)
        let x = (0..<n).map { Float($0 % 17) + 0.5 }
        var y = [Float](repeating: 0, count: n), dx = [Float](repeating: 0, count: n)
        s.applyBernoulli(x, &y, count: n, keep: keep, scale: 1 / keep)
        let dy = [Float](repeating: 1, count: n)
        RandomStream(seed: 5, step: 11, stream: 2).applyBernoulli(dy, &dx, count: n, keep: keep, scale: 1 / keep)
        for i in 0..<n { XCTAssertEqual(dx[i], y[i] / x[i], accuracy: 1e-6) }
    }

    /// Semantics §2.2, classic variant (Hinton 2012): y = x ⊙ m without rescaling, E[y] = q·x.
    func testClassicDropoutExpectation() {
        let n = 1_000_000, q: Float = 0.8
        let x = [Float](repeating: 2, count: n)
        var y = [Float](repeating: 0, count: n)
        RandomStream(seed: 6, step: 1, stream: 1).applyBernoulli(x, &y, count: n, keep: q, scale: 1)
        let mean = y.reduce(0.0) { $0 + Double($1) } / Double(n)
        let sd = 2 * (Double(q) * (1 - Double(q)) / Double(n)).squareRoot()
        XCTAssertEqual(mean, 2 * Double(q), accuracy: 4 * sd)
        XCTAssertTrue(y.allSatisfy { $0 == 0 || $0 == 2 })
    }

    func testDropoutEdgeRates() {
        let n = 1000
        let x = (0..<n).map { Float($0) - 500 }
        var y = [Float](repeating: 9, count: n)
        let s = RandomStream(seed: 3)
        s.applyBernoulli(x, &y, count: n, keep: 1, scale: 1)          // p = 0: identity
        XCTAssertEqual(y, x)
        s.applyBernoulli(x, &y, count: n, keep: 0, scale: 0)          // p = 1: zeros, no NaN
        XCTAssertTrue(y.allSatisfy { $0 == 0 && !$0.isNaN })
    }

    func testMaskAgreesWithUniformAndOffsets() {
        let s = RandomStream(seed: 77, step: 2, stream: 9)
        let keep: Float = 0.37
        var whole = [Float](repeating: 0, count: 1003)
        s.fillBernoulli(&whole, count: whole.count, keep: keep)
        for i in 0..<whole.count { XCTAssertEqual(whole[i], s.uniform(at: i) < keep ? 1 : 0) }
        // Any sub-range with an offset reproduces the same elements (random access).
        var part = [Float](repeating: 0, count: 501)
        s.fillBernoulli(&part, count: part.count, keep: keep, offset: 301)
        XCTAssertEqual(part, Array(whole[301..<802]))
    }

    func testParallelFillsAreIdenticalToSerial() {
        let n = 300_007
        let s = RandomStream(seed: 42, step: 1, stream: 1)
        var one = [Float](repeating: 0, count: n), two = one, three = one
        s.fillBernoulli(&one, count: n, keep: 0.5, value: 2, offset: 5)
        s.fillBernoulli(&two, count: n, keep: 0.5, value: 2, offset: 5, pool: ThreadPool(threads: 2))
        s.fillBernoulli(&three, count: n, keep: 0.5, value: 2, offset: 5, pool: ThreadPool(threads: 7))
        XCTAssertEqual(one, two)
        XCTAssertEqual(one, three)
        let x = (0..<n).map { Float($0) }
        var a = [Float](repeating: 0, count: n), b = a
        s.applyBernoulli(x, &a, count: n, keep: 0.8, scale: 1.25)
        s.applyBernoulli(x, &b, count: n, keep: 0.8, scale: 1.25, pool: ThreadPool(threads: 2))
        XCTAssertEqual(a, b)
    }

    /// Scalar, 4-wide and 32-wide (vectorized Philox) paths agree bit for bit with `x · mask`,
    /// including the sign of zero for negative inputs, whatever the offset and thread count.
    func testApplyEqualsInputTimesStoredMask() {
        let s = RandomStream(seed: 21, step: 4, stream: 8)
        for (offset, count) in [(0, 5), (1, 37), (3, 100), (6, 4099), (2, 70_001)] {
            let x = (0..<count).map { Float($0 % 7) - 3.5 }
            var mask = [Float](repeating: 0, count: count), y = mask, y2 = mask
            s.fillBernoulli(&mask, count: count, keep: 0.7, value: 1 / 0.7, offset: offset)
            s.applyBernoulli(x, &y, count: count, keep: 0.7, scale: 1 / 0.7, offset: offset)
            s.applyBernoulli(x, &y2, count: count, keep: 0.7, scale: 1 / 0.7, offset: offset, pool: ThreadPool(threads: 2))
            for i in 0..<count {
                XCTAssertEqual(mask[i], s.uniform(at: offset + i) < 0.7 ? 1 / 0.7 : 0)
                XCTAssertEqual(y[i].bitPattern, (x[i] * mask[i]).bitPattern, "offset \(offset) element \(i)")
                XCTAssertEqual(y2[i].bitPattern, y[i].bitPattern)
            }
        }
    }

    func testNormalMoments() {
        let n = 400_000
        var z = [Float](repeating: 0, count: n)
        RandomStream(seed: 8).fillNormal(&z, count: n)
        XCTAssertTrue(z.allSatisfy { $0.isFinite })
        let mean = z.reduce(0.0) { $0 + Double($1) } / Double(n)
        let variance = z.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / Double(n)
        XCTAssertEqual(mean, 0, accuracy: 4 / Double(n).squareRoot())
        XCTAssertEqual(variance, 1, accuracy: 4 * (2 / Double(n)).squareRoot())
        var part = [Float](repeating: 0, count: 23)
        let s = RandomStream(seed: 8)
        s.fillNormal(&part, count: 23, mean: 1, std: 2, offset: 2)   // partial blocks at both ends
        for k in 0..<23 { XCTAssertEqual(part[k], 1 + 2 * s.normal(at: 2 + k)) }
        XCTAssertEqual(Array(z[0..<8]), (0..<8).map { s.normal(at: $0) })
        let tail = Double(z.filter { abs($0) > 1.959964 }.count) / Double(n)
        XCTAssertEqual(tail, 0.05, accuracy: 4 * (0.05 * 0.95 / Double(n)).squareRoot())
    }

    /// Semantics §5.2: λ ~ Beta(α, α) has mean 0.5 and variance 1/(4(2α+1)).
    func testBetaMoments() {
        for alpha in [0.2, 1.0, 2.5] {
            var g = RandomGenerator(seed: 4, step: 0, stream: 6)
            let n = 100_000
            let xs = (0..<n).map { _ in g.nextBeta(alpha, alpha) }
            XCTAssertTrue(xs.allSatisfy { $0 >= 0 && $0 <= 1 })
            let mean = xs.reduce(0, +) / Double(n)
            let variance = xs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n)
            let v = 1 / (4 * (2 * alpha + 1))
            XCTAssertEqual(mean, 0.5, accuracy: 4 * (v / Double(n)).squareRoot(), "alpha \(alpha)")
            XCTAssertEqual(variance, v, accuracy: 0.03 * v, "alpha \(alpha)")
        }
    }

    func testNextIntIsUnbiasedAndInRange() {
        var g = RandomGenerator(seed: 10)
        var counts = [Int](repeating: 0, count: 7)
        let n = 70_000
        for _ in 0..<n { counts[Int(g.nextInt(below: 7))] += 1 }
        let e = Double(n) / 7
        let chi2 = counts.reduce(0.0) { $0 + (Double($1) - e) * (Double($1) - e) / e }
        XCTAssertLessThan(chi2, 22.46)   // χ²(6) at p = 0.001
    }

    func testPermutationIsDeterministicPerEpoch() {
        let n = 60_000
        let p0 = RandomStream(seed: 1, step: 0, stream: RandomStream.shuffle).permutation(count: n)
        let again = RandomStream(seed: 1, step: 0, stream: RandomStream.shuffle).permutation(count: n)
        let p1 = RandomStream(seed: 1, step: 1, stream: RandomStream.shuffle).permutation(count: n)
        XCTAssertEqual(p0, again)
        XCTAssertNotEqual(p0, p1)
        XCTAssertEqual(p0.sorted(), (0..<Int32(n)).map { $0 })
        XCTAssertLessThan(zip(p0, p1).filter { $0 == $1 }.count, 10)
        XCTAssertEqual(RandomStream(seed: 1).permutation(count: 0), [])
        XCTAssertEqual(RandomStream(seed: 1).permutation(count: 1), [0])
    }

    /// Each of the 3! orders of a 3-element shuffle appears with frequency 1/6.
    func testPermutationIsUniform() {
        var counts: [[Int32]: Int] = [:]
        let n = 60_000
        for epoch in 0..<n {
            counts[RandomStream(seed: 3, step: UInt64(epoch), stream: RandomStream.shuffle).permutation(count: 3), default: 0] += 1
        }
        XCTAssertEqual(counts.count, 6)
        let e = Double(n) / 6
        let chi2 = counts.values.reduce(0.0) { $0 + (Double($1) - e) * (Double($1) - e) / e }
        XCTAssertLessThan(chi2, 20.52)   // χ²(5) at p = 0.001
    }
}
