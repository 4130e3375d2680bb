/// Class ids as float target rows (Keras `to_categorical`): row i is 1 at column `ids[i]` and 0
/// elsewhere; with one column, the id itself (binary labels 0/1). `ids` must be in 0..<classes
/// (the data loader checks that before training).
public enum OneHot {
    public static func encode(_ ids: [Int32], classes k: Int, into out: UnsafeMutablePointer<Float>) {
        if k == 1 {
            for (i, id) in ids.enumerated() { out[i] = Float(id) }
            return
        }
        out.update(repeating: 0, count: ids.count * k)
        for (i, id) in ids.enumerated() { out[i * k + Int(id)] = 1 }
    }
}

extension OneHot {
    /// The `count` class ids stored as int32 at the start of `buffer` replaced, in the same
    /// memory, by their float target rows (`encode`); `buffer` holds `count · classes` floats.
    /// The labels input of a graph whose loss takes float targets is filled this way: the data
    /// loader writes ids, the loss reads rows.
    public static func encodeInPlace(_ buffer: UnsafeMutableRawPointer, count n: Int, classes k: Int) {
        let ids = Array(UnsafeBufferPointer(start: buffer.assumingMemoryBound(to: Int32.self), count: n))
        encode(ids, classes: k, into: buffer.assumingMemoryBound(to: Float.self))
    }
}
