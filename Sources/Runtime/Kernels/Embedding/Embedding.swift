/// Embedding lookup and its scatter-add gradient.
///
/// Layouts: table is [V, D]; indices are N entries in 0..<V; y and dy are [N, D].
/// Backward is a scatter-add (several rows may hit the same entry). It is made deterministic by
/// giving each work item a strip of columns of the whole table: an item walks all indices in order
/// and adds into its strip only, so every entry sums its contributions in index order whatever the
/// thread count, and no two items ever write the same float.
public enum Embedding {
    public static func forward(count n: Int, dim d: Int, vocabulary v: Int, table: UnsafePointer<Float>,
                               indices: UnsafePointer<Int32>, y: UnsafeMutablePointer<Float>) {
        for i in 0..<n {
            let row = Int(indices[i])
            precondition(row >= 0 && row < v, "embedding index \(row) out of range 0..<\(v)")
            (y + i * d).update(from: table + row * d, count: d)
        }
    }

    /// dtable[indices[i]] += dy[i]; dtable is zeroed first unless `accumulate`.
    public static func backward(count n: Int, dim d: Int, vocabulary v: Int, indices: UnsafePointer<Int32>,
                                dy: UnsafePointer<Float>, dtable: UnsafeMutablePointer<Float>,
                                accumulate: Bool = false, pool: ThreadPool = .default) {
        if !accumulate { dtable.update(repeating: 0, count: v * d) }
        let strip = 16
        pool.parallelFor((d + strip - 1) / strip) { t in
            let j0 = t * strip, width = min(d, j0 + strip) - j0
            for i in 0..<n {
                let dst = dtable + Int(indices[i]) * d + j0, src = dy + i * d + j0
                for j in 0..<width { dst[j] += src[j] }
            }
        }
    }
}
