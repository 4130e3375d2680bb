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
    /// Back-to-back loops, as a training step runs them: every index once in each of 20,000 loops.
    func testManyShortLoopsEachRunEveryIndexOnce() {
        let pool = ThreadPool(threads: 2)
        let hits = UnsafeMutablePointer<Int>.allocate(capacity: 64)
        defer { hits.deallocate() }
        for loop in 0..<20_000 {
            let count = 1 + loop % 64
            hits.initialize(repeating: 0, count: count)
            pool.parallelFor(count) { i in hits[i] += 1 }
            if (0..<count).contains(where: { hits[$0] != 1 }) { return XCTFail("loop \(loop): an index ran twice or never") }
        }
    }

    /// A loop inside a loop on the same pool runs on its caller's thread, whole.
    func testNestedLoopsRunEveryIndexOnce() {
        let pool = ThreadPool(threads: 2)
        let hits = UnsafeMutablePointer<Int>.allocate(capacity: 8 * 100)
        hits.initialize(repeating: 0, count: 8 * 100)
        defer { hits.deallocate() }
        pool.parallelFor(8) { outer in
            pool.parallelFor(100) { inner in hits[outer * 100 + inner] += 1 }
        }
        XCTAssertEqual((0..<800).filter { hits[$0] == 1 }.count, 800)
    }

    /// Two threads calling the same pool at once: one gets the crew, the other runs alone.
    func testConcurrentCallersBothComplete() {
        let pool = ThreadPool(threads: 2)
        let sums = UnsafeMutablePointer<Int>.allocate(capacity: 2 * 1000)
        sums.initialize(repeating: 0, count: 2 * 1000)
        defer { sums.deallocate() }
        DispatchQueue.concurrentPerform(iterations: 2) { caller in
            for _ in 0..<200 { pool.parallelFor(1000) { i in sums[caller * 1000 + i] += 1 } }
        }
        XCTAssertEqual((0..<2000).filter { sums[$0] == 200 }.count, 2000)
    }

    /// A released pool's helper threads exit (a process creating pools does not accumulate threads).
    func testReleasedPoolsStopTheirThreads() throws {
        func threadCount() throws -> Int {
            try FileManager.default.contentsOfDirectory(atPath: "/proc/self/task").count
        }
        guard FileManager.default.fileExists(atPath: "/proc/self/task") else { throw XCTSkip("needs /proc") }
        let before = try threadCount()
        for _ in 0..<20 {
            let pool = ThreadPool(threads: 4)
            pool.parallelFor(100) { _ in }
        }
        var after = try threadCount()
        for _ in 0..<200 where after > before {
            usleep(10_000)
            after = try threadCount()
        }
        XCTAssertLessThanOrEqual(after, before, "helper threads of released pools still running")
    }
}
