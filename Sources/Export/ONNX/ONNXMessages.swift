// The subset of ONNX's messages Regula writes. Field numbers are pinned to the official
// `onnx/onnx.proto` (github.com/onnx/onnx, commit f7546912001bc31e92a238b17068a21b373d882e,
// `syntax = "proto2"`); each field cites its declaration. proto2 repeated scalars without
// `[packed = true]` (dims, attribute ints/floats) are written unpacked, one tag per element.

import Runtime

/// `message ModelProto`.
public struct ONNXModel: ProtoMessage {
    public var irVersion: Int64
    public var opsetImports: [ONNXOpset]
    public var producerName: String
    public var producerVersion: String
    public var docString: String?
    public var graph: ONNXGraph
    public var metadata: [(key: String, value: String)]

    public func encode(to w: inout ProtoWriter) {
        w.int64(1, irVersion)                                       // optional int64 ir_version = 1
        w.string(2, producerName)                                   // optional string producer_name = 2
        w.string(3, producerVersion)                                // optional string producer_version = 3
        if let d = docString { w.string(6, d) }                     // optional string doc_string = 6
        w.message(7, graph)                                         // optional GraphProto graph = 7
        for o in opsetImports { w.message(8, o) }                   // repeated OperatorSetIdProto opset_import = 8
        for m in metadata {                                         // repeated StringStringEntryProto metadata_props = 14
            w.message(14, ONNXEntry(key: m.key, value: m.value))
        }
    }
}

/// `message OperatorSetIdProto`.
public struct ONNXOpset: ProtoMessage {
    /// Empty for the default domain `ai.onnx`.
    public var domain: String = ""
    public var version: Int64
    public func encode(to w: inout ProtoWriter) {
        w.string(1, domain)                                         // optional string domain = 1
        w.int64(2, version)                                         // optional int64 version = 2
    }
}

/// `message StringStringEntryProto`.
public struct ONNXEntry: ProtoMessage {
    public var key: String
    public var value: String
    public func encode(to w: inout ProtoWriter) {
        w.string(1, key)                                            // optional string key = 1
        w.string(2, value)                                          // optional string value = 2
    }
}

/// `message GraphProto`.
public struct ONNXGraph: ProtoMessage {
    public var name: String
    public var nodes: [ONNXNode] = []
    public var initializers: [ONNXTensor] = []
    public var inputs: [ONNXValueInfo] = []
    public var outputs: [ONNXValueInfo] = []
    public func encode(to w: inout ProtoWriter) {
        for n in nodes { w.message(1, n) }                          // repeated NodeProto node = 1
        w.string(2, name)                                           // optional string name = 2
        for t in initializers { w.message(5, t) }                   // repeated TensorProto initializer = 5
        for i in inputs { w.message(11, i) }                        // repeated ValueInfoProto input = 11
        for o in outputs { w.message(12, o) }                       // repeated ValueInfoProto output = 12
    }
}

/// `message NodeProto` (default domain only).
public struct ONNXNode: ProtoMessage {
    public var opType: String
    public var inputs: [String]
    public var outputs: [String]
    public var name: String
    public var attributes: [ONNXAttribute] = []
    public var docString: String?
    public func encode(to w: inout ProtoWriter) {
        for i in inputs { w.string(1, i) }                          // repeated string input = 1
        for o in outputs { w.string(2, o) }                         // repeated string output = 2
        w.string(3, name)                                           // optional string name = 3
        w.string(4, opType)                                         // optional string op_type = 4
        for a in attributes { w.message(5, a) }                     // repeated AttributeProto attribute = 5
        if let d = docString { w.string(6, d) }                     // optional string doc_string = 6
    }
}

/// `message AttributeProto`, the value kinds Regula needs.
public struct ONNXAttribute: ProtoMessage {
    public enum Value {
        case float(Float), int(Int64), string(String), floats([Float]), ints([Int64])
    }
    public var name: String
    public var value: Value

    public init(_ name: String, _ value: Value) {
        self.name = name
        self.value = value
    }
    public static func int(_ name: String, _ v: Int) -> ONNXAttribute { ONNXAttribute(name, .int(Int64(v))) }
    public static func ints(_ name: String, _ v: [Int]) -> ONNXAttribute { ONNXAttribute(name, .ints(v.map(Int64.init))) }
    public static func float(_ name: String, _ v: Double) -> ONNXAttribute { ONNXAttribute(name, .float(Float(v))) }

    public func encode(to w: inout ProtoWriter) {
        w.string(1, name)                                           // optional string name = 1
        switch value {                                              // optional AttributeType type = 20
        case .float(let f):
            w.float(2, f)                                           // optional float f = 2
            w.int64(20, 1)                                          // FLOAT = 1
        case .int(let i):
            w.int64(3, i)                                           // optional int64 i = 3
            w.int64(20, 2)                                          // INT = 2
        case .string(let s):
            w.string(4, s)                                          // optional bytes s = 4
            w.int64(20, 3)                                          // STRING = 3
        case .floats(let fs):
            for f in fs { w.float(7, f) }                           // repeated float floats = 7
            w.int64(20, 6)                                          // FLOATS = 6
        case .ints(let values):
            for i in values { w.int64(8, i) }                          // repeated int64 ints = 8
            w.int64(20, 7)                                          // INTS = 7
        }
    }
}

/// `TensorProto.DataType`, the element types Regula writes.
public enum ONNXDataType: Int64 {
    case float = 1                                                  // FLOAT = 1
    case int32 = 6                                                  // INT32 = 6
    case int64 = 7                                                  // INT64 = 7
}

/// `message TensorProto` with its payload in `raw_data` (little-endian, row-major).
public struct ONNXTensor: ProtoMessage {
    public var name: String
    public var dims: [Int]
    public var dataType: ONNXDataType
    public var rawData: [UInt8]

    public static func float(_ name: String, dims: [Int], _ values: [Float]) -> ONNXTensor {
        precondition(values.count == dims.reduce(1, *), "tensor \(name): \(values.count) values for dims \(dims)")
        var raw: [UInt8] = []
        raw.reserveCapacity(values.count * 4)
        for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { raw.append(contentsOf: $0) } }
        return ONNXTensor(name: name, dims: dims, dataType: .float, rawData: raw)
    }

    public static func int64(_ name: String, dims: [Int], _ values: [Int64]) -> ONNXTensor {
        precondition(values.count == dims.reduce(1, *), "tensor \(name): \(values.count) values for dims \(dims)")
        var raw: [UInt8] = []
        for v in values { withUnsafeBytes(of: v.littleEndian) { raw.append(contentsOf: $0) } }
        return ONNXTensor(name: name, dims: dims, dataType: .int64, rawData: raw)
    }

    public func encode(to w: inout ProtoWriter) {
        for d in dims { w.int64(1, Int64(d)) }                      // repeated int64 dims = 1
        w.int64(2, dataType.rawValue)                               // optional int32 data_type = 2
        w.string(8, name)                                           // optional string name = 8
        w.bytes(9, rawData)                                         // optional bytes raw_data = 9
    }
}

/// One dimension of a `TensorShapeProto`: a size or a symbol (`N`, the batch).
public enum ONNXDim: Hashable {
    case value(Int)
    case param(String)
}

/// `message ValueInfoProto` of a tensor: `TypeProto { Tensor tensor_type }` with its shape.
public struct ONNXValueInfo: ProtoMessage {
    public var name: String
    public var elemType: ONNXDataType
    public var shape: [ONNXDim]
    public var docString: String?

    public func encode(to w: inout ProtoWriter) {
        w.string(1, name)                                           // optional string name = 1
        w.message(2) { type in                                      // optional TypeProto type = 2
            type.message(1) { tensor in                             // TypeProto: Tensor tensor_type = 1
                tensor.int64(1, elemType.rawValue)                  // Tensor: optional int32 elem_type = 1
                tensor.message(2) { shape in                        // Tensor: optional TensorShapeProto shape = 2
                    for d in self.shape {
                        shape.message(1) { dim in                   // TensorShapeProto: repeated Dimension dim = 1
                            switch d {
                            case .value(let v): dim.int64(1, Int64(v))  // Dimension: int64 dim_value = 1
                            case .param(let p): dim.string(2, p)        // Dimension: string dim_param = 2
                            }
                        }
                    }
                }
            }
        }
        if let d = docString { w.string(3, d) }                     // optional string doc_string = 3
    }
}
