import XCTest
@testable import Runtime

/// Gaussian noise and Gaussian dropout against their statistical oracles.
final class GaussianNoiseTests: XCTestCase {
    let count = 1_000_000

    func moments(_ y: [Float]) -> (mean: Double, variance: Double) {
        let mean = y.reduce(0.0) { $0 + Double($1) } / Double(y.count)
        let variance = y.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / Double(y.count)
        return (mean, variance)
    }

    /// Additive: x + σn has mean x and variance σ² (within 4 standard errors).
    func testAdditiveNoiseHasTheStatedMoments() {
        let x = [Float](repeating: 2, count: count)
        var y = [Float](repeating: 0, count: count)
        GaussianNoise.apply(x, &y, count: count, std: 0.3, multiplicative: false, stream: RandomStream(seed: 1, step: 2, stream: 3))
        let m = moments(y)
        XCTAssertEqual(m.mean, 2, accuracy: 4 * 0.3 / Double(count).squareRoot())
        XCTAssertEqual(m.variance, 0.09, accuracy: 4 * 0.09 * (2 / Double(count)).squareRoot())
    }

    /// Multiplicative with σ = √(p/(1−p)): mean x and the variance of inverted dropout, p/(1−p)·x²;
    /// the backward factor is the forward's y/x element for element.
    func testMultiplicativeNoiseMatchesDropoutsMomentsAndItsBackward() {
        let p = 0.3, std = Float(GaussianNoise.dropoutStd(p))
        let x = [Float](repeating: 1, count: count)
        var y = [Float](repeating: 0, count: count), dx = y
        let stream = RandomStream(seed: 1, step: 2, stream: 3)
        GaussianNoise.apply(x, &y, count: count, std: std, multiplicative: true, stream: stream)
        let m = moments(y), v = p / (1 - p)
        XCTAssertEqual(m.mean, 1, accuracy: 4 * (v / Double(count)).squareRoot())
        XCTAssertEqual(m.variance, v, accuracy: 4 * v * (2 / Double(count)).squareRoot())
        GaussianNoise.apply(x, &dx, count: count, std: std, multiplicative: true, stream: stream)
        XCTAssertEqual(dx, y)
        // Another step draws other noise.
        var other = [Float](repeating: 0, count: 16)
        GaussianNoise.apply(x, &other, count: 16, std: std, multiplicative: true, stream: RandomStream(seed: 1, step: 3, stream: 3))
        XCTAssertNotEqual(other, Array(y.prefix(16)))
    }

    /// Whole blocks and single elements give `normal(at:)`, whatever the threads and the offset of
    /// a chunk boundary.
    func testValuesDoNotDependOnThreadsOrBlocking() {
        let n = 20_003
        let x = (0..<n).map { Float($0 % 7) - 3 }
        let stream = RandomStream(seed: 9, step: 1, stream: 2)
        var one = [Float](repeating: 0, count: n), two = one
        GaussianNoise.apply(x, &one, count: n, std: 0.5, multiplicative: true, stream: stream)
        GaussianNoise.apply(x, &two, count: n, std: 0.5, multiplicative: true, stream: stream, pool: ThreadPool(threads: 2))
        XCTAssertEqual(one, two)
        for i in [0, 1, 2, 3, 4, 4097, n - 1] { XCTAssertEqual(one[i], x[i] * (1 + 0.5 * stream.normal(at: i)), "\(i)") }
    }
}

/// Alpha dropout against the oracles of its paper (Klambauer et al. 2017).
final class AlphaDropoutTests: XCTestCase {
    /// Standard-normal input keeps mean 0 and variance 1; dropped units all equal a·α'(1 − p),
    /// kept ones a·x − a·α'·p; the backward is a·m·dy with the forward's mask.
    func testKeepsMeanAndVarianceAndItsBackwardUsesTheSameMask() {
        let n = 1_000_000, p = 0.1
        let source = RandomStream(seed: 4, step: 0, stream: 0)
        var x = [Float](repeating: 0, count: n)
        source.fillNormal(&x, count: n)
        var y = x, dx = x
        let stream = RandomStream(seed: 4, step: 1, stream: 7)
        AlphaDropout.apply(x, &y, count: n, p: p, backward: false, stream: stream, pool: ThreadPool(threads: 2))
        let mean = y.reduce(0.0) { $0 + Double($1) } / Double(n)
        let variance = y.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / Double(n)
        XCTAssertEqual(mean, 0, accuracy: 1e-2)
        XCTAssertEqual(variance, 1, accuracy: 1e-2)
        let (a, b) = AlphaDropout.affine(p), s = AlphaDropout.saturation
        let ones = [Float](repeating: 1, count: n)
        AlphaDropout.apply(ones, &dx, count: n, p: p, backward: true, stream: stream)
        var dropped = 0
        for i in 0..<n {
            if dx[i] == 0 {
                dropped += 1
                XCTAssertEqual(Double(y[i]), a * s * (1 - p), accuracy: 1e-5)
            } else {
                XCTAssertEqual(Double(dx[i]), a, accuracy: 1e-6)
                XCTAssertEqual(Double(y[i]), a * Double(x[i]) + b, accuracy: 1e-5)
            }
        }
        XCTAssertEqual(Double(dropped) / Double(n), p, accuracy: 4 * (p * (1 - p) / Double(n)).squareRoot())
    }
}
