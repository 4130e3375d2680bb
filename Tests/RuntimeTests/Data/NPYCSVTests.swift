import Foundation
import XCTest
@testable import Runtime

/// NPY files written by numpy's `np.save` (NPYFixtures.swift), made with:
///
/// ```python
/// a = np.arange(24, dtype=np.float32).reshape(4, 2, 3) * 0.5 - 3
/// f4 = a; f8 = a.astype(np.float64); u1 = (np.arange(24) % 256).astype(np.uint8).reshape(4, 6)
/// i4 = np.array([3, 1, 4, 1], np.int32); i8 = np.array([2, 7, 1, 8], np.int64)
/// fortran = np.asfortranarray(a); f2 = a.astype(np.float16); bigEndian = a.astype('>f4')
/// negLabels = np.array([0, -1, 2, 3], np.int64); scalar = np.float32(1.5)
/// f4v2 = np.lib.format.write_array(buf, a, version=(2, 0))
/// ```
/// and the CSV reader on hand-written files.
final class NPYCSVTests: XCTestCase {
    let t = TempDir()

    func file(_ name: String, _ b64: String) -> String { t.write(name, Array(Data(base64Encoded: b64)!)) }

    func testDTypesAndVersions() throws {
        let expected = (0..<24).map { Double($0) * 0.5 - 3 }
        for (name, b64, dtype) in [("f4", NPYFixtures.f4, NPY.DType.float32), ("f8", NPYFixtures.f8, .float64),
                                   ("f4v2", NPYFixtures.f4v2, .float32)] {
            let a = try NPY.read(file(name + ".npy", b64))
            XCTAssertEqual(a.dtype, dtype)
            XCTAssertEqual(a.shape, [4, 2, 3])
            XCTAssertEqual((0..<24).map { a.value($0) }, expected, name)
        }
        let u = try NPY.read(file("u1.npy", NPYFixtures.u1))
        XCTAssertEqual(u.shape, [4, 6]); XCTAssertEqual(u.value(23), 23)
        XCTAssertEqual((0..<4).map { try! NPY.read(file("i4.npy", NPYFixtures.i4)).value($0) }, [3, 1, 4, 1])
        XCTAssertEqual(try NPY.read(file("s.npy", NPYFixtures.scalar)).shape, [])
    }

    func testDatasetFromNPY() throws {
        let d = try Dataset.loadNPY(inputs: file("x.npy", NPYFixtures.f4), labels: file("y.npy", NPYFixtures.i8),
                                    expectedShape: [6])
        XCTAssertEqual(d.exampleShape, [2, 3])
        XCTAssertEqual(Array(d.labels), [2, 7, 1, 8])
        XCTAssertEqual(d.element(3, 5), 23 * 0.5 - 3)
        let u = try Dataset.loadNPY(inputs: file("u.npy", NPYFixtures.u1), labels: file("l.npy", NPYFixtures.i4))
        guard case .uint8 = u.inputs else { return XCTFail("uint8 NPY inputs must stay uint8") }
    }

    func testNPYErrors() {
        let fortran = file("fortran.npy", NPYFixtures.fortran)
        XCTAssertThrowsError(try NPY.read(fortran)) { XCTAssertTrue("\($0)".hasPrefix("\(fortran): unsupported: Fortran-order"), "\($0)") }
        let half = file("half.npy", NPYFixtures.f2)
        XCTAssertThrowsError(try NPY.read(half)) { XCTAssertEqual("\($0)", "\(half): unsupported: dtype '<f2' (supported: <f4, <f8, |u1, <i4, <i8)") }
        XCTAssertThrowsError(try NPY.read(file("be.npy", NPYFixtures.bigEndian))) { XCTAssertTrue("\($0)".contains("dtype '>f4'"), "\($0)") }
        let raw = Array(Data(base64Encoded: NPYFixtures.f4)!)
        let cut = t.write("cut.npy", Array(raw.dropLast(5)))
        XCTAssertThrowsError(try NPY.read(cut)) { XCTAssertEqual($0 as? DataError, .truncated(path: cut, expected: raw.count, found: raw.count - 5)) }
        let bad = t.write("bad.npy", Array("not numpy at all".utf8))
        XCTAssertThrowsError(try NPY.read(bad)) { XCTAssertTrue("\($0)".contains("not a valid NPY file"), "\($0)") }
        let neg = file("neg.npy", NPYFixtures.negLabels)
        XCTAssertThrowsError(try Dataset.loadNPY(inputs: file("x.npy", NPYFixtures.f4), labels: neg)) {
            XCTAssertEqual($0 as? DataError, .invalidLabel(path: neg, index: 1, value: "-1.0"))
        }
        XCTAssertThrowsError(try Dataset.loadNPY(inputs: file("x.npy", NPYFixtures.f4), labels: file("i.npy", NPYFixtures.f4))) {
            guard case .labelCountMismatch? = $0 as? DataError else { return XCTFail("\($0)") }
        }
    }

    func testCSV() throws {
        let p = t.write("d.csv", Array("a,b,label\r\n1,2,0\n3.5, -4 ,2\n\n5,6,1\n".utf8))
        let d = try Dataset.loadCSV(p)
        XCTAssertEqual(d.count, 3)
        XCTAssertEqual(d.exampleShape, [2])
        XCTAssertEqual(Array(d.labels), [0, 2, 1])
        XCTAssertEqual(d.element(1, 1), -4)
        let q = t.write("first.csv", Array("7,1,2\n8,3,4\n".utf8))
        let e = try Dataset.loadCSV(q, labelColumn: 0, expectedShape: [2])
        XCTAssertEqual(Array(e.labels), [7, 8]); XCTAssertEqual(e.element(1, 0), 3)
        XCTAssertThrowsError(try Dataset.loadCSV(t.write("ragged.csv", Array("1,2,0\n3,0\n".utf8)))) {
            XCTAssertTrue("\($0)".hasSuffix("ragged.csv:2: 2 fields, expected 3 as in the first row"), "\($0)")
        }
        XCTAssertThrowsError(try Dataset.loadCSV(t.write("nan.csv", Array("1,2,0\n3,x,0\n".utf8)))) {
            XCTAssertTrue("\($0)".hasSuffix("nan.csv:2: field 2 is not a number: 'x'"), "\($0)")
        }
        XCTAssertThrowsError(try Dataset.loadCSV(t.write("lab.csv", Array("1,2,0.5\n".utf8)))) {
            guard case .invalidLabel? = $0 as? DataError else { return XCTFail("\($0)") }
        }
        XCTAssertThrowsError(try Dataset.loadCSV(q, expectedShape: [3])) {
            guard case .shapeMismatch? = $0 as? DataError else { return XCTFail("\($0)") }
        }
    }
}
