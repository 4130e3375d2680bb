/// Errors from the data readers; every message names the file (issue 3: data files that are missing,
/// truncated or of the wrong shape get a clear error before training starts).
public enum DataError: Error, Equatable, CustomStringConvertible {
    case missingFile(path: String)
    case unreadable(path: String, reason: String)
    /// The file ended early: `expected` bytes needed, `found` present.
    case truncated(path: String, expected: Int, found: Int)
    /// A compressed stream ended before its final block (`decoded` bytes produced so far).
    case truncatedStream(path: String, decoded: Int)
    case badMagic(path: String, format: String, found: String)
    case corrupt(path: String, reason: String)
    case unsupported(path: String, reason: String)
    /// Per-example element count does not match what the model expects.
    case shapeMismatch(path: String, expected: [Int], found: [Int])
    case labelCountMismatch(inputs: String, labels: String, examples: Int, labelCount: Int)
    case invalidLabel(path: String, index: Int, value: String)
    case parse(path: String, line: Int, reason: String)

    public var description: String {
        switch self {
        case let .missingFile(p): return "\(p): file not found"
        case let .unreadable(p, r): return "\(p): cannot read file: \(r)"
        case let .truncated(p, e, f): return "\(p): file is truncated: expected \(e) bytes, found \(f)"
        case let .truncatedStream(p, d): return "\(p): compressed data is truncated (stream ends after \(d) decoded bytes)"
        case let .badMagic(p, fmt, found): return "\(p): not a valid \(fmt) file (magic \(found))"
        case let .corrupt(p, r): return "\(p): corrupt data: \(r)"
        case let .unsupported(p, r): return "\(p): unsupported: \(r)"
        case let .shapeMismatch(p, e, f):
            let fc = f.reduce(1, *), ec = e.reduce(1, *)
            return fc == ec ? "\(p): example shape \(f) does not match the expected shape \(e)"
                            : "\(p): example shape \(f) (\(fc) elements) does not match the expected shape \(e) (\(ec) elements)"
        case let .labelCountMismatch(i, l, n, m): return "\(l): \(m) labels for \(n) examples in \(i)"
        case let .invalidLabel(p, i, v): return "\(p): label \(i) is not a valid class index: \(v)"
        case let .parse(p, line, r): return "\(p):\(line): \(r)"
        }
    }
}
