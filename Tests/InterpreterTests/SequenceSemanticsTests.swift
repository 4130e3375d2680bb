import XCTest
import Foundation
import IR
import Runtime
@testable import Interpreter

/// The executor's glue around the sequence kernels against float64 loops over the session's own
/// weights, in PyTorch's conventions: `nn.MultiheadAttention` (q, k, v rows of `in_proj_weight`
/// in that order, heads as contiguous column blocks, causal mask j > i) and a bidirectional
/// `nn.LSTM` (output [fwd ‖ bwd] per step; the reverse direction reads the sequence backwards).
final class SequenceSemanticsTests: XCTestCase {
    func weights(_ s: Session, _ name: String) throws -> [Double] {
        let t = try XCTUnwrap(s.store.tensor(named: name), "\(name) not in \(s.store.trainable.map(\.info.name))")
        return (0..<t.count).map { Double(t.data[$0]) }
    }

    func evalOutput(_ s: Session, _ x: [Float], batch: Int) throws -> [Float] {
        let e = try s.evaluationExecutor()
        for (k, v) in x.enumerated() { e.dataInput[k] = v }
        e.labelInput?.update(repeating: 0, count: batch)
        e.run(batch: batch, step: 0)
        let out = try XCTUnwrap(e.graph.output(.logits))
        return Array(UnsafeBufferPointer(start: e.pointer(out), count: e.count(out)))
    }

    /// y = W·v + b for a [rows, cols] weight.
    func affine(_ w: [Double], _ b: [Double], _ v: [Double]) -> [Double] {
        let rows = b.count, cols = v.count
        return (0..<rows).map { r in b[r] + (0..<cols).reduce(0) { $0 + w[r * cols + $1] * v[$1] } }
    }

    func testCausalMultiheadAttentionMatchesPyTorchDefinition() throws {
        let (T, D, heads, batch) = (4, 6, 2, 2)
        let s = try Session(model: try checkSpec("""
        regula: 1
        model: a1
        input: [\(T), \(D)]
        layers:
          - attention: {heads: \(heads), causal: true, dropout: 0.2}
          - flatten
          - dense: 3
        loss: cross_entropy
        train: {optimizer: {kind: sgd, lr: 0.1}, batch_size: \(batch)}
        """), seed: 9, batchSize: batch, threads: 2)
        var g = RandomGenerator(seed: 4)
        let x = (0..<(batch * T * D)).map { _ in Float(g.nextNormal()) }
        let got = try evalOutput(s, x, batch: batch)
        let wIn = try weights(s, "0.in_proj_weight"), bIn = try weights(s, "0.in_proj_bias")
        let wOut = try weights(s, "0.out_proj.weight"), bOut = try weights(s, "0.out_proj.bias")
        let wd = try weights(s, "2.weight"), bd = try weights(s, "2.bias")
        let dh = D / heads
        for b in 0..<batch {
            let qkv = (0..<T).map { t in affine(wIn, bIn, (0..<D).map { Double(x[(b * T + t) * D + $0]) }) }
            var ctx = [[Double]](repeating: [Double](repeating: 0, count: D), count: T)
            for h in 0..<heads {
                for i in 0..<T {
                    let scores = (0...i).map { j in
                        (0..<dh).reduce(0.0) { $0 + qkv[i][h * dh + $1] * qkv[j][D + h * dh + $1] } / Double(dh).squareRoot()
                    }
                    let m = scores.max() ?? 0, ex = scores.map { exp($0 - m) }, z = ex.reduce(0, +)
                    for j in 0...i { for c in 0..<dh { ctx[i][h * dh + c] += ex[j] / z * qkv[j][2 * D + h * dh + c] } }
                }
            }
            let y = ctx.flatMap { affine(wOut, bOut, $0) }
            let logits = affine(wd, bd, y)
            for k in 0..<3 { XCTAssertEqual(Double(got[b * 3 + k]), logits[k], accuracy: 1e-4) }
        }
    }

    func testBidirectionalLSTMMatchesTwoReferenceDirections() throws {
        let (T, F, H, batch) = (5, 3, 4, 2)
        let s = try Session(model: try checkSpec("""
        regula: 1
        model: b1
        input: [\(T), \(F)]
        layers:
          - lstm: {units: \(H), bidirectional: true, return_sequences: true}
          - flatten
          - dense: 2
        loss: cross_entropy
        train: {optimizer: {kind: sgd, lr: 0.1}, batch_size: \(batch)}
        """), seed: 6, batchSize: batch, threads: 1)
        var g = RandomGenerator(seed: 5)
        let x = (0..<(batch * T * F)).map { _ in Float(g.nextNormal()) }
        let got = try evalOutput(s, x, batch: batch)
        let shape = RecurrentShape(batch: batch, steps: T, input: F, hidden: H)
        let zeros = [Double](repeating: 0, count: batch * H)
        let xd = x.map(Double.init)
        var reversed = xd
        for b in 0..<batch { for t in 0..<T { for f in 0..<F { reversed[(b * T + t) * F + f] = xd[(b * T + T - 1 - t) * F + f] } } }
        let fwd = RecurrentReference.lstm(shape, x: xd, wIh: try weights(s, "0.weight_ih_l0"), wHh: try weights(s, "0.weight_hh_l0"),
                                          bIh: try weights(s, "0.bias_ih_l0"), bHh: try weights(s, "0.bias_hh_l0"), h0: zeros, c0: zeros).0
        let bwd = RecurrentReference.lstm(shape, x: reversed, wIh: try weights(s, "0.weight_ih_l0_reverse"),
                                          wHh: try weights(s, "0.weight_hh_l0_reverse"), bIh: try weights(s, "0.bias_ih_l0_reverse"),
                                          bHh: try weights(s, "0.bias_hh_l0_reverse"), h0: zeros, c0: zeros).0
        let wd = try weights(s, "2.weight"), bd = try weights(s, "2.bias")
        for b in 0..<batch {
            var y: [Double] = []
            for t in 0..<T {
                y += (0..<H).map { fwd[(b * T + t) * H + $0] }
                y += (0..<H).map { bwd[(b * T + T - 1 - t) * H + $0] }
            }
            let logits = affine(wd, bd, y)
            for k in 0..<2 { XCTAssertEqual(Double(got[b * 2 + k]), logits[k], accuracy: 1e-4) }
        }
    }
}
