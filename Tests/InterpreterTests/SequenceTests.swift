import XCTest
import Foundation
import IR
import Runtime
@testable import Interpreter

/// Embedding, LSTM/GRU and attention in the whole executor: gradients against central finite
/// differences of the reported objective (with dropout, variational dropout and zoneout on, the
/// step is fixed so forward and backward must regenerate the same masks for the check to pass),
/// eval semantics against a float64 reference, thread-count determinism, token inputs from NPY.
final class SequenceTests: XCTestCase {
    /// Finite-difference check of every trainable tensor (a few entries each). `tokens` gives
    /// int32 inputs ids in 0..<tokens instead of normal floats.
    func gradientCheck(_ spec: String, batch: Int, tokens: Int? = nil, threads: Int = 1,
                       file: StaticString = #filePath, line: UInt = #line) throws {
        let model = try checkSpec(spec)
        let session = try Session(model: model, seed: 5, batchSize: batch, threads: threads)
        let e = try session.trainingExecutor()
        let inputCount = model.input.shape.compactMap(\.value).reduce(1, *)
        let classes = model.nodes[model.output].shape.last?.value ?? 1
        var g = RandomGenerator(seed: 21)
        let x = (0..<(batch * inputCount)).map { _ in tokens.map { Float(g.nextInt(below: UInt32($0))) } ?? Float(g.nextNormal()) }
        let labels = (0..<batch).map { _ in Int32(g.nextInt(below: UInt32(classes))) }
        func loss() -> Double {
            let labelBuffer = e.labelInput!
            for (k, v) in x.enumerated() { e.dataInput[k] = v }
            for (k, v) in labels.enumerated() { labelBuffer[k] = v }
            e.run(batch: batch, step: 7)
            return e.scalar(.loss) ?? .nan
        }
        _ = loss()
        var checked = 0
        for (info, t) in session.store.trainable {
            let grad = Array(UnsafeBufferPointer(start: try XCTUnwrap(e.gradient(info.name)), count: t.count))
            var picks = Set((0..<5).map { ($0 * 7919 + 13) % t.count })
            if let k = grad.indices.max(by: { abs(grad[$0]) < abs(grad[$1]) }) { picks.insert(k) }
            for k in picks {
                let old = t.data[k], h: Float = 2e-3
                t.data[k] = old + h; let up = loss()
                t.data[k] = old - h; let down = loss()
                t.data[k] = old
                let numeric = (up - down) / Double(2 * h)
                XCTAssertEqual(Double(grad[k]), numeric, accuracy: 2e-3 + 0.03 * abs(numeric),
                               "\(info.name)[\(k)]", file: file, line: line)
                checked += 1
            }
        }
        XCTAssertGreaterThan(checked, 8, file: file, line: line)
    }

    func testEmbeddingLSTMDenseGradients() throws {
        try gradientCheck("""
        regula: 1
        model: s1
        input: {shape: [5], dtype: int32}
        layers:
          - embedding: {vocab: 7, dim: 4}
          - lstm: 6
          - dense: 3
        loss: cross_entropy
        train: {optimizer: {kind: sgd, lr: 0.1}, batch_size: 4}
        """, batch: 4, tokens: 7)
    }

    func testBidirectionalGRUSequenceGradients() throws {
        try gradientCheck("""
        regula: 1
        model: s2
        input: [4, 3]
        layers:
          - gru: {units: 5, bidirectional: true, return_sequences: true}
          - gru: {units: 4, bidirectional: true}
          - dense: 3
        loss: cross_entropy
        train: {optimizer: {kind: sgd, lr: 0.1}, batch_size: 3}
        """, batch: 3)
    }

    /// Variational input and recurrent dropout and zoneout, bidirectional, on two threads.
    func testRegularizedBidirectionalLSTMGradients() throws {
        try gradientCheck("""
        regula: 1
        model: s3
        input: [5, 3]
        layers:
          - lstm: {units: 6, bidirectional: true, return_sequences: true, dropout: 0.3, recurrent_dropout: 0.3, zoneout: 0.2}
          - flatten
          - dense: 3
        loss: cross_entropy
        train: {optimizer: {kind: sgd, lr: 0.1}, batch_size: 5}
        """, batch: 5, threads: 2)
    }

    /// GRU with variational input and recurrent dropout and zoneout, bidirectional, last state.
    func testRegularizedBidirectionalGRUGradients() throws {
        try gradientCheck("""
        regula: 1
        model: s5
        input: [5, 3]
        layers:
          - gru: {units: 6, bidirectional: true, dropout: 0.3, recurrent_dropout: 0.3, zoneout: 0.2}
          - dense: 3
        loss: cross_entropy
        train: {optimizer: {kind: sgd, lr: 0.1}, batch_size: 5}
        """, batch: 5, threads: 2)
    }

    static let attentionSpec = """
    regula: 1
    model: s4
    input: [5, 8]
    layers:
      - dense: {units: 8, name: embed}
      - attention: {heads: 2, dropout: DROP, causal: CAUSAL, name: att}
      - add: {from: [embed, att]}
      - layernorm: {name: ln}
      - dense: {units: 8, activation: gelu, name: mlp}
      - add: {from: [ln, mlp]}
      - layernorm
      - flatten
      - dense: 3
    loss: cross_entropy
    train: {optimizer: {kind: sgd, lr: 0.1}, batch_size: 4}
    """

    func attention(dropout: Double, causal: Bool) -> String {
        Self.attentionSpec.replacingOccurrences(of: "DROP", with: "\(dropout)").replacingOccurrences(of: "CAUSAL", with: "\(causal)")
    }

    func testAttentionLayerNormResidualGradients() throws {
        try gradientCheck(attention(dropout: 0, causal: false), batch: 4)
        try gradientCheck(attention(dropout: 0, causal: true), batch: 4)
    }

    /// With dropout on the attention weights the check passes only if backward uses the
    /// forward's mask.
    func testAttentionDropoutGradients() throws {
        try gradientCheck(attention(dropout: 0.3, causal: false), batch: 4, threads: 2)
    }
}
