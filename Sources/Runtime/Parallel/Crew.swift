#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import RuntimeIntrinsics

/// The persistent helper threads of one `ThreadPool`, and the protocol by which they join a loop.
///
/// A training step is a few dozen parallel loops of tens of microseconds each. Waking a sleeping
/// thread for every loop (as `DispatchQueue.concurrentPerform` does through a semaphore) costs
/// about as much as the loop, so the helpers stay awake between loops: after a loop they spin on
/// the shared state word for up to `spinNanoseconds` before they sleep on a condition variable.
///
/// The state word holds `generation << 17 | closed << 16 | joined`:
/// - the caller publishes loop `g` by storing `g << 17` (open, nobody joined) after writing the
///   loop's body, count and run length;
/// - a helper joins by incrementing `joined` with a compare-and-exchange that requires the same
///   generation and the open bit, so it never joins a loop after the caller closed it;
/// - the caller, out of indices itself, sets `closed` and waits only for the helpers that joined
///   (each decrements `joined` when its last claimed run is done). A helper still asleep is not
///   waited for: it wakes, sees the closed loop and goes back to waiting.
/// Indices are claimed in runs from the `next` word, as before; which thread runs an index never
/// changes its result.
final class Crew: @unchecked Sendable {
    /// How long an idle helper spins before it sleeps.
    static let spinNanoseconds: UInt64 = 200_000

    private static let closedBit = 1 << 16
    private static let joinedMask = (1 << 16) - 1
    private static let generationShift = 17

    /// Shared words, each on its own cache line: state, next index, shutdown, busy.
    private let words: UnsafeMutablePointer<Int>
    private var state: UnsafeMutablePointer<Int> { words }
    private var next: UnsafeMutablePointer<Int> { words + 8 }
    private var shutdown: UnsafeMutablePointer<Int> { words + 16 }
    private var busy: UnsafeMutablePointer<Int> { words + 24 }

    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let wake = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    /// Helpers waiting on `wake` (guarded by `mutex`).
    private var sleepers = 0

    /// The loop in flight; written by the caller before it publishes the generation.
    private var body: ((Int) -> Void)?
    private var count = 0
    private var run = 1
    private var generation = 0

    init(helpers: Int) {
        words = UnsafeMutablePointer<Int>.allocate(capacity: 32)
        words.initialize(repeating: 0, count: 32)
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(wake, nil)
        for _ in 0..<helpers { startHelper() }
    }

    deinit {
        pthread_cond_destroy(wake)
        pthread_mutex_destroy(mutex)
        wake.deallocate()
        mutex.deallocate()
        words.deallocate()
    }

    /// Asks the helpers to exit (each holds a reference to the crew until it does).
    func stop() {
        regula_atomic_store(shutdown, 1)
        pthread_mutex_lock(mutex)
        pthread_cond_broadcast(wake)
        pthread_mutex_unlock(mutex)
    }

    /// Runs `body(i)` for every `i` in `0..<count` with the helpers that join in time; false (and
    /// nothing run) when the crew is already running a loop, from a nested or concurrent call.
    func run(_ count: Int, run: Int, _ body: (Int) -> Void) -> Bool {
        guard regula_atomic_compare_exchange(busy, 0, 1) else { return false }
        withoutActuallyEscaping(body) { body in
            self.body = body
            self.count = count
            self.run = run
            regula_atomic_store(next, 0)
            generation += 1
            regula_atomic_store(state, generation << Self.generationShift)
            pthread_mutex_lock(mutex)
            if sleepers > 0 { pthread_cond_broadcast(wake) }
            pthread_mutex_unlock(mutex)

            work()
            regula_atomic_fetch_or(state, Self.closedBit)
            // A helper descheduled mid-run (more threads than free cores) needs this core back:
            // after a short spin the caller yields instead of burning the time slice.
            var spins = 0
            while regula_atomic_load(state) & Self.joinedMask != 0 {
                spins += 1
                if spins < 4096 { regula_spin_pause() } else { sched_yield() }
            }
            self.body = nil
        }
        regula_atomic_store(busy, 0)
        return true
    }

    /// Claims runs of indices until none is left.
    private func work() {
        guard let body else { return }
        let count = self.count, run = self.run
        while true {
            let lo = regula_atomic_fetch_add(next, run)
            if lo >= count { return }
            for i in lo..<min(count, lo + run) { body(i) }
        }
    }

    private func startHelper() {
        let context = Unmanaged.passRetained(self).toOpaque()
        var thread = pthread_t()
        let started = pthread_create(&thread, nil, { context in
            let crew = Unmanaged<Crew>.fromOpaque(context!).takeRetainedValue()
            crew.helperLoop()
            return nil
        }, context)
        precondition(started == 0, "cannot start a worker thread (pthread_create returned \(started))")
        pthread_detach(thread)
    }

    private func helperLoop() {
        var seen = 0
        while true {
            guard let s = awaitGeneration(after: seen) else { return }
            seen = s >> Self.generationShift
            if join(s) {
                work()
                regula_atomic_fetch_add(state, -1)
            }
        }
    }

    /// Joins the loop published as `s` if it is still open.
    private func join(_ s: Int) -> Bool {
        var current = s
        while current >> Self.generationShift == s >> Self.generationShift && current & Self.closedBit == 0 {
            if regula_atomic_compare_exchange(state, current, current + 1) { return true }
            current = regula_atomic_load(state)
        }
        return false
    }

    /// The state word once its generation differs from `seen`: spinning first, then asleep.
    /// Nil when the crew is shutting down.
    private func awaitGeneration(after seen: Int) -> Int? {
        let deadline = Self.now() &+ Self.spinNanoseconds
        var spins = 0
        while true {
            if regula_atomic_load(shutdown) != 0 { return nil }
            let s = regula_atomic_load(state)
            if s >> Self.generationShift != seen { return s }
            regula_spin_pause()
            spins += 1
            if spins & 255 == 0 && Self.now() > deadline { break }
        }
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        sleepers += 1
        defer { sleepers -= 1 }
        while true {
            if regula_atomic_load(shutdown) != 0 { return nil }
            let s = regula_atomic_load(state)
            if s >> Self.generationShift != seen { return s }
            pthread_cond_wait(wake, mutex)
        }
    }

    private static func now() -> UInt64 {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return UInt64(t.tv_sec) &* 1_000_000_000 &+ UInt64(t.tv_nsec)
    }
}
