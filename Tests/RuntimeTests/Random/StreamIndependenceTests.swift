import XCTest
@testable import Runtime

/// Draws keyed by different steps or stream ids behave as independent, as the per-batch and
/// forward/backward oracles of semantics §2.2 and §3 require.
final class StreamIndependenceTests: XCTestCase {
    /// Stochastic depth, paper mode (§2.2): one draw per block per mini-batch; over 10⁴ batches the
    /// block fires with frequency p_l (here the L = 54, p_L = 0.5 rule at l = 1 and l = 54).
    func testPerBatchGateFrequency() {
        let n = 10_000
        for (l, op) in [(1, UInt32(7)), (54, UInt32(60))] {
            let p = 1 - Double(l) / 54 * 0.5
            let fired = (0..<n).filter { RandomStream(seed: 11, step: UInt64($0), stream: op).uniform(at: 0) < Float(p) }.count
            XCTAssertEqual(Double(fired) / Double(n), p, accuracy: 4 * (p * (1 - p) / Double(n)).squareRoot() + 1e-9, "block \(l)")
        }
    }

    /// Shake-Shake (§3.1 oracle 3): α (forward stream) and β (backward stream) over 10⁴ steps have
    /// mean 0.5 and correlation ≈ 0; consecutive steps of one stream are uncorrelated too.
    func testForwardAndBackwardStreamsAreUncorrelated() {
        let n = 10_000
        let alpha = (0..<n).map { Double(RandomStream(seed: 5, step: UInt64($0), stream: 100).uniform(at: 3)) }
        let beta = (0..<n).map { Double(RandomStream(seed: 5, step: UInt64($0), stream: 101).uniform(at: 3)) }
        func mean(_ x: [Double]) -> Double { x.reduce(0, +) / Double(x.count) }
        func corr(_ a: [Double], _ b: [Double]) -> Double {
            let ma = mean(a), mb = mean(b)
            let cov = zip(a, b).reduce(0) { $0 + ($1.0 - ma) * ($1.1 - mb) }
            let va = a.reduce(0) { $0 + ($1 - ma) * ($1 - ma) }, vb = b.reduce(0) { $0 + ($1 - mb) * ($1 - mb) }
            return cov / (va * vb).squareRoot()
        }
        let se = 4 / Double(n).squareRoot()
        XCTAssertEqual(mean(alpha), 0.5, accuracy: 4 * (1.0 / 12 / Double(n)).squareRoot())
        XCTAssertEqual(mean(beta), 0.5, accuracy: 4 * (1.0 / 12 / Double(n)).squareRoot())
        XCTAssertEqual(corr(alpha, beta), 0, accuracy: se)
        XCTAssertEqual(corr(Array(alpha.dropLast()), Array(alpha.dropFirst())), 0, accuracy: se)
    }
}
