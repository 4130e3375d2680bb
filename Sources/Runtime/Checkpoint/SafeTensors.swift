import Foundation

/// One tensor of a safetensors file: element type, shape, and raw little-endian bytes.
public struct SafeTensor: Equatable, Sendable {
    /// safetensors dtype names (https://github.com/huggingface/safetensors, `Dtype`).
    public enum DType: String, Sendable, CaseIterable {
        case f64 = "F64", f32 = "F32", f16 = "F16", bf16 = "BF16"
        case i64 = "I64", i32 = "I32", i16 = "I16", i8 = "I8", u8 = "U8", bool = "BOOL"
        public var size: Int {
            switch self {
            case .f64, .i64: return 8
            case .f32, .i32: return 4
            case .f16, .bf16, .i16: return 2
            case .i8, .u8, .bool: return 1
            }
        }
    }

    public var dtype: DType
    public var shape: [Int]
    public var bytes: [UInt8]

    public var elementCount: Int { shape.reduce(1, *) }

    public init(dtype: DType, shape: [Int], bytes: [UInt8]) {
        precondition(bytes.count == shape.reduce(1, *) * dtype.size,
                     "\(dtype.rawValue) tensor of shape \(shape) needs \(shape.reduce(1, *) * dtype.size) bytes, got \(bytes.count)")
        self.dtype = dtype; self.shape = shape; self.bytes = bytes
    }

    public init(floats: UnsafeBufferPointer<Float>, shape: [Int]) {
        precondition(floats.count == shape.reduce(1, *), "\(floats.count) floats for shape \(shape)")
        var b = [UInt8](repeating: 0, count: floats.count * 4)
        b.withUnsafeMutableBytes { dst in
            for (i, f) in floats.enumerated() { dst.storeBytes(of: f.bitPattern.littleEndian, toByteOffset: 4 * i, as: UInt32.self) }
        }
        self.init(dtype: .f32, shape: shape, bytes: b)
    }

    public init(floats: [Float], shape: [Int]) {
        self = floats.withUnsafeBufferPointer { SafeTensor(floats: $0, shape: shape) }
    }

    public init(int64s: [Int64], shape: [Int]) {
        precondition(int64s.count == shape.reduce(1, *), "\(int64s.count) integers for shape \(shape)")
        var b = [UInt8](repeating: 0, count: int64s.count * 8)
        b.withUnsafeMutableBytes { dst in
            for (i, v) in int64s.enumerated() { dst.storeBytes(of: v.littleEndian, toByteOffset: 8 * i, as: Int64.self) }
        }
        self.init(dtype: .i64, shape: shape, bytes: b)
    }

    /// The values of an F32 tensor (nil for other dtypes).
    public var floats: [Float]? {
        guard dtype == .f32 else { return nil }
        return bytes.withUnsafeBytes { raw in
            (0..<elementCount).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self))) }
        }
    }

    /// Copies an F32 tensor into `destination` (which must hold `elementCount` floats).
    public func copyFloats(to destination: UnsafeMutablePointer<Float>) {
        precondition(dtype == .f32, "copyFloats needs an F32 tensor, this one is \(dtype.rawValue)")
        bytes.withUnsafeBytes { raw in
            for i in 0..<elementCount {
                destination[i] = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))
            }
        }
    }

    /// The values of an I64 tensor (nil for other dtypes).
    public var int64s: [Int64]? {
        guard dtype == .i64 else { return nil }
        return bytes.withUnsafeBytes { raw in
            (0..<elementCount).map { Int64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * $0, as: Int64.self)) }
        }
    }
}

public enum CheckpointError: Error, Equatable, CustomStringConvertible {
    case io(path: String, reason: String)
    case invalid(path: String, reason: String)

    public var description: String {
        switch self {
        case let .io(p, r): return "\(p): \(r)"
        case let .invalid(p, r): return "\(p): not a valid safetensors file: \(r)"
        }
    }
}

/// The safetensors format: an 8-byte little-endian header length N, N bytes of JSON
/// (`{"__metadata__": {string: string}, name: {"dtype", "shape", "data_offsets": [begin, end]}}`,
/// padded with spaces so the data starts 8-byte aligned), then the tensor bytes with offsets relative
/// to the end of the header. Regula writes `__metadata__` first and tensors sorted by name, so the
/// same tensors always give the same bytes. PyTorch loads the result with `safetensors.torch.load_file`.
public enum SafeTensors {
    /// Largest header accepted (the reference implementation's limit).
    static let maxHeader = 100_000_000

    public static func encode(_ tensors: [String: SafeTensor], metadata: [String: String] = [:]) -> [UInt8] {
        var json = "{"
        var parts: [String] = []
        if !metadata.isEmpty {
            let m = metadata.keys.sorted().map { "\(quote($0)):\(quote(metadata[$0] ?? ""))" }.joined(separator: ",")
            parts.append("\"__metadata__\":{\(m)}")
        }
        var offset = 0
        let names = tensors.keys.sorted()
        for name in names {
            guard let t = tensors[name] else { continue }
            let end = offset + t.bytes.count
            parts.append("\(quote(name)):{\"dtype\":\"\(t.dtype.rawValue)\",\"shape\":[\(t.shape.map(String.init).joined(separator: ","))],\"data_offsets\":[\(offset),\(end)]}")
            offset = end
        }
        json += parts.joined(separator: ",") + "}"
        var header = Array(json.utf8)
        while (8 + header.count) % 8 != 0 { header.append(0x20) }
        var out: [UInt8] = []
        out.reserveCapacity(8 + header.count + offset)
        let n = UInt64(header.count)
        for k in 0..<8 { out.append(UInt8(truncatingIfNeeded: n >> (8 * UInt64(k)))) }
        out += header
        for name in names { if let t = tensors[name] { out += t.bytes } }
        return out
    }

    /// JSON string literal with the escapes RFC 8259 requires (metadata headers, metrics event
    /// lines, run.json).
    public static func quote(_ s: String) -> String {
        var r = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": r += "\\\""
            case "\\": r += "\\\\"
            case "\n": r += "\\n"
            case "\r": r += "\\r"
            case "\t": r += "\\t"
            default:
                if u.value < 0x20 {
                    let h = String(u.value, radix: 16)
                    r += "\\u" + String(repeating: "0", count: 4 - h.count) + h
                } else {
                    r.unicodeScalars.append(u)
                }
            }
        }
        return r + "\""
    }

    public static func decode(_ bytes: [UInt8], path: String = "safetensors") throws -> (tensors: [String: SafeTensor], metadata: [String: String]) {
        func bad(_ r: String) -> CheckpointError { .invalid(path: path, reason: r) }
        guard bytes.count >= 8 else { throw bad("file is \(bytes.count) bytes, shorter than the 8-byte header length") }
        let n = (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[$1]) << (8 * UInt64($1)) }
        guard n <= UInt64(maxHeader), 8 + Int(n) <= bytes.count else {
            throw bad("header length \(n) exceeds the file size \(bytes.count)")
        }
        let headerBytes = Data(bytes[8..<(8 + Int(n))])
        guard let object = try? JSONSerialization.jsonObject(with: headerBytes), let dict = object as? [String: Any] else {
            throw bad("header is not a JSON object")
        }
        let dataStart = 8 + Int(n)
        let dataCount = bytes.count - dataStart
        var metadata: [String: String] = [:]
        var entries: [(name: String, dtype: SafeTensor.DType, shape: [Int], begin: Int, end: Int)] = []
        for (name, value) in dict {
            if name == "__metadata__" {
                guard let m = value as? [String: Any] else { throw bad("__metadata__ is not an object") }
                for (k, v) in m {
                    guard let s = v as? String else { throw bad("__metadata__ value for '\(k)' is not a string") }
                    metadata[k] = s
                }
                continue
            }
            guard let info = value as? [String: Any], let dt = info["dtype"] as? String,
                  let shapeAny = info["shape"] as? [Any], let offsAny = info["data_offsets"] as? [Any] else {
                throw bad("tensor '\(name)' needs dtype, shape and data_offsets")
            }
            guard let dtype = SafeTensor.DType(rawValue: dt) else { throw bad("tensor '\(name)' has unknown dtype \(dt)") }
            let shape = shapeAny.compactMap { ($0 as? NSNumber)?.intValue }
            let offs = offsAny.compactMap { ($0 as? NSNumber)?.intValue }
            guard shape.count == shapeAny.count, shape.allSatisfy({ $0 >= 0 }), offs.count == 2 else {
                throw bad("tensor '\(name)' has a malformed shape or data_offsets")
            }
            let expected = shape.reduce(dtype.size, *)
            guard offs[0] >= 0, offs[1] >= offs[0], offs[1] - offs[0] == expected else {
                throw bad("tensor '\(name)' of \(dt) \(shape) needs \(expected) bytes, data_offsets \(offs) give \(offs[1] - offs[0])")
            }
            entries.append((name, dtype, shape, offs[0], offs[1]))
        }
        // The data section must be covered exactly, without gaps or overlaps (reference `validate`).
        var position = 0
        for e in entries.sorted(by: { ($0.begin, $0.end) < ($1.begin, $1.end) }) {
            guard e.begin == position else { throw bad("tensor '\(e.name)' starts at \(e.begin), expected \(position)") }
            position = e.end
        }
        guard position == dataCount else { throw bad("tensors cover \(position) data bytes, the file has \(dataCount)") }
        var tensors: [String: SafeTensor] = [:]
        for e in entries {
            tensors[e.name] = SafeTensor(dtype: e.dtype, shape: e.shape, bytes: Array(bytes[(dataStart + e.begin)..<(dataStart + e.end)]))
        }
        return (tensors, metadata)
    }

    public static func read(_ path: String) throws -> (tensors: [String: SafeTensor], metadata: [String: String]) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CheckpointError.io(path: path, reason: FileManager.default.fileExists(atPath: path) ? "cannot read file" : "file not found")
        }
        return try decode(Array(data), path: path)
    }

    /// Writes atomically: a temporary file in the same folder, fsync, then rename over `path`, so an
    /// interrupted run leaves either the old checkpoint or the new one, never a partial file.
    public static func write(_ tensors: [String: SafeTensor], metadata: [String: String] = [:], to path: String) throws {
        try AtomicFile.write(encode(tensors, metadata: metadata), to: path)
    }
}
