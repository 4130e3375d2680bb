import XCTest
@testable import Runtime

/// What the loader refuses or converts: layouts, shapes that only match by element count,
/// separate CSV label files, and errors that name the labels file.
final class DataChecksTests: XCTestCase {
    /// Channels-last examples become channels-first, against the obvious index formula.
    func testChannelsFirstPermutesEveryExample() {
        let (h, w, c) = (2, 3, 4)
        let n = 3, e = h * w * c
        let raw = (0..<(n * e)).map { UInt8($0 % 251) }
        let bytes = ByteBuffer(raw)
        let stored = Dataset(inputs: .uint8(bytes, offset: 0), labels: [0, 1, 2], exampleShape: [h, w, c])
        let floats = Dataset(inputs: .float(raw.map(Float.init)), labels: [0, 1, 2], exampleShape: [h, w, c])
        for d in [stored, floats, stored.split(validationFraction: 0.34).validation] {
            let t = d.channelsFirst(storedShape: [h, w, c])
            XCTAssertEqual(t.exampleShape, [c, h, w])
            XCTAssertEqual(Array(t.labels), Array(d.labels))
            for i in 0..<d.count {
                for y in 0..<h { for x in 0..<w { for ch in 0..<c {
                    XCTAssertEqual(t.element(i, (ch * h + y) * w + x), d.element(i, (y * w + x) * c + ch))
                } } }
            }
        }
    }

    func testShapesMustMatchButForUnitAxesOrFlattening() throws {
        func data(_ shape: [Int]) -> Dataset {
            Dataset(inputs: .float([Float](repeating: 0, count: shape.reduce(1, *))), labels: [0], exampleShape: shape, source: "x.npy")
        }
        XCTAssertNoThrow(try data([28, 28]).checkExampleShape([1, 28, 28]))
        XCTAssertNoThrow(try data([784]).checkExampleShape([1, 28, 28]))     // CSV rows
        XCTAssertNoThrow(try data([28, 28]).checkExampleShape([784]))        // flattened input
        XCTAssertThrowsError(try data([28, 28, 3]).checkExampleShape([3, 28, 28])) { e in
            XCTAssertEqual("\(e)", "x.npy: example shape [28, 28, 3] does not match the expected shape [3, 28, 28]")
        }
        XCTAssertThrowsError(try data([28, 28]).checkExampleShape([1, 28, 29])) { e in
            XCTAssertEqual("\(e)", "x.npy: example shape [28, 28] (784 elements) does not match the expected shape [1, 28, 29] (812 elements)")
        }
    }

    func testCSVReadsASeparateLabelsFileAndNamesItInErrors() throws {
        let dir = TempDir()
        let x = dir.write("x.csv", Array("a,b,c\n1,2,3\n4,5,6\n".utf8))
        let y = dir.write("y.csv", Array("label\n2\n0\n".utf8))
        let d = try Dataset.loadCSV(x, labels: y)
        XCTAssertEqual(d.exampleShape, [3])
        XCTAssertEqual(Array(d.labels), [2, 0])
        XCTAssertEqual((0..<3).map { d.element(1, $0) }, [4, 5, 6])
        XCTAssertEqual(d.labelSource, y)
        XCTAssertThrowsError(try d.checkLabels(classes: 2)) { e in
            XCTAssertEqual(e as? DataError, .invalidLabel(path: y, index: 0, value: "2"))
        }
        // Without a labels file the last column is the label.
        let inline = try Dataset.loadCSV(x)
        XCTAssertEqual(inline.exampleShape, [2])
        XCTAssertEqual(Array(inline.labels), [3, 6])
        let short = dir.write("short.csv", Array("1\n".utf8))
        XCTAssertThrowsError(try Dataset.loadCSV(x, labels: short)) { e in
            XCTAssertEqual(e as? DataError, .labelCountMismatch(inputs: x, labels: short, examples: 2, labelCount: 1))
        }
    }

    func testIDXLabelErrorsNameTheLabelsFile() throws {
        let dir = TempDir()
        let images = dir.write("i.idx", idxFile(type: 0x08, dims: [2, 2, 2], payload: [UInt8](repeating: 7, count: 8)))
        let labels = dir.write("l.idx", idxFile(type: 0x08, dims: [2], payload: [1, 9]))
        let d = try Dataset.loadIDX(images: images, labels: labels)
        XCTAssertThrowsError(try d.checkLabels(classes: 5)) { e in
            XCTAssertEqual(e as? DataError, .invalidLabel(path: labels, index: 1, value: "9"))
        }
    }

    func testOneHotTargets() {
        var out = [Float](repeating: 9, count: 6)
        OneHot.encode([2, 0], classes: 3, into: &out)
        XCTAssertEqual(out, [0, 0, 1, 1, 0, 0])
        var binary = [Float](repeating: 9, count: 3)
        OneHot.encode([1, 0, 1], classes: 1, into: &binary)
        XCTAssertEqual(binary, [1, 0, 1])
    }

    /// The labels slot: ids written as int32 by the loader become float rows in place.
    func testOneHotInPlaceAndTokenIDs() {
        var buffer = [Float](repeating: 9, count: 8)
        buffer.withUnsafeMutableBytes { raw in
            let ids = raw.baseAddress!.assumingMemoryBound(to: Int32.self)
            ids[0] = 3; ids[1] = 1
            OneHot.encodeInPlace(raw.baseAddress!, count: 2, classes: 4)
        }
        XCTAssertEqual(buffer, [0, 0, 0, 1, 0, 1, 0, 0])
        var binary = [Float](repeating: 9, count: 3)
        binary.withUnsafeMutableBytes { raw in
            let ids = raw.baseAddress!.assumingMemoryBound(to: Int32.self)
            ids[0] = 1; ids[1] = 0; ids[2] = 1
            OneHot.encodeInPlace(raw.baseAddress!, count: 3, classes: 1)
        }
        XCTAssertEqual(binary, [1, 0, 1])
        var ids = [Int32](repeating: -1, count: 4)
        TokenIDs.convert([0, 255, 7, 42], into: &ids, count: 3)
        XCTAssertEqual(ids, [0, 255, 7, -1])
    }
}
