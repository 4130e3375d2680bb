@testable import Runtime
import XCTest

/// The pieces of a TensorBoard event file against published values: CRC-32C check vectors
/// (RFC 3720 §B.4), packed doubles (protobuf.dev "Encoding"), TFRecord framing.
final class TensorBoardEncodingTests: XCTestCase {
    func testCRC32CMatchesTheCheckVectors() {
        XCTAssertEqual(CRC32C.checksum(Array("123456789".utf8)), 0xE306_9283)
        XCTAssertEqual(CRC32C.checksum([UInt8](repeating: 0, count: 32)), 0x8A91_36AA)
        XCTAssertEqual(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)), 0x62A8_AB43)
        XCTAssertEqual(CRC32C.checksum((0..<32).map { UInt8($0) }), 0x46DD_794E)
        XCTAssertEqual(CRC32C.checksum([UInt8]()), 0)
    }

    func testMaskedCRCRotatesAndAddsTheConstant() {
        let c = CRC32C.checksum(Array("123456789".utf8))
        XCTAssertEqual(CRC32C.masked(Array("123456789".utf8)), ((c >> 15) | (c << 17)) &+ 0xA282_EAD8)
    }

    /// The one field kind TensorBoard needs beyond ONNX's (ExportTests pin the rest of ProtoWriter).
    func testPackedDoubles() {
        var w = ProtoWriter()
        w.packedDouble(6, [1, 2])
        XCTAssertEqual(w.bytes, [0x32, 16, 0, 0, 0, 0, 0, 0, 0xF0, 0x3F, 0, 0, 0, 0, 0, 0, 0, 0x40])
    }

    func testRecordFramesLengthAndData() {
        let data: [UInt8] = [1, 2, 3]
        let r = TensorBoardWriter.record(data)
        XCTAssertEqual(r.count, 8 + 4 + 3 + 4)
        XCTAssertEqual(Array(r[0..<8]), [3, 0, 0, 0, 0, 0, 0, 0])
        let lengthCRC = CRC32C.masked(Array(r[0..<8]))
        XCTAssertEqual(Array(r[8..<12]), (0..<4).map { UInt8((lengthCRC >> (8 * $0)) & 0xFF) })
        XCTAssertEqual(Array(r[12..<15]), data)
        let dataCRC = CRC32C.masked(data)
        XCTAssertEqual(Array(r[15..<19]), (0..<4).map { UInt8((dataCRC >> (8 * $0)) & 0xFF) })
    }

    func testHistogramBucketsCoverEveryValue() {
        let h = TensorBoardHistogram([-1, 0, 0, 0.5, 1, .nan], buckets: 4)
        XCTAssertEqual(h.num, 5)
        XCTAssertEqual(h.min, -1)
        XCTAssertEqual(h.max, 1)
        XCTAssertEqual(h.limits, [-0.5, 0, 0.5, 1])
        XCTAssertEqual(h.counts, [1, 0, 2, 2])
        XCTAssertEqual(h.sumSquares, 2.25)
    }
}
