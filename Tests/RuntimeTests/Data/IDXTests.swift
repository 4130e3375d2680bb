import Foundation
import XCTest
@testable import Runtime

/// IDX reading on synthetic files and on the bundled real MNIST (reference figures from numpy:
/// first labels 5 0 4 1 9 2 1 3 1 4, pixel sums of images 0 / 59999 = 27525 / 20920, total
/// 1567298545, class counts 5923 6742 5958 6131 5842 5421 5918 6265 5851 5949).
final class IDXTests: XCTestCase {
    func testRealMNISTStaysUInt8() throws {
        let d = try Dataset.loadIDX(images: mnistFolder.appendingPathComponent("train-images-idx3-ubyte.gz").path,
                                    labels: mnistFolder.appendingPathComponent("train-labels-idx1-ubyte.gz").path,
                                    expectedShape: [1, 28, 28])
        XCTAssertEqual(d.count, 60_000)
        XCTAssertEqual(d.exampleShape, [28, 28])
        XCTAssertEqual(Array(d.labels.prefix(10)), [5, 0, 4, 1, 9, 2, 1, 3, 1, 4])
        guard case let .uint8(bytes, offset) = d.inputs else { return XCTFail("MNIST must stay uint8") }
        XCTAssertEqual(offset, 16)
        func sum(_ i: Int) -> Int { (0..<784).reduce(0) { $0 + Int(bytes.base[offset + i * 784 + $1]) } }
        XCTAssertEqual(sum(0), 27525)
        XCTAssertEqual(sum(59999), 20920)
        var total = 0
        for k in 0..<(60_000 * 784) { total += Int(bytes.base[offset + k]) }
        XCTAssertEqual(total, 1_567_298_545)
        var counts = [Int](repeating: 0, count: 10)
        for l in d.labels { counts[Int(l)] += 1 }
        XCTAssertEqual(counts, [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949])
        XCTAssertEqual(d.classCount, 10)
        XCTAssertThrowsError(try d.checkExampleShape([3, 32, 32])) { error in
            XCTAssertEqual("\(error)", mnistFolder.appendingPathComponent("train-images-idx3-ubyte.gz").path
                           + ": example shape [28, 28] (784 elements) does not match the expected shape [3, 32, 32] (3072 elements)")
        }
    }

    func testSyntheticFilesAndTypes() throws {
        let t = TempDir()
        let images = t.write("x.idx", idxFile(type: 0x08, dims: [3, 2, 2], payload: Array(0..<12)))
        let labels = t.write("y.idx", idxFile(type: 0x08, dims: [3], payload: [2, 0, 1]))
        let d = try Dataset.loadIDX(images: images, labels: labels)
        XCTAssertEqual(d.exampleShape, [2, 2])
        XCTAssertEqual(d.element(2, 3), 11)
        // float32 and int32 element types are decoded big-endian and converted.
        let floats: [Float] = [1.5, -2, 0.25]
        let fpay = floats.flatMap { f -> [UInt8] in let b = f.bitPattern; return [UInt8(b >> 24), UInt8(b >> 16 & 0xFF), UInt8(b >> 8 & 0xFF), UInt8(b & 0xFF)] }
        let fx = t.write("f.idx", idxFile(type: 0x0D, dims: [3, 1], payload: fpay))
        let iy = t.write("i.idx", idxFile(type: 0x0C, dims: [3], payload: [0, 0, 0, 7, 0, 0, 1, 0, 0, 0, 0, 0]))
        let e = try Dataset.loadIDX(images: fx, labels: iy)
        XCTAssertEqual((0..<3).map { e.element($0, 0) }, floats)
        XCTAssertEqual(Array(e.labels), [7, 256, 0])
    }

    func testErrorsNameTheFile() {
        let t = TempDir()
        let good = t.write("y.idx", idxFile(type: 0x08, dims: [3], payload: [1, 2, 3]))
        let short = t.write("short.idx", Array(idxFile(type: 0x08, dims: [3, 2, 2], payload: Array(0..<12)).prefix(20)))
        XCTAssertThrowsError(try Dataset.loadIDX(images: short, labels: good)) {
            XCTAssertEqual($0 as? DataError, .truncated(path: short, expected: 28, found: 20))
            XCTAssertEqual("\($0)", "\(short): file is truncated: expected 28 bytes, found 20")
        }
        let magic = t.write("magic.idx", [1, 2, 3, 4, 5])
        XCTAssertThrowsError(try Dataset.loadIDX(images: magic, labels: good)) {
            XCTAssertEqual($0 as? DataError, .badMagic(path: magic, format: "IDX", found: "01 02 03 04"))
        }
        let four = t.write("x4.idx", idxFile(type: 0x08, dims: [4, 2], payload: Array(0..<8)))
        XCTAssertThrowsError(try Dataset.loadIDX(images: four, labels: good)) {
            XCTAssertEqual("\($0)", "\(good): 3 labels for 4 examples in \(four)")
        }
        XCTAssertThrowsError(try Dataset.loadIDX(images: t.path("absent.idx"), labels: good)) {
            XCTAssertEqual("\($0)", "\(t.path("absent.idx")): file not found")
        }
        let three = t.write("x3.idx", idxFile(type: 0x08, dims: [3, 5], payload: Array(0..<15)))
        XCTAssertThrowsError(try Dataset.loadIDX(images: three, labels: good, expectedShape: [784])) {
            XCTAssertEqual($0 as? DataError, .shapeMismatch(path: three, expected: [784], found: [5]))
        }
        // A truncated gzip of a real MNIST file.
        let gz = try! Data(contentsOf: mnistFolder.appendingPathComponent("t10k-labels-idx1-ubyte.gz"))
        let cut = t.write("cut.gz", Array(gz.prefix(gz.count / 2)))
        XCTAssertThrowsError(try IDX.read(cut)) {
            guard case .truncatedStream(path: cut, decoded: _)? = $0 as? DataError else { return XCTFail("\($0)") }
        }
    }
}
