/// A minimal protocol-buffers encoder (proto2/proto3 wire format), enough to write ONNX models
/// (Export) and TensorBoard's event files (`TensorBoardWriter`); it lives in the runtime so both
/// use one encoder.
///
/// Regula writes only a handful of message types, so a hand-written encoder is smaller than a
/// dependency on swift-protobuf and its generated code. Fields are written in the order the
/// caller asks for; parsers accept any order. Reference: https://protobuf.dev/programming-guides/encoding/
public struct ProtoWriter {
    /// The wire types of the encoding (the low 3 bits of a field's tag).
    public enum WireType: UInt64 {
        case varint = 0, fixed64 = 1, lengthDelimited = 2, fixed32 = 5
    }

    public private(set) var bytes: [UInt8] = []

    public init() {}

    // MARK: Primitives

    /// Base-128 varint, least significant group first; the high bit marks "more follows".
    public mutating func varint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    /// The field number and wire type, as one varint.
    public mutating func tag(_ field: Int, _ wire: WireType) {
        precondition(field > 0 && field < 1 << 29, "protobuf field numbers are 1…2²⁹−1, not \(field)")
        varint(UInt64(field) << 3 | wire.rawValue)
    }

    public mutating func fixed32(_ value: UInt32) {
        for i in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: value >> (8 * UInt32(i)))) }
    }

    public mutating func fixed64(_ value: UInt64) {
        for i in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: value >> (8 * UInt64(i)))) }
    }

    // MARK: Fields

    /// An `int64`/`int32`/enum field. Negative values take ten bytes (two's complement as uint64),
    /// as the protobuf spec requires for non-zigzag integers.
    public mutating func int64(_ field: Int, _ value: Int64) {
        tag(field, .varint)
        varint(UInt64(bitPattern: value))
    }

    public mutating func float(_ field: Int, _ value: Float) {
        tag(field, .fixed32)
        fixed32(value.bitPattern)
    }

    public mutating func double(_ field: Int, _ value: Double) {
        tag(field, .fixed64)
        fixed64(value.bitPattern)
    }

    public mutating func bytes(_ field: Int, _ value: [UInt8]) {
        tag(field, .lengthDelimited)
        varint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    public mutating func string(_ field: Int, _ value: String) { bytes(field, Array(value.utf8)) }

    /// An embedded message: its encoding, length-delimited.
    public mutating func message(_ field: Int, _ build: (inout ProtoWriter) -> Void) {
        var inner = ProtoWriter()
        build(&inner)
        bytes(field, inner.bytes)
    }

    /// A packed `repeated int64`: one length-delimited field holding the varints back to back.
    public mutating func packedInt64(_ field: Int, _ values: [Int64]) {
        var inner = ProtoWriter()
        for v in values { inner.varint(UInt64(bitPattern: v)) }
        bytes(field, inner.bytes)
    }

    /// A packed `repeated float`: one length-delimited field of little-endian fixed32 values.
    public mutating func packedFloat(_ field: Int, _ values: [Float]) {
        var inner = ProtoWriter()
        for v in values { inner.fixed32(v.bitPattern) }
        bytes(field, inner.bytes)
    }
}

/// A message that knows its own encoding.
public protocol ProtoMessage {
    func encode(to w: inout ProtoWriter)
}

extension ProtoMessage {
    /// The message's wire encoding.
    public var serialized: [UInt8] {
        var w = ProtoWriter()
        encode(to: &w)
        return w.bytes
    }
}

extension ProtoWriter {
    public mutating func message(_ field: Int, _ m: some ProtoMessage) {
        message(field) { m.encode(to: &$0) }
    }

    /// A packed `repeated double`: one length-delimited field of little-endian fixed64 values.
    public mutating func packedDouble(_ field: Int, _ values: [Double]) {
        var inner = ProtoWriter()
        for v in values { inner.fixed64(v.bitPattern) }
        bytes(field, inner.bytes)
    }
}
