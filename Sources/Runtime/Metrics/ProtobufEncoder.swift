/// A minimal protocol-buffer encoder: the wire types TensorBoard's `Event` messages need
/// (varint, 64-bit, 32-bit, length-delimited). Fields are written in the order they are added;
/// a nested message is encoded on its own and added as bytes.
public struct ProtobufEncoder {
    public private(set) var bytes: [UInt8] = []

    public init() {}

    enum WireType: UInt64 { case varint = 0, fixed64 = 1, lengthDelimited = 2, fixed32 = 5 }

    mutating func key(_ field: Int, _ type: WireType) { varint(UInt64(field) << 3 | type.rawValue) }

    /// Base-128 varint, least significant group first, high bit set on all but the last byte.
    mutating func varint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    mutating func littleEndian64(_ v: UInt64) { for k in 0..<8 { bytes.append(UInt8((v >> (8 * k)) & 0xFF)) } }

    /// `int64` field (two's complement as an unsigned varint, as protobuf does).
    public mutating func int64(_ field: Int, _ value: Int64) {
        key(field, .varint)
        varint(UInt64(bitPattern: value))
    }

    /// `double` field.
    public mutating func double(_ field: Int, _ value: Double) {
        key(field, .fixed64)
        littleEndian64(value.bitPattern)
    }

    /// `float` field.
    public mutating func float(_ field: Int, _ value: Float) {
        key(field, .fixed32)
        let v = value.bitPattern
        for k in 0..<4 { bytes.append(UInt8((v >> (8 * k)) & 0xFF)) }
    }

    /// `bytes` or embedded-message field.
    public mutating func bytes(_ field: Int, _ value: [UInt8]) {
        key(field, .lengthDelimited)
        varint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    /// `string` field (UTF-8).
    public mutating func string(_ field: Int, _ value: String) { bytes(field, Array(value.utf8)) }

    /// `repeated double` field, packed (one length-delimited run of little-endian doubles).
    public mutating func packedDoubles(_ field: Int, _ values: [Double]) {
        key(field, .lengthDelimited)
        varint(UInt64(values.count * 8))
        for v in values { littleEndian64(v.bitPattern) }
    }

    /// The encoded message.
    public static func message(_ build: (inout ProtobufEncoder) -> Void) -> [UInt8] {
        var e = ProtobufEncoder()
        build(&e)
        return e.bytes
    }
}
