#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A small fork-join pool: `parallelFor(count) { i in ... }` runs `body` for every `i` in `0..<count`.
///
/// Determinism contract: kernels hand the pool *independent* work items (a tile of C, one sample
/// of a batch, one channel) and each item is computed the same way whichever thread runs it, so
/// results are bit-identical for any thread count. A reduction is never split across items in a
/// way that depends on `threads`; kernels that reduce over a batch either reduce inside one item
/// or write per-item partials and sum them in a fixed order afterwards.
///
/// Scheduling: the caller's thread and `threads − 1` persistent helpers (`Crew`) claim contiguous
/// runs of about count/(8·threads) indices from a shared counter. Runs keep neighbouring tiles on
/// one core, and dynamic claiming keeps both cores busy when one of them is shared with other
/// processes. Which thread runs an index never affects its result. A `parallelFor` inside
/// another one on the same pool (or from a second thread while one runs) runs on its caller's
/// thread alone.
public final class ThreadPool: @unchecked Sendable {
    /// Number of workers this pool uses (at least 1).
    public let threads: Int
    private let crew: Crew?

    public init(threads: Int) {
        precondition(threads >= 1, "a thread pool needs at least one thread, got \(threads)")
        self.threads = threads
        crew = threads > 1 ? Crew(helpers: threads - 1) : nil
    }

    deinit { crew?.stop() }

    /// Runs `body(i)` for `i` in `0..<count`, each index exactly once, on up to `threads` threads.
    /// `body` must only write state owned by index `i`.
    public func parallelFor(_ count: Int, _ body: (Int) -> Void) {
        if count <= 0 { return }
        // A helper that joins late (a busy machine) simply takes fewer runs instead of stalling
        // the call.
        if count > 1, let crew, crew.run(count, run: max(1, count / (threads * 8)), body) { return }
        for i in 0..<count { body(i) }
    }

    /// Number of processors online, the default thread count.
    public static var processorCount: Int {
        #if canImport(Glibc) || canImport(Darwin)
        return max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        #else
        return 1
        #endif
    }

    private static let lock = NSLockLite()
    nonisolated(unsafe) private static var shared = ThreadPool(threads: processorCount)

    /// The pool kernels use when none is passed. Set it once at startup (`--threads`).
    public static var `default`: ThreadPool {
        get { lock.withLock { shared } }
        set { lock.withLock { shared = newValue } }
    }

    /// Convenience for `ThreadPool.default = ThreadPool(threads: n)`.
    public static var threads: Int {
        get { ThreadPool.default.threads }
        set { ThreadPool.default = ThreadPool(threads: newValue) }
    }
}

/// `ThreadPool.default.parallelFor(count, body)`.
@inlinable
public func parallelFor(_ count: Int, _ body: (Int) -> Void) {
    ThreadPool.default.parallelFor(count, body)
}

/// A pthread mutex, so the runtime does not need Foundation for one lock.
final class NSLockLite: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>

    init() {
        mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    func withLock<T>(_ body: () -> T) -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return body()
    }
}
