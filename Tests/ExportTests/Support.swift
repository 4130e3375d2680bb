import Check
import Driver
import Foundation
import XCTest

let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

/// The `.yaml` specs of `specs/` (each `.regula` twin is the same model), as paths.
func goodSpecs() throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: repoRoot + "/specs").filter { $0.hasSuffix(".yaml") }.sorted()
        .map { repoRoot + "/specs/" + $0 }
}

/// Specs for the rules no spec in `specs/` reaches: average pooling with padding, leaky_relu,
/// elu, tanh, gelu, silu, softmax and log_softmax layers, identity, concat along channels, a
/// batchnorm that cannot fold (after concat), nearest upsampling, layernorm; and a sequence spec
/// for a dense over a sequence, causal attention, a bidirectional GRU returning its sequence and
/// a unidirectional LSTM with recurrent dropout.
func writeExtraSpecs(in directory: String) throws -> [String] {
    let path = directory + "/export_ops.yaml", sequences = directory + "/export_sequences.yaml"
    try """
    regula: 1
    model: export_sequences
    input: [28, 28]
    layers:
      - dense: {units: 32, activation: tanh}
      - attention: {heads: 4, causal: true}
      - layernorm
      - gru: {units: 16, bidirectional: true, return_sequences: true}
      - lstm: {units: 16, recurrent_dropout: 0.2}
      - dense: 10
    loss: cross_entropy
    train:
      optimizer: {kind: adam, lr: 0.01}
      batch_size: 32
      epochs: 1
    data:
      format: idx
      dir: \(repoRoot)/data/mnist
      normalize: {scale: 255}
    """.write(toFile: sequences, atomically: true, encoding: .utf8)
    try """
    regula: 1
    model: export_ops
    input: [1, 28, 28]
    layers:
      - conv2d: {filters: 4, kernel: 3, stride: 2, padding: 1}
      - leaky_relu
      - avgpool: {size: 3, stride: 2, padding: 1, name: left}
      - conv2d: {filters: 4, kernel: 5, stride: 4, padding: 2, from: input}
      - batchnorm
      - elu: {name: right}
      - concat: {from: [left, right], axis: 0}
      - batchnorm
      - tanh
      - upsample: 2
      - flatten
      - dense: {units: 32, activation: gelu}
      - layernorm
      - dense: {units: 32, activation: silu}
      - softmax
      - dense: {units: 16, activation: log_softmax}
      - identity
      - dense: 10
    loss: cross_entropy
    train:
      optimizer: {kind: sgd, lr: 0.05}
      batch_size: 32
      epochs: 1
    data:
      format: idx
      dir: \(repoRoot)/data/mnist
      normalize: {scale: 255}
    """.write(toFile: path, atomically: true, encoding: .utf8)
    return [path, sequences]
}

func checked(_ path: String, file: StaticString = #filePath, line: UInt = #line) throws -> (CheckedModel, String) {
    let r = try Frontend.run(path: path)
    guard let m = r.model else {
        XCTFail("\(path) does not check: \(r.diagnostics)", file: file, line: line)
        throw XCTSkip("spec does not check")
    }
    return (m, r.source.path)
}
