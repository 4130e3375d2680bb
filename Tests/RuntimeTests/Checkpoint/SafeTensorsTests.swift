import Foundation
import XCTest
@testable import Runtime

/// safetensors against files hand-written in Python with `struct` + `json` (the layout of
/// https://github.com/huggingface/safetensors; script: 8-byte `<Q` header length, compact or spaced
/// JSON header padded with spaces to 8-byte alignment, little-endian tensor bytes), tensors:
/// `fc1.weight = (arange(6).reshape(2,3) − 2.5)/4` F32, `fc1.bias = [0.5, −1.25]` F32,
/// `bn.num_batches_tracked = 7` I64 scalar, `step = [1, −2, 3]` I64.
final class SafeTensorsTests: XCTestCase {
    var tensors: [String: SafeTensor] {
        ["fc1.weight": SafeTensor(floats: (0..<6).map { (Float($0) - 2.5) / 4 }, shape: [2, 3]),
         "fc1.bias": SafeTensor(floats: [0.5, -1.25], shape: [2]),
         "bn.num_batches_tracked": SafeTensor(int64s: [7], shape: []),
         "step": SafeTensor(int64s: [1, -2, 3], shape: [3])]
    }

    func testReadsAForeignLayout() throws {
        let (t, meta) = try SafeTensors.decode(Array(Data(base64Encoded: SafeTensorsFixtures.foreign)!))
        XCTAssertEqual(meta, ["format": "pt"])
        XCTAssertEqual(t, tensors)
        XCTAssertEqual(t["fc1.weight"]?.floats, [-0.625, -0.375, -0.125, 0.125, 0.375, 0.625])
        XCTAssertEqual(t["step"]?.int64s, [1, -2, 3])
        XCTAssertEqual(t["bn.num_batches_tracked"]?.shape, [])
        XCTAssertNil(t["step"]?.floats)
    }

    func testWritesTheCanonicalBytes() {
        let bytes = SafeTensors.encode(tensors, metadata: ["format": "pt", "epoch": "3"])
        XCTAssertEqual(bytes, Array(Data(base64Encoded: SafeTensorsFixtures.canonical)!))
        let headerLength = Int(bytes[0]) | Int(bytes[1]) << 8
        XCTAssertEqual((8 + headerLength) % 8, 0)
    }

    func testAtomicRoundTripAndReplace() throws {
        let dir = TempDir()
        let path = dir.path("model.safetensors")
        try SafeTensors.write(tensors, metadata: ["note": "quote \" backslash \\ tab \t"], to: path)
        var (t, meta) = try SafeTensors.read(path)
        XCTAssertEqual(t, tensors)
        XCTAssertEqual(meta["note"], "quote \" backslash \\ tab \t")
        var w = [Float](repeating: 0, count: 6)
        t["fc1.weight"]?.copyFloats(to: &w)
        XCTAssertEqual(w, tensors["fc1.weight"]?.floats)
        // Replacing leaves exactly one file and no temporaries behind.
        try SafeTensors.write(["x": SafeTensor(floats: [1], shape: [1])], to: path)
        (t, meta) = try SafeTensors.read(path)
        XCTAssertEqual(Array(t.keys), ["x"])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.url.path), ["model.safetensors"])
        XCTAssertThrowsError(try SafeTensors.write(tensors, to: dir.path("missing/dir/m.safetensors"))) {
            guard case .io? = $0 as? CheckpointError else { return XCTFail("\($0)") }
        }
        XCTAssertThrowsError(try SafeTensors.read(dir.path("none.safetensors"))) {
            XCTAssertEqual("\($0)", dir.path("none.safetensors") + ": file not found")
        }
    }

    func testRejectsInvalidFiles() {
        let good = SafeTensors.encode(tensors)
        func fails(_ b: [UInt8], _ fragment: String, line: UInt = #line) {
            XCTAssertThrowsError(try SafeTensors.decode(b, path: "m.st"), line: line) {
                XCTAssertTrue("\($0)".hasPrefix("m.st: not a valid safetensors file: ") && "\($0)".contains(fragment), "\($0)", line: line)
            }
        }
        fails([1, 2, 3], "shorter than the 8-byte header length")
        fails(Array(good.prefix(40)), "exceeds the file size")
        fails(Array(good.dropLast(4)), "tensors cover")
        fails(good + [0], "tensors cover")
        func withHeader(_ json: String, data: Int) -> [UInt8] {
            let h = Array(json.utf8)
            return (0..<8).map { UInt8(truncatingIfNeeded: h.count >> (8 * $0)) } + h + [UInt8](repeating: 0, count: data)
        }
        fails(withHeader("[1]", data: 0), "not a JSON object")
        fails(withHeader(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}"#, data: 4), "needs 8 bytes")
        fails(withHeader(#"{"a":{"dtype":"Q8","shape":[1],"data_offsets":[0,1]}}"#, data: 1), "unknown dtype Q8")
        fails(withHeader(#"{"a":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}}"#, data: 2), "starts at 1, expected 0")
        fails(withHeader(#"{"a":{"dtype":"U8","shape":[1]}}"#, data: 1), "needs dtype, shape and data_offsets")
        fails(withHeader(#"{"__metadata__":{"k":1}}"#, data: 0), "is not a string")
    }
}
