extension ThreadPool {
    /// `body(n, scratch)` for every image n in 0..<batch, in parallel runs of consecutive images
    /// that share one scratch buffer of `floats` (64-byte aligned). Taken per image, a buffer
    /// would move between the cores' caches with every image (measured: the Winograd
    /// convolution's megabyte of scratch scaled 1.5× from one to two threads, 2× in runs). Each
    /// image is computed the same way whatever its run, so the thread count changes no value.
    /// `prepare` runs on each run's buffer before its first image (zeroing padding that no image
    /// writes, for example).
    func forEachImage(_ batch: Int, scratch floats: Int, prepare: (UnsafeMutablePointer<Float>) -> Void = { _ in },
                      _ body: (Int, UnsafeMutablePointer<Float>) -> Void) {
        let run = max(1, batch / (4 * threads))
        parallelFor((batch + run - 1) / run) { r in
            GemmScratch.shared.withBuffer(floats: floats) { work in
                prepare(work)
                for n in (r * run)..<min(batch, (r + 1) * run) { body(n, work) }
            }
        }
    }
}
