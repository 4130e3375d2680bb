import Foundation
import XCTest
@testable import Runtime

/// The DEFLATE/gzip decoder against fixtures written by Python's `gzip`/`zlib` (GzipFixtures.swift),
/// and against the real MNIST files bundled in `data/mnist`. Fixture generator:
///
/// ```python
/// import gzip, zlib, base64, io
/// def lcg_bytes(n, seed=12345):            # mirrored by `random(_:)` below
///     x = seed; out = bytearray()
///     for _ in range(n):
///         x = (x * 1103515245 + 12345) % (1 << 31); out.append((x >> 16) & 0xFF)
///     return bytes(out)
/// def text(lines):                         # mirrored by `text(_:)` below
///     return ''.join(f"line {i}: the quick brown fox jumps over the lazy dog {i * i % 97}\n" for i in range(lines)).encode()
/// def gz(data, level=6, **kw):
///     b = io.BytesIO()
///     with gzip.GzipFile(fileobj=b, mode='wb', compresslevel=level, mtime=0, **kw) as f: f.write(data)
///     return b.getvalue()
/// def raw(data, strategy):
///     c = zlib.compressobj(6, zlib.DEFLATED, -15, 8, strategy); return c.compress(data) + c.flush()
/// randomLevel6 = gz(rnd); zerosLevel9 = gz(bytes(100000), 9); textLevel6 = gz(txt); textLevel0 = gz(txt, 0)
/// empty = gz(b""); named = gz(txt[:3000], 6, filename="notes.txt")
/// multiMember = gz(txt[:1000]) + gz(rnd[:500])
/// rawFixed = raw(txt, zlib.Z_FIXED); rawHuffmanOnly = raw(rnd, zlib.Z_HUFFMAN_ONLY)
/// ```
final class GzipTests: XCTestCase {
    func random(_ n: Int) -> [UInt8] {
        var x: UInt64 = 12345
        return (0..<n).map { _ in
            x = (x * 1_103_515_245 + 12345) % (1 << 31)
            return UInt8((x >> 16) & 0xFF)
        }
    }

    func text(_ lines: Int) -> [UInt8] {
        Array((0..<lines).map { "line \($0): the quick brown fox jumps over the lazy dog \($0 * $0 % 97)\n" }.joined().utf8)
    }

    func bytes(_ b64: String) -> [UInt8] { Array(Data(base64Encoded: b64)!) }

    func gunzip(_ b: [UInt8], path: String = "fixture.gz") throws -> [UInt8] {
        try b.withUnsafeBufferPointer { try Gzip.decompress($0, path: path).array }
    }

    func testPythonGzipFixtures() throws {
        XCTAssertEqual(try gunzip(bytes(GzipFixtures.randomLevel6)), random(20000))
        XCTAssertEqual(try gunzip(bytes(GzipFixtures.zerosLevel9)), [UInt8](repeating: 0, count: 100_000))
        XCTAssertEqual(try gunzip(bytes(GzipFixtures.textLevel6)), text(500))
        XCTAssertEqual(try gunzip(bytes(GzipFixtures.textLevel0)), text(500))
        XCTAssertEqual(try gunzip(bytes(GzipFixtures.empty)), [])
        XCTAssertEqual(try gunzip(bytes(GzipFixtures.named)), Array(text(500)[0..<3000]))
        XCTAssertEqual(try gunzip(bytes(GzipFixtures.multiMember)), Array(text(500)[0..<1000]) + Array(random(20000)[0..<500]))
        XCTAssertEqual(try gunzip(bytes(GzipFixtures.textLevel6) + [0, 0, 0]), text(500))   // zero padding ignored
    }

    func testRawDeflateBlockTypes() throws {
        let fixed = bytes(GzipFixtures.rawFixed)
        XCTAssertEqual(fixed[0] & 7, 3)                // final block, fixed Huffman
        XCTAssertEqual(try Inflate.decompress(fixed), text(500))
        XCTAssertEqual(try Inflate.decompress(bytes(GzipFixtures.rawHuffmanOnly)), random(20000))
    }

    func testCRC32() {
        XCTAssertEqual(CRC32.checksum(Array("123456789".utf8)), 0xCBF4_3926)   // the CRC-32 check value
        XCTAssertEqual(CRC32.checksum([]), 0)
        let r = random(1001)
        let split = r.withUnsafeBufferPointer { b in
            CRC32.update(CRC32.update(0, b.baseAddress!, count: 500), b.baseAddress! + 500, count: 501)
        }
        XCTAssertEqual(split, CRC32.checksum(r))
    }

    func testTruncatedInputIsATypedError() {
        let full = bytes(GzipFixtures.textLevel6)
        for cut in [5, 10, 11, 40, full.count / 2, full.count - 9, full.count - 1] {
            XCTAssertThrowsError(try gunzip(Array(full[0..<cut]), path: "cut.gz"), "cut at \(cut)") { error in
                guard let e = error as? DataError else { return XCTFail("\(error)") }
                switch e {
                case .truncated, .truncatedStream: XCTAssertTrue(e.description.hasPrefix("cut.gz: "), e.description)
                default: XCTFail("cut at \(cut): \(e)")
                }
            }
        }
    }

    func testCorruptInputIsATypedError() {
        var crc = bytes(GzipFixtures.textLevel6)
        crc[crc.count - 6] ^= 0xFF
        XCTAssertThrowsError(try gunzip(crc)) { XCTAssertTrue("\($0)".contains("CRC-32 mismatch"), "\($0)") }
        var size = bytes(GzipFixtures.textLevel6)
        for k in 1...4 { size[size.count - k] = 0xFF }            // ISIZE claims 4 GiB
        XCTAssertThrowsError(try gunzip(size)) { XCTAssertTrue("\($0)".contains("gzip size mismatch"), "\($0)") }
        XCTAssertThrowsError(try gunzip(Array("plain text, not gzip".utf8))) {
            XCTAssertEqual($0 as? DataError, .badMagic(path: "fixture.gz", format: "gzip", found: "70 6c"))
        }
        XCTAssertThrowsError(try Inflate.decompress([0x07])) { XCTAssertEqual($0 as? InflateError, .invalidBlockType) }
        XCTAssertThrowsError(try Inflate.decompress([0x01, 0x05, 0x00, 0x00, 0x00])) {
            XCTAssertEqual($0 as? InflateError, .storedLengthMismatch)
        }
        var garbage = bytes(GzipFixtures.textLevel6)
        garbage += [0x42]
        XCTAssertThrowsError(try gunzip(garbage)) { XCTAssertTrue("\($0)".contains("unexpected data after gzip member"), "\($0)") }
        // Flipping bits inside the compressed body must give an error (or different bytes), never a crash.
        let body = bytes(GzipFixtures.textLevel6)
        var g = RandomGenerator(seed: 1)
        for _ in 0..<300 {
            var b = body
            let i = 10 + Int(g.nextInt(below: UInt32(b.count - 18)))
            b[i] ^= UInt8(1 << (g.nextInt(below: 8)))
            if let out = try? gunzip(b) { XCTAssertEqual(out.count, text(500).count) }
        }
    }

    /// The bundled real MNIST: header magic, sizes, and a decode speed figure.
    func testMNISTFiles() throws {
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("data/mnist")
        let start = Date()
        let images = try Gzip.readMaybeCompressed(dir.appendingPathComponent("train-images-idx3-ubyte.gz").path)
        let seconds = Date().timeIntervalSince(start)
        XCTAssertEqual(images.count, 16 + 60_000 * 28 * 28)
        XCTAssertEqual(Array(UnsafeBufferPointer(start: images.base, count: 4)), [0, 0, 8, 3])
        print("inflate + CRC of train-images: \(Int(Double(images.count) / seconds / 1e6)) MB/s")
        let labels = try Gzip.readMaybeCompressed(dir.appendingPathComponent("t10k-labels-idx1-ubyte.gz").path)
        XCTAssertEqual(labels.count, 8 + 10_000)
        XCTAssertThrowsError(try Gzip.readMaybeCompressed(dir.appendingPathComponent("nope.gz").path)) {
            XCTAssertEqual($0 as? DataError, .missingFile(path: dir.appendingPathComponent("nope.gz").path))
        }
    }
}
