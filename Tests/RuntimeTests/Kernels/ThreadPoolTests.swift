import XCTest
@testable import Runtime

final class ThreadPoolTests: XCTestCase {
    func testEveryIndexRunsExactlyOnce() {
        for threads in [1, 2, 3, 8] {
            let pool = ThreadPool(threads: threads)
            for count in [0, 1, 2, 5, 17, 1000] {
                let hits = UnsafeMutablePointer<Int>.allocate(capacity: max(count, 1))
                hits.initialize(repeating: 0, count: max(count, 1))
                defer { hits.deallocate() }
                pool.parallelFor(count) { i in hits[i] += 1 }
                for i in 0..<count { XCTAssertEqual(hits[i], 1, "threads \(threads) count \(count) index \(i)") }
            }
        }
    }

    func testDefaultPoolIsSettable() {
        let saved = ThreadPool.default
        defer { ThreadPool.default = saved }
        ThreadPool.threads = 3
        XCTAssertEqual(ThreadPool.default.threads, 3)
        XCTAssertEqual(ThreadPool.threads, 3)
        XCTAssertGreaterThanOrEqual(ThreadPool.processorCount, 1)
    }
}
