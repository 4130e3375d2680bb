/// The gzip container (RFC 1952) around DEFLATE: header with optional extra/name/comment/header-CRC
/// fields, then the compressed stream, then CRC-32 and size (mod 2³²) of the member's output.
/// Concatenated members decode to the concatenation of their outputs (as `gunzip` and Python's
/// `gzip` do); trailing zero bytes are ignored, anything else after a member is an error.
public enum Gzip {
    /// True when `bytes` starts with the gzip magic `1f 8b`.
    public static func isGzip(_ p: UnsafeBufferPointer<UInt8>) -> Bool {
        p.count >= 2 && p[0] == 0x1F && p[1] == 0x8B
    }

    /// Decompresses a gzip file held in `input`; `path` names the file in errors.
    public static func decompress(_ input: UnsafeBufferPointer<UInt8>, path: String) throws -> ByteBuffer {
        // ISIZE of the last member is the exact output size of single-member files.
        var hint = input.count * 4
        if input.count >= 18 {
            let n = input.count
            hint = Int(UInt32(input[n - 4]) | UInt32(input[n - 3]) << 8 | UInt32(input[n - 2]) << 16 | UInt32(input[n - 1]) << 24)
        }
        // DEFLATE expands at most ~1032:1, so a corrupt trailer cannot make us reserve absurd memory.
        hint = min(hint, input.count * 1032 + 1024)
        let out = ByteBuffer(capacity: hint)
        var pos = 0
        var member = 0
        while true {
            pos = try decompressMember(input, at: pos, into: out, path: path)
            member += 1
            var rest = pos
            while rest < input.count && input[rest] == 0 { rest += 1 }
            if rest == input.count { break }
            if !(rest == pos && input.count - pos >= 2 && input[pos] == 0x1F && input[pos + 1] == 0x8B) {
                throw DataError.corrupt(path: path, reason: "unexpected data after gzip member \(member) at byte \(pos)")
            }
        }
        return out
    }

    static func decompressMember(_ input: UnsafeBufferPointer<UInt8>, at start: Int, into out: ByteBuffer,
                                 path: String) throws -> Int {
        let n = input.count
        func need(_ k: Int, _ at: Int) throws {
            if at + k > n { throw DataError.truncated(path: path, expected: at + k, found: n) }
        }
        try need(10, start)
        guard input[start] == 0x1F && input[start + 1] == 0x8B else {
            throw DataError.badMagic(path: path, format: "gzip", found: hexBytes(input, from: start, 2))
        }
        guard input[start + 2] == 8 else {
            throw DataError.unsupported(path: path, reason: "gzip compression method \(input[start + 2]) (only deflate, 8)")
        }
        let flags = input[start + 3]
        if flags & 0xE0 != 0 { throw DataError.corrupt(path: path, reason: "reserved gzip header flags set") }
        var p = start + 10
        if flags & 0x04 != 0 {                                   // FEXTRA
            try need(2, p)
            let xlen = Int(input[p]) | Int(input[p + 1]) << 8
            p += 2 + xlen
        }
        for flag: UInt8 in [0x08, 0x10] where flags & flag != 0 {   // FNAME, FCOMMENT (zero-terminated)
            while true {
                try need(1, p)
                p += 1
                if input[p - 1] == 0 { break }
            }
        }
        if flags & 0x02 != 0 { p += 2 }                          // FHCRC
        try need(0, p)
        let before = out.count
        let end: Int
        do {
            end = try Inflate.decompress(input, from: p, into: out)
        } catch InflateError.truncated {
            throw DataError.truncatedStream(path: path, decoded: out.count - before)
        } catch let e as InflateError {
            throw DataError.corrupt(path: path, reason: e.description)
        }
        try need(8, end)
        let crc = UInt32(input[end]) | UInt32(input[end + 1]) << 8 | UInt32(input[end + 2]) << 16 | UInt32(input[end + 3]) << 24
        let size = UInt32(input[end + 4]) | UInt32(input[end + 5]) << 8 | UInt32(input[end + 6]) << 16 | UInt32(input[end + 7]) << 24
        let produced = out.count - before
        if UInt32(truncatingIfNeeded: produced) != size {
            throw DataError.corrupt(path: path, reason: "gzip size mismatch: trailer says \(size) bytes, decoded \(produced)")
        }
        let actual = CRC32.update(0, out.base + before, count: produced)
        if actual != crc {
            throw DataError.corrupt(path: path, reason: "gzip CRC-32 mismatch: trailer \(hex(crc)), computed \(hex(actual))")
        }
        return end + 8
    }

    /// Reads `path`, decompressing it when it starts with the gzip magic.
    public static func readMaybeCompressed(_ path: String) throws -> ByteBuffer {
        let raw = try ByteBuffer.read(contentsOf: path)
        let buffer = UnsafeBufferPointer(start: raw.base, count: raw.count)
        return isGzip(buffer) ? try decompress(buffer, path: path) : raw
    }
}

func hex(_ v: UInt32) -> String {
    let s = String(v, radix: 16)
    return "0x" + String(repeating: "0", count: max(0, 8 - s.count)) + s
}

/// `"1f 8b"`-style rendering of the first `n` bytes at `p`, for magic-number errors.
func hexBytes(_ p: UnsafePointer<UInt8>, _ n: Int) -> String {
    hexBytes(UnsafeBufferPointer(start: p, count: n), from: 0, n)
}

func hexBytes(_ p: UnsafeBufferPointer<UInt8>, from start: Int, _ n: Int) -> String {
    (start..<min(start + n, p.count)).map { i in p[i] < 16 ? "0" + String(p[i], radix: 16) : String(p[i], radix: 16) }
        .joined(separator: " ")
}
