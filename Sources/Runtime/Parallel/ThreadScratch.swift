#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One growable, 64-byte-aligned float buffer per thread, for work that must stay in its core's
/// cache across the items it runs (the rows of A a GEMM tile writes on demand). The buffer lives
/// as long as its thread; its contents are only valid until the thread's next call.
enum ThreadScratch {
    private final class Buffer {
        var floats: UnsafeMutablePointer<Float>?
        var capacity = 0
        deinit { floats?.deallocate() }
    }

    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        let status = pthread_key_create(&key) { p in
            guard let p else { return }
            Unmanaged<AnyObject>.fromOpaque(p).release()
        }
        precondition(status == 0, "pthread_key_create failed: \(status)")
        return key
    }()

    /// This thread's buffer, at least `count` floats (contents unspecified).
    static func floats(_ count: Int) -> UnsafeMutablePointer<Float> {
        let buffer: Buffer
        if let p = pthread_getspecific(key) {
            buffer = Unmanaged<Buffer>.fromOpaque(p).takeUnretainedValue()
        } else {
            buffer = Buffer()
            pthread_setspecific(key, Unmanaged.passRetained(buffer).toOpaque())
        }
        if buffer.capacity < count {
            buffer.floats?.deallocate()
            let raw = UnsafeMutableRawPointer.allocate(byteCount: max(count, 16) * 4, alignment: 64)
            buffer.floats = raw.bindMemory(to: Float.self, capacity: max(count, 16))
            buffer.capacity = count
        }
        return buffer.floats.unsafelyUnwrapped
    }
}
