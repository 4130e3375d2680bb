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
