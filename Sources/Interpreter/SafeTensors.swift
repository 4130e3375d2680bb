import Foundation

/// Minimal safetensors I/O for checkpoints (https://github.com/huggingface/safetensors): an 8-byte
/// little-endian header length, a JSON header mapping names to `dtype`, `shape` and
/// `data_offsets`, then the raw little-endian tensor bytes. Writes are atomic (temporary file in
/// the same folder, then rename), so an interrupted run never leaves a half-written checkpoint.
enum SafeTensors {
    enum Values: Equatable {
        case f32([Float])
        case i64([Int64])
        var count: Int {
            switch self {
            case .f32(let v): return v.count
            case .i64(let v): return v.count
            }
        }
    }
    struct Entry: Equatable {
        var name: String
        var shape: [Int]
        var values: Values
    }

    static func write(_ entries: [Entry], metadata: [String: String] = [:], to path: String) throws {
        var header: [String: Any] = [:]
        var offset = 0
        for e in entries {
            let bytes = e.values.count * (isI64(e.values) ? 8 : 4)
            header[e.name] = ["dtype": isI64(e.values) ? "I64" : "F32", "shape": e.shape, "data_offsets": [offset, offset + bytes]] as [String: Any]
            offset += bytes
        }
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        while json.count % 8 != 0 { json.append(0x20) }
        var data = Data(capacity: 8 + json.count + offset)
        var n = UInt64(json.count).littleEndian
        withUnsafeBytes(of: &n) { data.append(contentsOf: $0) }
        data.append(json)
        for e in entries {
            switch e.values {
            case .f32(let v): v.withUnsafeBytes { data.append(contentsOf: $0) }
            case .i64(let v): v.withUnsafeBytes { data.append(contentsOf: $0) }
            }
        }
        let tmp = path + ".tmp-\(getpid())"
        do {
            try data.write(to: URL(fileURLWithPath: tmp))
            if rename(tmp, path) != 0 { throw TrainError.io("cannot rename \(tmp) to \(path): \(String(cString: strerror(errno)))") }
        } catch let e as TrainError {
            throw e
        } catch {
            try? FileManager.default.removeItem(atPath: tmp)
            throw TrainError.io("cannot write \(path): \(error.localizedDescription)")
        }
    }

    static func isI64(_ v: Values) -> Bool { if case .i64 = v { return true }; return false }

    /// Reads every tensor (F32, F64 → F32, I64); metadata is returned separately.
    static func read(_ path: String) throws -> (entries: [String: Entry], metadata: [String: String]) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TrainError.checkpoint("\(path): file not found")
        }
        guard data.count >= 8 else { throw TrainError.checkpoint("\(path): file is truncated") }
        let n = data.prefix(8).withUnsafeBytes { Int(UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self))) }
        guard n >= 2, 8 + n <= data.count,
              let header = try? JSONSerialization.jsonObject(with: data.subdata(in: 8..<(8 + n))) as? [String: Any] else {
            throw TrainError.checkpoint("\(path): not a safetensors file")
        }
        let body = 8 + n
        var out: [String: Entry] = [:]
        var metadata: [String: String] = [:]
        for (name, value) in header {
            if name == "__metadata__" { metadata = value as? [String: String] ?? [:]; continue }
            guard let d = value as? [String: Any], let dtype = d["dtype"] as? String,
                  let shape = d["shape"] as? [Int], let offs = d["data_offsets"] as? [Int], offs.count == 2,
                  offs[0] >= 0, offs[0] <= offs[1], body + offs[1] <= data.count else {
                throw TrainError.checkpoint("\(path): malformed entry \(name)")
            }
            let count = shape.reduce(1, *)
            let raw = data.subdata(in: (body + offs[0])..<(body + offs[1]))
            let values: Values
            switch dtype {
            case "F32" where raw.count == count * 4:
                values = .f32(raw.withUnsafeBytes { p in (0..<count).map { p.loadUnaligned(fromByteOffset: $0 * 4, as: Float.self) } })
            case "F64" where raw.count == count * 8:
                values = .f32(raw.withUnsafeBytes { p in (0..<count).map { Float(p.loadUnaligned(fromByteOffset: $0 * 8, as: Double.self)) } })
            case "I64" where raw.count == count * 8:
                values = .i64(raw.withUnsafeBytes { p in (0..<count).map { p.loadUnaligned(fromByteOffset: $0 * 8, as: Int64.self) } })
            default:
                throw TrainError.checkpoint("\(path): \(name) has dtype \(dtype) or a size that does not match its shape \(shape)")
            }
            out[name] = Entry(name: name, shape: shape, values: values)
        }
        return (out, metadata)
    }
}
