import XCTest
@testable import Runtime

/// `SequencePool` against the obvious per-feature loops and finite differences, and the
/// sinusoidal table against its definition (Vaswani et al. 2017).
final class SequenceOpsTests: XCTestCase {
    private func pooled(_ mode: SequencePool.Mode, _ x: [Float], n: Int, t: Int, f: Int) -> [Float] {
        var y = [Float](repeating: 0, count: n * f)
        SequencePool.forward(mode, batch: n, steps: t, features: f, x: x, y: &y)
        return y
    }

    /// The naive twin in Float64.
    static func reference(_ mode: SequencePool.Mode, _ x: [Double], n: Int, t: Int, f: Int) -> [Double] {
        (0..<(n * f)).map { k in
            let (b, j) = (k / f, k % f)
            let column = (0..<t).map { x[(b * t + $0) * f + j] }
            switch mode {
            case .mean: return column.reduce(0, +) / Double(t)
            case .max: return column.max() ?? 0
            case .first: return column[0]
            }
        }
    }

    func testPoolingMatchesTheDefinitionAndFiniteDifferences() {
        var rng = TestRandom(seed: 41)
        let (n, t, f) = (3, 5, 4)
        let x = (0..<(n * t * f)).map { _ in rng.uniform(-2, 2) }
        for mode: SequencePool.Mode in [.mean, .max, .first] {
            let y = pooled(mode, x, n: n, t: t, f: f)
            for b in 0..<n {
                for j in 0..<f {
                    let column = (0..<t).map { x[(b * t + $0) * f + j] }
                    let want: Float
                    switch mode {
                    case .mean: want = column.reduce(0, +) / Float(t)
                    case .max: want = column.max()!
                    case .first: want = column[0]
                    }
                    XCTAssertEqual(y[b * f + j], want, accuracy: 1e-6, "\(mode) \(b) \(j)")
                }
            }
            // d(Σ c·y)/dx against central differences, c fixed weights.
            let c = (0..<(n * f)).map { _ in rng.uniform(-1, 1) }
            var dx = [Float](repeating: 0, count: x.count)
            SequencePool.backward(mode, batch: n, steps: t, features: f, x: x, dy: c, dx: &dx)
            let numeric = finiteDifference(x.map(Double.init)) { v in
                zip(Self.reference(mode, v, n: n, t: t, f: f), c).map { $0 * Double($1) }.reduce(0, +)
            }
            dx.withUnsafeBufferPointer { assertGradient($0.baseAddress!, numeric, "\(mode)") }
        }
    }

    /// Max pooling: NaN wins (as torch.max), and ties send the gradient to the first step.
    func testMaxPoolingNaNAndTies() {
        let x: [Float] = [1, 5, 5, 2, .nan, 3]  // [1, 3, 2]: feature 0 holds 1, 5, NaN; feature 1 holds 5, 2, 3
        let y = pooled(.max, x, n: 1, t: 3, f: 2)
        XCTAssertTrue(y[0].isNaN)
        XCTAssertEqual(y[1], 5)
        let ties: [Float] = [4, 4, 1]
        var dx = [Float](repeating: 0, count: 3)
        SequencePool.backward(.max, batch: 1, steps: 3, features: 1, x: ties, dy: [2], dx: &dx)
        XCTAssertEqual(dx, [2, 0, 0])
    }

    func testPositionalTableIsTheSinusoids() {
        let (t, f) = (7, 6)
        let pe = PositionalEncoding.table(steps: t, features: f)
        for s in 0..<t {
            for i in 0..<(f / 2) {
                let angle = Double(s) / pow(10000, Double(2 * i) / Double(f))
                XCTAssertEqual(pe[s * f + 2 * i], Float(sin(angle)), accuracy: 1e-6)
                XCTAssertEqual(pe[s * f + 2 * i + 1], Float(cos(angle)), accuracy: 1e-6)
            }
        }
        XCTAssertEqual(Array(pe[0..<f]), [0, 1, 0, 1, 0, 1])
        var y = [Float](repeating: 0, count: 2 * t * f)
        let x = (0..<(2 * t * f)).map(Float.init)
        PositionalEncoding.add(batch: 2, steps: t, features: f, table: pe, x: x, y: &y)
        for i in 0..<(2 * t * f) { XCTAssertEqual(y[i], x[i] + pe[i % (t * f)]) }
    }
}
