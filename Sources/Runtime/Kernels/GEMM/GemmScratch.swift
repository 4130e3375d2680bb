/// Reusable 64-byte-aligned packing buffers for `Gemm.sgemm`.
///
/// A GEMM borrows one buffer for its packed operands and returns it when done, so steady-state
/// training does no allocation in GEMM (and no page faults on fresh memory). Concurrent GEMMs
/// (for example per-image convolutions on both cores) each borrow their own buffer.
final class GemmScratch: @unchecked Sendable {
    static let shared = GemmScratch()

    private let lock = NSLockLite()
    private var free: [(pointer: UnsafeMutableRawPointer, bytes: Int)] = []

    func withBuffer<T>(floats: Int, _ body: (UnsafeMutablePointer<Float>) -> T) -> T {
        let bytes = max(floats, 16) * 4
        var buffer: (pointer: UnsafeMutableRawPointer, bytes: Int)? = lock.withLock {
            guard let index = free.firstIndex(where: { $0.bytes >= bytes }) else { return nil }
            return free.remove(at: index)
        }
        if buffer == nil {
            // Grow in coarse steps so a few sizes cover a whole training run.
            let rounded = max(bytes, 1 << 16).roundedUpToPowerOfTwo
            buffer = (UnsafeMutableRawPointer.allocate(byteCount: rounded, alignment: 64), rounded)
        }
        guard let held = buffer else { preconditionFailure("gemm scratch allocation failed") }
        defer {
            lock.withLock {
                free.append(held)
                // Keep a handful of buffers; drop the smallest beyond that.
                if free.count > 8 {
                    free.sort { $0.bytes > $1.bytes }
                    free.removeLast().pointer.deallocate()
                }
            }
        }
        return body(held.pointer.bindMemory(to: Float.self, capacity: held.bytes / 4))
    }
}

extension Int {
    var roundedUpToPowerOfTwo: Int {
        var v = 1
        while v < self { v <<= 1 }
        return v
    }
}
