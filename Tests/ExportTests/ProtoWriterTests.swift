@testable import Export
import Runtime
import XCTest

/// The wire format, byte for byte: the primitives against the protobuf documentation's examples,
/// the ONNX messages against the bytes of the official Python package (onnx 1.23.2's
/// `SerializeToString()` for the same messages, recorded once; the script is in each test).
final class ProtoWriterTests: XCTestCase {
    private func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    private func written(_ build: (inout ProtoWriter) -> Void) -> String {
        var w = ProtoWriter()
        build(&w)
        return hex(w.bytes)
    }

    func testVarints() {
        XCTAssertEqual(written { $0.varint(0) }, "00")
        XCTAssertEqual(written { $0.varint(1) }, "01")
        XCTAssertEqual(written { $0.varint(127) }, "7f")
        XCTAssertEqual(written { $0.varint(300) }, "ac02")                     // protobuf docs: 150 → 96 01, 300 → ac 02
        XCTAssertEqual(written { $0.varint(UInt64.max) }, "ffffffffffffffffff01")
        XCTAssertEqual(written { $0.int64(1, 150) }, "089601")                 // the docs' "Test1.a = 150"
        XCTAssertEqual(written { $0.int64(1, -1) }, "08ffffffffffffffffff01")  // negative int64: ten bytes
    }

    func testFixedWidthAndLengthDelimited() {
        XCTAssertEqual(written { $0.float(2, 1.0) }, "150000803f")
        XCTAssertEqual(written { $0.double(1, 1.0) }, "09000000000000f03f")
        XCTAssertEqual(written { $0.fixed32(0x0102_0304) }, "04030201")
        XCTAssertEqual(written { $0.fixed64(0x0102_0304_0506_0708) }, "0807060504030201")
        XCTAssertEqual(written { $0.string(2, "testing") }, "120774657374696e67")  // the docs' "Test2.b"
        XCTAssertEqual(written { $0.message(3) { $0.int64(1, 150) } }, "1a03089601")  // the docs' "Test3.c"
        XCTAssertEqual(written { $0.tag(16, .varint) }, "8001")                // field numbers ≥ 16 take two bytes
    }

    func testPacked() {
        XCTAssertEqual(written { $0.packedInt64(4, [3, 270, 86942]) }, "2206038e029ea705")  // the docs' packed example
        XCTAssertEqual(written { $0.packedFloat(4, [1, -2.5]) }, "22080000803f000020c0")
    }

    // helper.make_node("Conv", ["x", "w"], ["y"], name="0/Conv_1", kernel_shape=[3, 3], group=1, epsilon=1e-5)
    // (make_node sorts attributes by name)
    func testNodeMatchesTheONNXPackage() {
        let node = ONNXNode(opType: "Conv", inputs: ["x", "w"], outputs: ["y"], name: "0/Conv_1",
                            attributes: [.float("epsilon", 1e-5), .int("group", 1), .ints("kernel_shape", [3, 3])])
        XCTAssertEqual(hex(node.serialized),
                       "0a01780a01771201791a08302f436f6e765f312204436f6e762a110a07657073696c6f6e15acc52737a001012a0c0a0567726f"
                       + "75701801a001022a150a0c6b65726e656c5f736861706540034003a00107")
    }

    // helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 3])
    func testValueInfoWithSymbolicBatch() {
        let info = ONNXValueInfo(name: "input", elemType: .float, shape: [.param("N"), .value(3)])
        XCTAssertEqual(hex(info.serialized), "0a05696e707574120f0a0d080112090a0312014e0a020803")
    }

    // helper.make_tensor("0.bias", TensorProto.FLOAT, [2], np.array([1.0, -2.5], np.float32).tobytes(), raw=True)
    func testTensorRawDataIsLittleEndian() {
        XCTAssertEqual(hex(ONNXTensor.float("0.bias", dims: [2], [1.0, -2.5]).serialized), "080210014206302e626961734a080000803f000020c0")
        XCTAssertEqual(hex(ONNXTensor.int64("s", dims: [1], [-1]).serialized), "080110074201734a08ffffffffffffffff")
    }

    // g = helper.make_graph([helper.make_node("Relu", ["input"], ["logits"], name="Relu_1")], "tiny",
    //         [make_tensor_value_info("input", FLOAT, ["N", 3])], [make_tensor_value_info("logits", FLOAT, ["N", 3])])
    // m = helper.make_model(g, producer_name="regula", producer_version="0.1.0",
    //         opset_imports=[helper.make_opsetid("", 17)], ir_version=8)
    // helper.set_model_props(m, {"model_name": "tiny"})
    func testTinyModelMatchesTheONNXPackage() {
        let graph = ONNXGraph(name: "tiny", nodes: [ONNXNode(opType: "Relu", inputs: ["input"], outputs: ["logits"], name: "Relu_1")],
                              inputs: [ONNXValueInfo(name: "input", elemType: .float, shape: [.param("N"), .value(3)])],
                              outputs: [ONNXValueInfo(name: "logits", elemType: .float, shape: [.param("N"), .value(3)])])
        let model = ONNXModel(irVersion: 8, opsetImports: [ONNXOpset(version: 17)], producerName: "regula", producerVersion: "0.1.0",
                              graph: graph, metadata: [("model_name", "tiny")])
        XCTAssertEqual(hex(model.serialized),
                       "08081206726567756c611a05302e312e303a5a0a1d0a05696e70757412066c6f676974731a0652656c755f31220452656c75120474"
                       + "696e795a180a05696e707574120f0a0d080112090a0312014e0a02080362190a066c6f67697473120f0a0d080112090a031201"
                       + "4e0a02080342040a00101172120a0a6d6f64656c5f6e616d65120474696e79")
    }
}
