/// Token ids arrive from the data readers as floats (the loader fills one float buffer whatever
/// the file's dtype); an int32 input (an embedding's indices) takes them converted. The data is
/// checked beforehand to hold whole numbers inside the vocabulary.
public enum TokenIDs {
    /// ids[j] = Int32(floats[j]) for j in 0..<count.
    public static func convert(_ floats: UnsafePointer<Float>, into ids: UnsafeMutablePointer<Int32>, count n: Int) {
        for j in 0..<n { ids[j] = Int32(floats[j]) }
    }
}
