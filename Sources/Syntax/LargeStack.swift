import Foundation

/// Runs `body` on a fresh thread with a 64 MB stack and waits for it.
///
/// Both readers recurse once per nesting level (libyaml stops at 1000 levels, Yams' composer
/// and our own passes follow it; the DSL parser stops at 200 brackets, several frames each).
/// That is fine on a main thread's 8 MB but not on a 512 KB secondary or cooperative thread, so
/// parsing never depends on the caller's stack. The thread costs tens of microseconds.
func onLargeStack<T>(_ body: @escaping () -> T) -> T {
    let box = LargeStackBox(body)
    let done = DispatchSemaphore(value: 0)
    let thread = Thread {
        box.value = box.body()
        done.signal()
    }
    thread.stackSize = 64 << 20
    thread.start()
    done.wait()
    guard let value = box.value else { preconditionFailure("the parsing thread finished without a result") }
    return value
}

/// Carries the work and its result between the caller and the parsing thread; the semaphore
/// orders the accesses, hence `@unchecked Sendable`.
private final class LargeStackBox<T>: @unchecked Sendable {
    var value: T?
    let body: () -> T
    init(_ body: @escaping () -> T) { self.body = body }
}
