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

    func testEmbeddingLSTMDenseGradients() throws {
        try checkGradients("""
        regula: 1
        model: s1
        input: {shape: [5], dtype: int32}
        layers:
          - embedding: {vocab: 7, dim: 4}
          - lstm: 6
          - dense: 3
        loss: cross_entropy
        train: {optimizer: {kind: sgd, lr: 0.1}, batch_size: 4}
        """, batch: 4, tokens: 7, probe: .sequence)
    }

    func testBidirectionalGRUSequenceGradients() throws {
        try checkGradients("""
        regula: 1
        model: s2
        input: [4, 3]
        layers:
          - gru: {units: 5, bidirectional: true, return_sequences: true}
          - gru: {units: 4, bidirectional: true}
          - dense: 3
        loss: cross_entropy
        train: {optimizer: {kind: sgd, lr: 0.1}, batch_size: 3}
        """, batch: 3, probe: .sequence)
    }

    /// Variational input and recurrent dropout and zoneout, bidirectional, on two threads.
    func testRegularizedBidirectionalLSTMGradients() throws {
        try checkGradients("""
        regula: 1
        model: s3
        input: [5, 3]
        layers:
          - lstm: {units: 6, bidirectional: true, return_sequences: true, dropout: 0.3, recurrent_dropout: 0.3, zoneout: 0.2}
          - flatten
          - dense: 3
        loss: cross_entropy
        train: {optimizer: {kind: sgd, lr: 0.1}, batch_size: 5}
        """, batch: 5, threads: 2, probe: .sequence)
    }

    /// GRU with variational input and recurrent dropout and zoneout, bidirectional, last state.
    func testRegularizedBidirectionalGRUGradients() throws {
        try checkGradients("""
        regula: 1
        model: s5
        input: [5, 3]
        layers:
          - gru: {units: 6, bidirectional: true, dropout: 0.3, recurrent_dropout: 0.3, zoneout: 0.2}
          - dense: 3
        loss: cross_entropy
        train: {optimizer: {kind: sgd, lr: 0.1}, batch_size: 5}
        """, batch: 5, threads: 2, probe: .sequence)
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
        try checkGradients(attention(dropout: 0, causal: false), batch: 4, probe: .sequence)
        try checkGradients(attention(dropout: 0, causal: true), batch: 4, probe: .sequence)
    }

    /// With dropout on the attention weights the check passes only if backward uses the
    /// forward's mask.
    func testAttentionDropoutGradients() throws {
        try checkGradients(attention(dropout: 0.3, causal: false), batch: 4, threads: 2, probe: .sequence)
    }
}

extension GradientProbe {
    /// Sequence models: a smaller step and tolerance, and the largest gradient entry always probed.
    static let sequence = GradientProbe(seed: 5, dataSeed: 21, step: 7, entries: 5, includeLargest: true,
                                        h: 2e-3, absolute: 2e-3, atLeast: 8)
}
