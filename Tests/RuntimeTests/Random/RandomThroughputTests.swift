import Foundation
import XCTest
@testable import Runtime

/// Throughput figures of the mask generators on the training hot path (printed for the report; the
/// assertions only check that parallel and serial output agree).
final class RandomThroughputTests: XCTestCase {
    func testMaskThroughput() {
        let n = 1 << 22
        let x = [Float](repeating: 1, count: n)
        var y = [Float](repeating: 0, count: n), z = y
        let s = RandomStream(seed: 1, step: 2, stream: 3)
        for threads in [1, 2] {
            let pool = ThreadPool(threads: threads), start = Date()
            for _ in 0..<5 { s.applyBernoulli(x, &y, count: n, keep: 0.5, scale: 2, pool: pool) }
            let secs = Date().timeIntervalSince(start)
            print("dropout mask (\(threads) thread\(threads > 1 ? "s" : "")): \(Int(Double(5 * n) / secs / 1e6)) M elements/s")
        }
        s.applyBernoulli(x, &z, count: n, keep: 0.5, scale: 2)
        XCTAssertEqual(y, z)
    }
}
