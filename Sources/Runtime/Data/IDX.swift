/// The IDX format of the MNIST family (LeCun et al., http://yann.lecun.com/exdb/mnist/):
/// magic `00 00 TT NN` (type code, number of dimensions), `NN` big-endian UInt32 dimensions, then
/// the data in big-endian row-major order. Files may be gzipped.
public enum IDX {
    public enum ElementType: UInt8, Sendable {
        case uint8 = 0x08, int8 = 0x09, int16 = 0x0B, int32 = 0x0C, float32 = 0x0D, float64 = 0x0E
        var size: Int { switch self { case .uint8, .int8: return 1; case .int16: return 2; case .int32, .float32: return 4; case .float64: return 8 } }
    }

    /// A decoded IDX file: the raw bytes stay in `bytes` (data starts at `offset`).
    public struct Array {
        public let type: ElementType
        public let dims: [Int]
        public let bytes: ByteBuffer
        public let offset: Int
        public var count: Int { dims.reduce(1, *) }

        /// Element `i` as a Double (big-endian decode).
        public func value(_ i: Int) -> Double {
            let p = bytes.base + offset + i * type.size
            func be(_ n: Int) -> UInt64 { (0..<n).reduce(0) { $0 << 8 | UInt64(p[$1]) } }
            switch type {
            case .uint8: return Double(p[0])
            case .int8: return Double(Int8(bitPattern: p[0]))
            case .int16: return Double(Int16(bitPattern: UInt16(be(2))))
            case .int32: return Double(Int32(bitPattern: UInt32(be(4))))
            case .float32: return Double(Float(bitPattern: UInt32(be(4))))
            case .float64: return Double(bitPattern: be(8))
            }
        }
    }

    public static func read(_ path: String) throws -> Array {
        let b = try Gzip.readMaybeCompressed(path)
        let p = b.base
        if b.count < 4 { throw DataError.truncated(path: path, expected: 4, found: b.count) }
        guard p[0] == 0, p[1] == 0, let type = ElementType(rawValue: p[2]), p[3] >= 1 else {
            throw DataError.badMagic(path: path, format: "IDX", found: hexBytes(p, 4))
        }
        let nd = Int(p[3])
        let header = 4 + 4 * nd
        if b.count < header { throw DataError.truncated(path: path, expected: header, found: b.count) }
        let dims = (0..<nd).map { d in (0..<4).reduce(0) { $0 << 8 | Int(p[4 + 4 * d + $1]) } }
        let (needed, overflow) = dims.reduce((type.size, false)) { acc, d in
            let m = acc.0.multipliedReportingOverflow(by: d)
            return (m.partialValue, acc.1 || m.overflow)
        }
        if overflow { throw DataError.corrupt(path: path, reason: "IDX dimensions \(dims) are too large") }
        if b.count < header + needed { throw DataError.truncated(path: path, expected: header + needed, found: b.count) }
        if b.count > header + needed {
            throw DataError.corrupt(path: path, reason: "\(b.count - header - needed) bytes after the IDX data of shape \(dims)")
        }
        return Array(type: type, dims: dims, bytes: b, offset: header)
    }
}

extension Dataset {
    /// Loads an IDX image file and an IDX label file (MNIST layout: images `[N, H, W]`, labels `[N]`).
    /// `uint8` images stay `uint8`; other element types are converted to Float. When
    /// `expectedShape` is given, each example must have its element count.
    public static func loadIDX(images: String, labels: String, expectedShape: [Int]? = nil) throws -> Dataset {
        let x = try IDX.read(images)
        let y = try IDX.read(labels)
        guard let n = x.dims.first else { throw DataError.corrupt(path: images, reason: "IDX file has no dimensions") }
        let shape = x.dims.count == 1 ? [1] : Swift.Array(x.dims.dropFirst())
        if y.count != n || y.dims.count != 1 {
            throw DataError.labelCountMismatch(inputs: images, labels: labels, examples: n, labelCount: y.count)
        }
        guard y.type == .uint8 || y.type == .int8 || y.type == .int16 || y.type == .int32 else {
            throw DataError.unsupported(path: labels, reason: "labels of IDX type \(y.type) (need an integer type)")
        }
        var lab = [Int32](repeating: 0, count: n)
        for i in 0..<n {
            let v = y.value(i)
            if v < 0 { throw DataError.invalidLabel(path: labels, index: i, value: String(Int(v))) }
            lab[i] = Int32(v)
        }
        let inputs: Dataset.Inputs
        if x.type == .uint8 {
            inputs = .uint8(x.bytes, offset: x.offset)
        } else {
            inputs = .float((0..<x.count).map { Float(x.value($0)) })
        }
        let d = Dataset(inputs: inputs, labels: lab, exampleShape: shape, source: images, labelSource: labels)
        if let expectedShape { try d.checkExampleShape(expectedShape) }
        return d
    }
}
