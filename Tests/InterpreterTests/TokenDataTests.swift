import Training
import XCTest
import Foundation
import Runtime
@testable import Interpreter

/// int32 token inputs: ids stored as NPY `<i4`/`<i8` load into the int32 data input (never
/// normalized), an embedding → LSTM model learns from them, and an id outside the vocabulary is
/// a data error before training starts.
final class TokenDataTests: XCTestCase {
    /// A C-order NPY file of integers with dtype `descr` (`<i4` or `<i8`).
    func writeNPY(_ path: String, _ values: [Int], shape: [Int], descr: String) throws {
        let dims = shape.map(String.init).joined(separator: ", ") + (shape.count == 1 ? "," : "")
        var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': (\(dims)), }"
        while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
        let len = UInt16(header.utf8.count)
        data.append(contentsOf: [UInt8(len & 0xff), UInt8(len >> 8)])
        data.append(contentsOf: Array(header.utf8))
        for v in values {
            if descr == "<i8" { withUnsafeBytes(of: Int64(v).littleEndian) { data.append(contentsOf: $0) } }
            else { withUnsafeBytes(of: Int32(v).littleEndian) { data.append(contentsOf: $0) } }
        }
        try data.write(to: URL(fileURLWithPath: path))
    }

    /// Sequences of 6 ids in 0..<10; the label says whether id 3 occurs (a task needing memory).
    func makeData(_ dir: String, count: Int, descr: String, badID: Bool = false) throws {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var g = RandomGenerator(seed: 17)
        var xs: [Int] = [], ys: [Int] = []
        for _ in 0..<count {
            let seq = (0..<6).map { _ in Int(g.nextInt(below: 10)) }
            xs += seq
            ys.append(seq.contains(3) ? 1 : 0)
        }
        if badID { xs[7] = 10 }
        try writeNPY(dir + "/x.npy", xs, shape: [count, 6], descr: descr)
        try writeNPY(dir + "/y.npy", ys, shape: [count], descr: descr)
    }

    func spec(_ dir: String) -> String {
        """
        regula: 1
        model: tokens
        input: {shape: [6], dtype: int32}
        layers:
          - embedding: {vocab: 10, dim: 8}
          - lstm: {units: 16, dropout: 0.1}
          - dense: 2
        loss: cross_entropy
        train: {optimizer: {kind: adam, lr: 0.01}, batch_size: 16, epochs: 3}
        data:
          format: npy
          train: {inputs: \(dir)/x.npy, labels: \(dir)/y.npy}
          test: {inputs: \(dir)/x.npy, labels: \(dir)/y.npy}
        """
    }

    func testEmbeddingLSTMLearnsFromInt32AndInt64Tokens() throws {
        for descr in ["<i4", "<i8"] {
            let dir = NSTemporaryDirectory() + "regula-tokens-\(getpid())-\(descr.dropFirst())"
            try makeData(dir, count: 800, descr: descr)
            var o = testOptions("tokens")
            o.writeCheckpoints = false
            var losses: [Double] = []
            o.stepCallback = { losses.append($0.loss) }
            let r = try train(model: try checkSpec(spec(dir)), options: o) { _ in }
            XCTAssertEqual(losses.count, 150)
            XCTAssertTrue(losses.allSatisfy(\.isFinite))
            let head = losses.prefix(30).reduce(0, +) / 30, tail = losses.suffix(30).reduce(0, +) / 30
            XCTAssertLessThan(tail, head - 0.2, "loss \(head) → \(tail)")
            XCTAssertGreaterThan(try XCTUnwrap(r.testAccuracy), 0.9)
        }
    }

    func testTokenOutsideVocabularyIsADataError() throws {
        let dir = NSTemporaryDirectory() + "regula-badtokens-\(getpid())"
        try makeData(dir, count: 40, descr: "<i4", badID: true)
        var o = testOptions("badtokens")
        o.writeCheckpoints = false
        XCTAssertThrowsError(try train(model: try checkSpec(spec(dir)), options: o) { _ in }) { error in
            guard case TrainError.data(let message) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(message.contains("example 1 has token id 10.0, outside 0..<10"), message)
        }
    }
}
