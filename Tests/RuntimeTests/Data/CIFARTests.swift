@testable import Runtime
import TestSupport
import XCTest

/// The CIFAR binary reader on small generated files (the real sets are not bundled).
final class CIFARTests: XCTestCase {
    func testCIFAR10RecordsAreChannelsFirstImagesWithTheirLabels() throws {
        let dir = TempDir()
        let a = dir.write("data_batch_1.bin", [3, 9].flatMap { cifarRecord([$0]) })
        let b = dir.write("data_batch_2.bin", cifarRecord([0]))
        let d = try Dataset.loadCIFAR([a, b], variant: .cifar10)
        XCTAssertEqual(d.count, 3)
        XCTAssertEqual(d.exampleShape, [3, 32, 32])
        XCTAssertEqual(Array(d.labels), [3, 9, 0])
        // Example 1 (label 9): red (0, 0, 0), green (1, 2, 5), blue (2, 31, 31).
        XCTAssertEqual(d.element(1, 0), Float(9 * 7 % 256))
        XCTAssertEqual(d.element(1, 1024 + 2 * 32 + 5), Float((9 * 7 + 31 + 6 + 5) % 256))
        XCTAssertEqual(d.element(1, 2048 + 31 * 32 + 31), Float((9 * 7 + 62 + 93 + 31) % 256))
        XCTAssertEqual(d.element(2, 0), 0)
        XCTAssertEqual(CIFAR.Variant.cifar10.files(test: false).count, 5)
    }

    func testCIFAR100UsesTheFineLabel() throws {
        let dir = TempDir()
        let path = dir.write("train.bin", cifarRecord([4, 57]) + cifarRecord([19, 99]))
        let d = try Dataset.loadCIFAR([path], variant: .cifar100)
        XCTAssertEqual(Array(d.labels), [57, 99])
        XCTAssertEqual(d.element(0, 0), Float(57 * 7 % 256))
    }

    func testTruncatedFilesAndBadLabelsNameTheFile() {
        let dir = TempDir()
        let short = dir.write("data_batch_1.bin", Array(cifarRecord([1]).dropLast()))
        XCTAssertThrowsError(try Dataset.loadCIFAR([short], variant: .cifar10)) { error in
            XCTAssertEqual("\(error)".contains(short), true, "\(error)")
            XCTAssertEqual("\(error)".contains("3072 bytes is not a whole number of cifar10 records of 3073 bytes"), true, "\(error)")
        }
        let bad = dir.write("test_batch.bin", cifarRecord([0]) + cifarRecord([10]))
        XCTAssertThrowsError(try Dataset.loadCIFAR([bad], variant: .cifar10)) { error in
            XCTAssertEqual(error as? DataError, .invalidLabel(path: bad, index: 1, value: "10 (cifar10 has 10 classes)"))
        }
        // A CIFAR-100 file read as CIFAR-10 has the wrong record size.
        let hundred = dir.write("train.bin", cifarRecord([1, 2]))
        XCTAssertThrowsError(try Dataset.loadCIFAR([hundred], variant: .cifar10))
    }
}
