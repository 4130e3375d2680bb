/// A DEFLATE decoder (RFC 1951): stored, fixed-Huffman and dynamic-Huffman blocks.
///
/// Structure follows Mark Adler's `puff.c` (the RFC's reference decoder) with table-driven
/// Huffman decoding: each code is looked up in a table indexed by the next `maxLength` input bits
/// (bit-reversed canonical codes), giving symbol and length in one load. Input is read through a
/// 64-bit bit buffer refilled eight bytes at a time. Corrupt or truncated input throws
/// `InflateError`; it never reads out of bounds or loops forever.
public enum InflateError: Error, Equatable, CustomStringConvertible {
    case truncated
    case invalidBlockType
    case storedLengthMismatch
    case invalidCodeLengths(String)
    case invalidSymbol
    case distanceTooFar

    public var description: String {
        switch self {
        case .truncated: return "compressed data is truncated"
        case .invalidBlockType: return "invalid deflate block type 3"
        case .storedLengthMismatch: return "stored block length does not match its complement"
        case let .invalidCodeLengths(why): return "invalid Huffman code lengths: \(why)"
        case .invalidSymbol: return "invalid Huffman code in compressed data"
        case .distanceTooFar: return "match distance points before the start of the output"
        }
    }
}

public enum Inflate {
    /// Decompresses one raw DEFLATE stream starting at `input[start]`, appending to `output`.
    /// Returns the index of the first input byte after the stream (the final block, byte-aligned).
    public static func decompress(_ input: UnsafeBufferPointer<UInt8>, from start: Int = 0,
                                  into output: ByteBuffer) throws -> Int {
        guard let base = input.baseAddress, start < input.count else { throw InflateError.truncated }
        let d = Decoder(base, count: input.count, start: start, output: output)
        defer { d.release() }
        try d.run()
        return d.bytePosition
    }

    /// Convenience for small inputs (tests).
    public static func decompress(_ bytes: [UInt8]) throws -> [UInt8] {
        let out = ByteBuffer(capacity: bytes.count * 4)
        _ = try bytes.withUnsafeBufferPointer { try decompress($0, into: out) }
        return out.array
    }
}

// RFC 1951 §3.2.5 tables.
private let lengthBase: [UInt16] = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59,
                                    67, 83, 99, 115, 131, 163, 195, 227, 258]
private let lengthExtra: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
private let distBase: [UInt16] = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769,
                                  1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577]
private let distExtra: [UInt8] = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]
/// Order of code-length code lengths in a dynamic block header (§3.2.7).
private let codeLengthOrder: [Int] = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]

/// A Huffman decoding table: entry = symbol << 4 | code length (0 = no code).
private struct HuffmanTable {
    let entries: UnsafeMutablePointer<UInt16>
    var bits = 0

    init() { entries = .allocate(capacity: 1 << 15) }
    func release() { entries.deallocate() }

    /// Builds the canonical code for `lengths` (RFC 1951 §3.2.2). Over-subscribed codes are errors;
    /// incomplete codes are allowed (unused entries decode as errors), as for a single distance code.
    mutating func build(_ lengths: UnsafePointer<UInt8>, count: Int) throws {
        var perLength = [Int](repeating: 0, count: 16)
        for i in 0..<count { perLength[Int(lengths[i])] += 1 }
        var left = 1
        var maxLen = 0
        for len in 1...15 {
            left <<= 1
            left -= perLength[len]
            if left < 0 { throw InflateError.invalidCodeLengths("over-subscribed code") }
            if perLength[len] > 0 { maxLen = len }
        }
        bits = max(maxLen, 1)
        let size = 1 << bits
        entries.initialize(repeating: 0, count: size)
        var next = [Int](repeating: 0, count: 16)
        // RFC 1951 §3.2.2 step 2: next_code[len] = (next_code[len−1] + bl_count[len−1]) << 1, bl_count[0] = 0.
        var code = 0
        for len in 1...15 {
            code = (code + (len > 1 ? perLength[len - 1] : 0)) << 1
            next[len] = code
        }
        for sym in 0..<count {
            let len = Int(lengths[sym])
            if len == 0 { continue }
            let c = next[len]
            next[len] += 1
            var rev = 0
            for b in 0..<len where c & (1 << b) != 0 { rev |= 1 << (len - 1 - b) }
            let entry = UInt16(sym << 4 | len)
            var j = rev
            while j < size { entries[j] = entry; j += 1 << len }
        }
    }
}

private final class Decoder {
    let input: UnsafePointer<UInt8>
    let inputCount: Int
    var pos: Int
    var bitBuf: UInt64 = 0
    var bitCount = 0
    /// Zero bytes appended past the end of input (counted in `bitCount`); consuming them is truncation.
    var padBytes = 0
    let output: ByteBuffer
    var lit = HuffmanTable()
    var dist = HuffmanTable()

    /// Scratch code lengths: 286 literal/length + 30 distance codes (and 19 code-length codes).
    let lengths = UnsafeMutablePointer<UInt8>.allocate(capacity: 320)
    let distLengths = UnsafeMutablePointer<UInt8>.allocate(capacity: 32)

    init(_ input: UnsafePointer<UInt8>, count: Int, start: Int, output: ByteBuffer) {
        self.input = input
        self.inputCount = count
        self.pos = start
        self.output = output
    }

    func release() { lit.release(); dist.release(); lengths.deallocate(); distLengths.deallocate() }

    var bytePosition: Int { pos - (bitCount >> 3) + padBytes }

    @inline(__always) func refill() {
        if bitCount > 56 { return }
        if pos + 8 <= inputCount {
            let v = UInt64(littleEndian: UnsafeRawPointer(input + pos).loadUnaligned(as: UInt64.self))
            let n = (63 - bitCount) >> 3
            bitBuf |= v << UInt64(bitCount)
            pos += n
            bitCount += n << 3
        } else {
            while bitCount <= 56 {
                if pos < inputCount { bitBuf |= UInt64(input[pos]) << UInt64(bitCount); pos += 1 } else { padBytes += 1 }
                bitCount += 8
            }
        }
    }

    @inline(__always) func consume(_ n: Int) throws {
        bitBuf >>= UInt64(n)
        bitCount -= n
        if bitCount < padBytes << 3 { throw InflateError.truncated }
    }

    @inline(__always) func bits(_ n: Int) throws -> Int {
        refill()
        let v = Int(bitBuf & ((1 << UInt64(n)) - 1))
        try consume(n)
        return v
    }

    @inline(__always) func decode(_ t: HuffmanTable) throws -> Int {
        refill()
        let e = Int(t.entries[Int(bitBuf & ((1 << UInt64(t.bits)) - 1))])
        let len = e & 15
        if len == 0 { throw InflateError.invalidSymbol }
        try consume(len)
        return e >> 4
    }

    func run() throws {
        var last = false
        while !last {
            last = try bits(1) == 1
            switch try bits(2) {
            case 0: try stored()
            case 1: try fixedTables(); try codes()
            case 2: try dynamicTables(); try codes()
            default: throw InflateError.invalidBlockType
            }
        }
        // Drop the partial byte so `bytePosition` points at the byte after the stream.
        bitBuf >>= UInt64(bitCount & 7)
        bitCount -= bitCount & 7
    }

    func stored() throws {
        bitBuf >>= UInt64(bitCount & 7)           // go to a byte boundary
        bitCount -= bitCount & 7
        let len = try bits(16), nlen = try bits(16)
        if len != (~nlen & 0xFFFF) { throw InflateError.storedLengthMismatch }
        // Rewind the bit buffer to the byte position and copy directly.
        pos = bytePosition
        bitBuf = 0; bitCount = 0; padBytes = 0
        if pos + len > inputCount { throw InflateError.truncated }
        output.reserve(extra: len)
        (output.base + output.count).update(from: input + pos, count: len)
        output.count += len
        pos += len
    }

    func fixedTables() throws {
        let l = lengths
        for i in 0..<144 { l[i] = 8 }
        for i in 144..<256 { l[i] = 9 }
        for i in 256..<280 { l[i] = 7 }
        for i in 280..<288 { l[i] = 8 }
        try lit.build(l, count: 288)
        for i in 0..<30 { l[i] = 5 }
        try dist.build(l, count: 30)
    }

    func dynamicTables() throws {
        let nlen = try bits(5) + 257, ndist = try bits(5) + 1, ncode = try bits(4) + 4
        if nlen > 286 || ndist > 30 { throw InflateError.invalidCodeLengths("too many length or distance codes") }
        let p = lengths
        p.initialize(repeating: 0, count: 19)
        for i in 0..<ncode { p[codeLengthOrder[i]] = UInt8(try bits(3)) }
        try lit.build(p, count: 19)            // the code-length code, decoded with `lit` for now
        var i = 0
        while i < nlen + ndist {
            let sym = try decode(lit)
            if sym < 16 { p[i] = UInt8(sym); i += 1; continue }
            var value: UInt8 = 0, repeatCount: Int
            switch sym {
            case 16:
                if i == 0 { throw InflateError.invalidCodeLengths("repeat with no previous length") }
                value = p[i - 1]; repeatCount = 3 + (try bits(2))
            case 17: repeatCount = 3 + (try bits(3))
            default: repeatCount = 11 + (try bits(7))
            }
            if i + repeatCount > nlen + ndist { throw InflateError.invalidCodeLengths("repeat past the end") }
            for _ in 0..<repeatCount { p[i] = value; i += 1 }
        }
        if p[256] == 0 { throw InflateError.invalidCodeLengths("no end-of-block code") }
        try lit.build(p, count: nlen)
        for j in 0..<ndist { distLengths[j] = p[nlen + j] }
        try dist.build(distLengths, count: ndist)
    }

    func codes() throws {
        try lengthBase.withUnsafeBufferPointer { lb in
        try lengthExtra.withUnsafeBufferPointer { le in
        try distBase.withUnsafeBufferPointer { db in
        try distExtra.withUnsafeBufferPointer { de in
            while true {
                let sym = try decode(lit)
                if sym < 256 {
                    output.reserve(extra: 1)
                    output.base[output.count] = UInt8(truncatingIfNeeded: sym)
                    output.count += 1
                    continue
                }
                if sym == 256 { return }
                let li = sym - 257
                if li >= 29 { throw InflateError.invalidSymbol }
                let len = Int(lb[li]) + (try bits(Int(le[li])))
                let ds = try decode(dist)
                if ds >= 30 { throw InflateError.invalidSymbol }
                let distance = Int(db[ds]) + (try bits(Int(de[ds])))
                if distance > output.count { throw InflateError.distanceTooFar }
                output.reserve(extra: len)
                let dst = output.base + output.count
                let src = dst - distance
                if distance >= len {
                    dst.update(from: src, count: len)
                } else {
                    for k in 0..<len { dst[k] = src[k] }
                }
                output.count += len
            }
        }}}}
    }
}
