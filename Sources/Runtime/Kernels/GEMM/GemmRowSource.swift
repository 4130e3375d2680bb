import RuntimeIntrinsics

/// Rows of op(A) supplied on demand (`Gemm.sgemm`'s `aRows`): an evaluation batch's inputs,
/// read from the dataset by the tiles that use them.
public enum GemmRowSource {
    /// `write(rows, into)` writes rows `rows` of A, row-major with leading dimension K, from `into` on.
    case floats(_ write: (_ rows: Range<Int>, _ into: UnsafeMutablePointer<Float>) -> Void)
    /// Row r of A is `table[row(r)[k]]`: bytes through a 256-entry table (normalized uint8
    /// pixels), packed without a float copy of A.
    case bytes(table: UnsafePointer<Float>, row: (Int) -> UnsafePointer<UInt8>)

    /// Writes rows `rows` of A as floats, row-major with leading dimension `k`, from `into` on.
    public func write(_ rows: Range<Int>, into: UnsafeMutablePointer<Float>, k: Int) {
        switch self {
        case .floats(let write): write(rows, into)
        case .bytes(let table, let row):
            for r in rows { regula_lookup_bytes(row(r), table, into + (r - rows.lowerBound) * k, k) }
        }
    }
}
