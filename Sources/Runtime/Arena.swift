/// 64-byte aligned float storage, zeroed: the buffers of a generated model (the runtime's SIMD
/// kernels want aligned rows). Int32 values (class ids, arg-max indices) share it.
public final class Arena {
    public let floats: UnsafeMutablePointer<Float>

    public init(floats count: Int) {
        floats = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * 4, alignment: 64)
            .bindMemory(to: Float.self, capacity: max(count, 1))
        floats.initialize(repeating: 0, count: max(count, 1))
    }

    deinit { floats.deallocate() }

    /// Int32 view at a float offset.
    public func int32(at offset: Int) -> UnsafeMutablePointer<Int32> {
        UnsafeMutableRawPointer(floats + offset).assumingMemoryBound(to: Int32.self)
    }
}

/// Int32 storage, zeroed (max pooling's arg-max indices, kept from forward for backward).
public final class IndexBuffer {
    public let pointer: UnsafeMutablePointer<Int32>

    public init(count: Int) {
        pointer = .allocate(capacity: max(count, 1))
        pointer.initialize(repeating: 0, count: max(count, 1))
    }

    deinit { pointer.deallocate() }
}
