/// NumPy `.npy` files (format description in `numpy/lib/format.py`): magic `\x93NUMPY`, version
/// byte pair, header length (UInt16 little-endian for v1, UInt32 for v2/v3), an ASCII Python dict
/// literal `{'descr': '<f4', 'fortran_order': False, 'shape': (N, 784), }` padded with spaces to a
/// multiple of 64 bytes, then the raw data. Supported: `<f4`, `<f8`, `|u1`, `<i4`, `<i8` in C order.
public enum NPY {
    public enum DType: String, Sendable {
        case float32 = "<f4", float64 = "<f8", uint8 = "|u1", int32 = "<i4", int64 = "<i8"
        var size: Int { switch self { case .uint8: return 1; case .float32, .int32: return 4; case .float64, .int64: return 8 } }
    }

    public struct Array {
        public let dtype: DType
        public let shape: [Int]
        public let bytes: ByteBuffer
        public let offset: Int
        public var count: Int { shape.reduce(1, *) }

        /// Element `i` as Double (little-endian decode).
        public func value(_ i: Int) -> Double {
            let raw = UnsafeRawPointer(bytes.base + offset + i * dtype.size)
            switch dtype {
            case .uint8: return Double(raw.load(as: UInt8.self))
            case .float32: return Double(Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(as: UInt32.self))))
            case .float64: return Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(as: UInt64.self)))
            case .int32: return Double(Int32(littleEndian: raw.loadUnaligned(as: Int32.self)))
            case .int64: return Double(Int64(littleEndian: raw.loadUnaligned(as: Int64.self)))
            }
        }
    }

    public static func read(_ path: String) throws -> Array {
        let b = try Gzip.readMaybeCompressed(path)
        let p = b.base
        let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]   // \x93NUMPY
        if b.count < 10 { throw DataError.truncated(path: path, expected: 10, found: b.count) }
        if (0..<6).contains(where: { p[$0] != magic[$0] }) {
            throw DataError.badMagic(path: path, format: "NPY", found: hexBytes(p, 6))
        }
        let major = p[6]
        let headerLength: Int, start: Int
        switch major {
        case 1:
            headerLength = Int(p[8]) | Int(p[9]) << 8; start = 10
        case 2, 3:
            if b.count < 12 { throw DataError.truncated(path: path, expected: 12, found: b.count) }
            headerLength = Int(p[8]) | Int(p[9]) << 8 | Int(p[10]) << 16 | Int(p[11]) << 24; start = 12
        default:
            throw DataError.unsupported(path: path, reason: "NPY format version \(major)")
        }
        if b.count < start + headerLength { throw DataError.truncated(path: path, expected: start + headerLength, found: b.count) }
        let header = String(decoding: UnsafeBufferPointer(start: p + start, count: headerLength), as: UTF8.self)
        let (descr, fortran, shape) = try parseHeader(header, path: path)
        if fortran { throw DataError.unsupported(path: path, reason: "Fortran-order arrays (save with C order, np.ascontiguousarray)") }
        guard let dtype = DType(rawValue: descr) else {
            throw DataError.unsupported(path: path, reason: "dtype '\(descr)' (supported: <f4, <f8, |u1, <i4, <i8)")
        }
        let offset = start + headerLength
        let needed = shape.reduce(dtype.size, *)
        if b.count < offset + needed { throw DataError.truncated(path: path, expected: offset + needed, found: b.count) }
        return Array(dtype: dtype, shape: shape, bytes: b, offset: offset)
    }

    /// Extracts `descr`, `fortran_order` and `shape` from the header dict literal.
    static func parseHeader(_ h: String, path: String) throws -> (String, Bool, [Int]) {
        func after(_ key: String) throws -> Substring {
            guard let r = h.range(of: "'\(key)':") else {
                throw DataError.corrupt(path: path, reason: "NPY header has no '\(key)': \(h.trimmingSpaces)")
            }
            return h[r.upperBound...].drop(while: { $0 == " " })
        }
        let d = try after("descr")
        guard d.first == "'", let close = d.dropFirst().firstIndex(of: "'") else {
            throw DataError.corrupt(path: path, reason: "NPY header has a malformed 'descr': \(h.trimmingSpaces)")
        }
        let descr = String(d[d.index(after: d.startIndex)..<close])
        let fortran = try after("fortran_order").hasPrefix("True")
        let s = try after("shape")
        guard s.first == "(", let end = s.firstIndex(of: ")") else {
            throw DataError.corrupt(path: path, reason: "NPY header has a malformed 'shape': \(h.trimmingSpaces)")
        }
        var shape: [Int] = []
        for part in s[s.index(after: s.startIndex)..<end].split(separator: ",") {
            let t = part.trimmingSpaces
            if t.isEmpty { continue }
            guard let v = Int(t), v >= 0 else { throw DataError.corrupt(path: path, reason: "NPY shape entry '\(t)' is not a size") }
            shape.append(v)
        }
        return (descr, fortran, shape)
    }
}

extension StringProtocol {
    var trimmingSpaces: String {
        String(drop(while: { $0 == " " || $0 == "\n" }).reversed().drop(while: { $0 == " " || $0 == "\n" }).reversed())
    }
}

extension Dataset {
    /// Loads inputs `[N, …]` and integer labels `[N]` from two `.npy` files; `|u1` inputs stay uint8.
    public static func loadNPY(inputs: String, labels: String, expectedShape: [Int]? = nil) throws -> Dataset {
        let x = try NPY.read(inputs)
        let y = try NPY.read(labels)
        guard let n = x.shape.first else { throw DataError.corrupt(path: inputs, reason: "NPY inputs are a scalar, need [N, …]") }
        if y.shape.count != 1 || y.count != n {
            throw DataError.labelCountMismatch(inputs: inputs, labels: labels, examples: n, labelCount: y.count)
        }
        var lab = [Int32](repeating: 0, count: n)
        for i in 0..<n {
            let v = y.value(i)
            if v < 0 || v != v.rounded() || v > Double(Int32.max) {
                throw DataError.invalidLabel(path: labels, index: i, value: "\(v)")
            }
            lab[i] = Int32(v)
        }
        let shape = x.shape.count == 1 ? [1] : Swift.Array(x.shape.dropFirst())
        let stored: Dataset.Inputs = x.dtype == .uint8 ? .uint8(x.bytes, offset: x.offset)
                                                       : .float((0..<x.count).map { Float(x.value($0)) })
        let d = Dataset(inputs: stored, labels: lab, exampleShape: shape, source: inputs, labelSource: labels)
        if let expectedShape { try d.checkExampleShape(expectedShape) }
        return d
    }
}
