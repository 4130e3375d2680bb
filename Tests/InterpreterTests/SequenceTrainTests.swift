import XCTest
import Foundation
import IR
import Runtime
@testable import Interpreter

/// The sequence specs train (falling loss, no NaN), bit-identically with 1 and 2 threads; eval
/// semantics of variational dropout, zoneout and attention dropout; int32 token data from NPY.
final class SequenceTrainTests: XCTestCase {
    func trainBriefly(_ name: String, steps: Int = 200, file: StaticString = #filePath, line: UInt = #line) throws {
        var model = try loadSpec(name)
        model.training.batchSize = 16
        var o = testOptions("seq-\(name)")
        o.limit = 16 * steps
        o.epochs = 1
        o.writeCheckpoints = false
        o.testLimit = 500
        var losses: [Double] = []
        o.stepCallback = { losses.append($0.loss) }
        let t0 = Date()
        let r = try train(model: model, options: o) { _ in }
        let seconds = Date().timeIntervalSince(t0)
        XCTAssertEqual(losses.count, steps, file: file, line: line)
        XCTAssertTrue(losses.allSatisfy(\.isFinite), file: file, line: line)
        let head = losses.prefix(40).reduce(0, +) / 40, tail = losses.suffix(40).reduce(0, +) / 40
        XCTAssertLessThan(tail, head - 0.3, "loss \(head) → \(tail)", file: file, line: line)
        XCTAssertGreaterThan(try XCTUnwrap(r.testAccuracy), 0.3, file: file, line: line)
        print("\(name): \(steps) steps of 16 in \(String(format: "%.1f", seconds)) s, loss \(head) → \(tail), test accuracy \(r.testAccuracy ?? 0)")
    }

    func testLSTMClassifierTrains() throws { try trainBriefly("lstm_classifier") }
    func testTransformerBlockTrains() throws { try trainBriefly("transformer_block") }

    func determinism(_ name: String) throws {
        func run(_ threads: Int) throws -> ([Double], Data) {
            var model = try loadSpec(name)
            model.training.batchSize = 32
            var o = testOptions("seq-det")
            o.threads = threads
            o.limit = 320
            o.epochs = 1
            o.evaluateTest = false
            var losses: [Double] = []
            o.stepCallback = { losses.append($0.loss) }
            let r = try train(model: model, options: o) { _ in }
            let d = try XCTUnwrap(r.runDirectory)
            return (losses, try Data(contentsOf: URL(fileURLWithPath: d + "/model.safetensors")))
        }
        let a = try run(1), b = try run(2)
        XCTAssertEqual(a.0.count, 10)
        XCTAssertEqual(a.0, b.0)
        XCTAssertEqual(a.1, b.1)
    }

    func testLSTMClassifierIsBitIdenticalAcrossThreadCounts() throws { try determinism("lstm_classifier") }
    func testTransformerBlockIsBitIdenticalAcrossThreadCounts() throws { try determinism("transformer_block") }

    // MARK: Eval semantics

    /// Runs the evaluation graph on `x` and returns the logits.
    func evalLogits(_ session: Session, _ x: [Float], batch: Int) throws -> [Float] {
        let e = try session.evaluationExecutor()
        for (k, v) in x.enumerated() { e.dataInput[k] = v }
        if let l = e.labelInput { l.update(repeating: 0, count: batch) }
        e.run(batch: batch, step: 3)
        let out = try XCTUnwrap(e.graph.output(.logits))
        return Array(UnsafeBufferPointer(start: e.pointer(out), count: e.count(out)))
    }

    /// At eval, variational dropout is the identity and zoneout its expectation:
    /// c_t = z·c_{t−1} + (1−z)·c̃_t, h_t = z·h_{t−1} + (1−z)·h̃_t (semantics reference §2.2),
    /// checked against a float64 loop over the session's own weights.
    func testLSTMEvalUsesZoneoutExpectationAndNoDropout() throws {
        let (steps, features, units, batch, z) = (4, 2, 3, 2, 0.25)
        let model = try checkSpec("""
        regula: 1
        model: e1
        input: [\(steps), \(features)]
        layers:
          - lstm: {units: \(units), dropout: 0.3, recurrent_dropout: 0.3, zoneout: \(z)}
          - dense: 2
        loss: cross_entropy
        train: {optimizer: {kind: sgd, lr: 0.1}, batch_size: \(batch)}
        """)
        let session = try Session(model: model, seed: 3, batchSize: batch, threads: 1)
        var g = RandomGenerator(seed: 8)
        let x = (0..<(batch * steps * features)).map { _ in Float(g.nextNormal()) }
        let got = try evalLogits(session, x, batch: batch)
        func w(_ name: String) throws -> [Double] {
            let t = try XCTUnwrap(session.store.tensor(named: name), name)
            return (0..<t.count).map { Double(t.data[$0]) }
        }
        let wih = try w("0.weight_ih_l0"), whh = try w("0.weight_hh_l0"), bih = try w("0.bias_ih_l0"), bhh = try w("0.bias_hh_l0")
        let dw = try w("1.weight"), db = try w("1.bias")
        func sig(_ v: Double) -> Double { 1 / (1 + exp(-v)) }
        for b in 0..<batch {
            var h = [Double](repeating: 0, count: units), c = h
            for t in 0..<steps {
                var a = [Double](repeating: 0, count: 4 * units)
                for r in 0..<(4 * units) {
                    a[r] = bih[r] + bhh[r]
                    for f in 0..<features { a[r] += wih[r * features + f] * Double(x[(b * steps + t) * features + f]) }
                    for j in 0..<units { a[r] += whh[r * units + j] * h[j] }
                }
                for j in 0..<units {
                    let i = sig(a[j]), f = sig(a[units + j]), gg = tanh(a[2 * units + j]), o = sig(a[3 * units + j])
                    let cNew = f * c[j] + i * gg, hNew = o * tanh(cNew)
                    c[j] = z * c[j] + (1 - z) * cNew
                    h[j] = z * h[j] + (1 - z) * hNew
                }
            }
            for k in 0..<2 {
                var y = db[k]
                for j in 0..<units { y += dw[k * units + j] * h[j] }
                XCTAssertEqual(Double(got[b * 2 + k]), y, accuracy: 1e-5)
            }
        }
    }

    /// At eval attention dropout is off: the same weights give the same logits with p = 0.5 and
    /// p = 0, at any step, while the training graph's output does change with the mask.
    func testAttentionDropoutIsOffAtEval() throws {
        let spec = SequenceTests.attentionSpec.replacingOccurrences(of: "CAUSAL", with: "false")
        let s0 = try Session(model: try checkSpec(spec.replacingOccurrences(of: "DROP", with: "0")), seed: 4, batchSize: 4, threads: 1)
        let s1 = try Session(model: try checkSpec(spec.replacingOccurrences(of: "DROP", with: "0.5")), seed: 4, batchSize: 4, threads: 1)
        for (a, b) in zip(s0.store.tensors, s1.store.tensors) {
            XCTAssertEqual(Array(UnsafeBufferPointer(start: a.data, count: a.count)), Array(UnsafeBufferPointer(start: b.data, count: b.count)))
        }
        var g = RandomGenerator(seed: 2)
        let x = (0..<(4 * 40)).map { _ in Float(g.nextNormal()) }
        let eval0 = try evalLogits(s0, x, batch: 4), eval1 = try evalLogits(s1, x, batch: 4)
        XCTAssertEqual(eval0, eval1)
        let t = try s1.trainingExecutor()
        for (k, v) in x.enumerated() { t.dataInput[k] = v }
        t.labelInput?.update(repeating: 0, count: 4)
        t.run(batch: 4, step: 1)
        let out = try XCTUnwrap(t.graph.output(.logits))
        let train = Array(UnsafeBufferPointer(start: t.pointer(out), count: t.count(out)))
        XCTAssertNotEqual(train, eval1)
    }

    /// Masks are keyed by (seed, step, op): the same step regenerates the same attention and
    /// recurrent masks (what the backward relies on), another step draws new ones.
    func testMasksAreRegeneratedPerStep() throws {
        for spec in [SequenceTests.attentionSpec.replacingOccurrences(of: "CAUSAL", with: "false").replacingOccurrences(of: "DROP", with: "0.3"),
                     """
                     regula: 1
                     model: m1
                     input: [5, 8]
                     layers:
                       - lstm: {units: 6, recurrent_dropout: 0.3, zoneout: 0.2}
                       - dense: 3
                     loss: cross_entropy
                     train: {optimizer: {kind: sgd, lr: 0.1}, batch_size: 4}
                     """] {
            let s = try Session(model: try checkSpec(spec), seed: 4, batchSize: 4, threads: 2)
            let t = try s.trainingExecutor()
            var g = RandomGenerator(seed: 2)
            let x = (0..<(4 * 40)).map { _ in Float(g.nextNormal()) }
            func logits(step: UInt64) throws -> [Float] {
                for (k, v) in x.enumerated() { t.dataInput[k] = v }
                t.labelInput?.update(repeating: 0, count: 4)
                t.run(batch: 4, step: step)
                let out = try XCTUnwrap(t.graph.output(.logits))
                return Array(UnsafeBufferPointer(start: t.pointer(out), count: t.count(out)))
            }
            let a = try logits(step: 5), b = try logits(step: 6), c = try logits(step: 5)
            XCTAssertEqual(a, c)
            XCTAssertNotEqual(a, b)
        }
    }
}
