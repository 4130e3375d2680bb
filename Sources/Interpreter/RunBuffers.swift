import IR

/// Side buffers an op leaves for a later op of the same run, keyed by value: max pooling's
/// arg-max for its backward, a convolution's per-plane statistics for the batch norm after it.
/// Each buffer remembers the run that last wrote it, so a reader never sees a previous run's
/// contents; buffers are kept across runs and grow only when a larger batch needs it.
struct RunBuffers<Element> {
    private var buffers: [Int: (buffer: UnsafeMutablePointer<Element>, capacity: Int, run: Int)] = [:]

    /// The buffer for `v` in run `run`, of at least `count` elements (`allocating` elements when
    /// it has to be allocated anew).
    mutating func buffer(for v: ValueID, count: Int, allocating: @autoclosure () -> Int, run: Int) -> UnsafeMutablePointer<Element> {
        if let p = buffers[v.raw], p.capacity >= count {
            buffers[v.raw] = (p.buffer, p.capacity, run)
            return p.buffer
        }
        buffers[v.raw]?.buffer.deallocate()
        let capacity = allocating()
        let b = UnsafeMutablePointer<Element>.allocate(capacity: capacity)
        buffers[v.raw] = (b, capacity, run)
        return b
    }

    /// The buffer written for `v` in run `run`, if any.
    func saved(for v: ValueID, run: Int) -> UnsafeMutablePointer<Element>? {
        guard let p = buffers[v.raw], p.run == run else { return nil }
        return p.buffer
    }

    func deallocate() {
        for (_, p) in buffers { p.buffer.deallocate() }
    }
}
