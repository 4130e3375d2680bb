import XCTest
import Runtime
import IR
@testable import Interpreter

/// Evaluation-mode semantics (semantics reference §2–§3) on tiny dense models whose eval output
/// can be computed by hand from the parameters.
final class EvalSemanticsTests: XCTestCase {
    let batch = 3
    let x: [Float] = [0.5, -1, 2, 0.25, 1, 0, -0.5, 1.5, -2, 0.75, 0.1, -0.3]

    func logits(_ session: Session, train: Bool = false, step: UInt64 = 0) throws -> [Float] {
        let e = train ? try session.trainingExecutor() : try session.evaluationExecutor()
        for (k, v) in x.enumerated() { e.dataInput[k] = v }
        if let l = e.labelInput { for k in 0..<batch { l[k] = Int32(k) } }
        e.run(batch: batch, step: step)
        let out = try XCTUnwrap(e.graph.output(.logits))
        return Array(UnsafeBufferPointer(start: e.pointer(out), count: batch * 4))
    }

    func session(_ layers: String) throws -> Session {
        try Session(model: try checkSpec("""
        regula: 1
        model: eval
        input: [4]
        layers:
        \(layers)
        loss: cross_entropy
        train: {optimizer: {kind: sgd, lr: 0.1}, batch_size: 3}
        """), seed: 5, batchSize: batch, threads: 1)
    }

    /// F(x) = W x + b of a dense layer's parameters, per sample.
    func dense(_ s: Session, _ prefix: String) throws -> [Float] {
        let w = try XCTUnwrap(s.store.tensor(named: prefix + ".weight")), b = try XCTUnwrap(s.store.tensor(named: prefix + ".bias"))
        var out = [Float](repeating: 0, count: batch * 4)
        for n in 0..<batch { for o in 0..<4 {
            var acc = b[o]
            for i in 0..<4 { acc += w[o * 4 + i] * x[n * 4 + i] }
            out[n * 4 + o] = acc
        } }
        return out
    }

    func assertClose(_ a: [Float], _ b: [Float], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, file: file, line: line)
        for (u, v) in zip(a, b) { XCTAssertEqual(u, v, accuracy: 1e-5, file: file, line: line) }
    }

    /// Dropout is the identity at eval: p = 0.5 and p = 0 give the same logits from the same
    /// weights, while their training passes differ.
    func testDropoutIsTheIdentityAtEval() throws {
        let a = try session("  - dense: 4\n  - dropout: 0.5\n  - dense: 4")
        let b = try session("  - dense: 4\n  - dropout: 0.0\n  - dense: 4")
        XCTAssertEqual(try logits(a), try logits(b))
        XCTAssertNotEqual(try logits(a, train: true), try logits(b, train: true))
    }

    /// Gaussian noise and Gaussian dropout are the identity at eval (E[n] = 0, E[1 + σn] = 1) and
    /// change the training pass.
    func testGaussianNoiseAndDropoutAreTheIdentityAtEval() throws {
        let plain = try session("  - dense: 4\n  - dense: 4")
        for layer in ["gaussian_noise: 0.5", "gaussian_dropout: 0.3", "alpha_dropout: 0.2"] {
            let noisy = try session("  - dense: 4\n  - \(layer)\n  - dense: 4")
            XCTAssertEqual(try logits(noisy), try logits(plain), layer)
            XCTAssertNotEqual(try logits(noisy, train: true), try logits(plain, train: true), layer)
            // Keyed by (seed, step, op): the same step draws the same noise, another step other noise.
            XCTAssertEqual(try logits(noisy, train: true, step: 3), try logits(noisy, train: true, step: 3), layer)
            XCTAssertNotEqual(try logits(noisy, train: true, step: 3), try logits(noisy, train: true, step: 4), layer)
        }
    }

    /// Spatial dropout draws once per (example, channel): every plane of its training output is
    /// all zero or the input plane scaled by 1/(1 − p).
    func testSpatialDropoutDropsWholeChannels() throws {
        let s = try Session(model: try checkSpec("""
        regula: 1
        model: spatial
        input: [6, 3, 3]
        layers:
          - spatial_dropout: 0.5
          - flatten
          - dense: 2
        train: {optimizer: {kind: sgd, lr: 0.1}, batch_size: 8}
        """), seed: 2, batchSize: 8, threads: 1)
        let e = try s.trainingExecutor()
        for k in 0..<(8 * 54) { e.dataInput[k] = Float(k % 17) + 1 }
        if let l = e.labelInput { for k in 0..<8 { l[k] = Int32(k % 2) } }
        e.run(batch: 8, step: 1)
        let node = try XCTUnwrap(e.graph.nodes.first { if case .spatialDropout = $0.op { return true }; return false })
        let y = e.pointer(node.outputs[0])
        var dropped = 0
        for plane in 0..<(8 * 6) {
            let values = (0..<9).map { y[plane * 9 + $0] }
            let inputs = (0..<9).map { Float((plane * 9 + $0) % 17) + 1 }
            if values.allSatisfy({ $0 == 0 }) { dropped += 1; continue }
            XCTAssertEqual(values, inputs.map { $0 * 2 }, "plane \(plane)")
        }
        XCTAssertGreaterThan(dropped, 8)
        XCTAssertLessThan(dropped, 40)
    }

    /// DropBlock in training draws what the runtime's twin draws for the op's key at the step
    /// (bs×bs blocks per (example, channel), the batch's count/sum scale), follows its schedule
    /// (nothing dropped at step 0, p·t/N at step t), and is the identity at evaluation.
    func testDropBlockTrainsWithItsKeyAndScheduleAndIsTheIdentityAtEval() throws {
        let (batch, c, h, w) = (8, 3, 6, 6)
        func session(_ layer: String) throws -> Session {
            try Session(model: try checkSpec("""
            regula: 1
            model: dropblock
            input: [\(c), \(h), \(w)]
            layers:
              - \(layer)
              - flatten
              - dense: 2
            train: {optimizer: {kind: sgd, lr: 0.1}, batch_size: \(batch)}
            """), seed: 2, batchSize: batch, threads: 2)
        }
        let x = (0..<(batch * c * h * w)).map { Float($0 % 17) + 1 }
        func run(_ e: Executor, step: UInt64) throws -> (dropped: [Float]?, key: UInt32?, logits: [Float]) {
            for (k, v) in x.enumerated() { e.dataInput[k] = v }
            if let l = e.labelInput { for k in 0..<batch { l[k] = Int32(k % 2) } }
            e.run(batch: batch, step: step)
            let logits = Array(UnsafeBufferPointer(start: e.pointer(try XCTUnwrap(e.graph.output(.logits))), count: batch * 2))
            for node in e.graph.nodes {
                if case .dropBlock(_, _, _, let key) = node.op {
                    return (Array(UnsafeBufferPointer(start: e.pointer(node.outputs[0]), count: x.count)), UInt32(key.id), logits)
                }
            }
            return (nil, nil, logits)
        }
        let constant = try session("dropblock: {p: 0.3, block_size: 3}")
        let trained = try run(try constant.trainingExecutor(), step: 4)
        let key = try XCTUnwrap(trained.key)
        let expected = DropBlockReference.apply(x, planes: batch * c, height: h, width: w, blockSize: 3, p: 0.3,
                                                stream: RandomStream(seed: 2, step: 4, stream: key))
        XCTAssertEqual(trained.dropped, expected)
        XCTAssertTrue(expected.contains(0))

        let scheduled = try session("dropblock: {p: 0.3, block_size: 3, schedule_steps: 10}")
        XCTAssertEqual(try run(try scheduled.trainingExecutor(), step: 0).dropped, x)
        XCTAssertEqual(try run(try scheduled.trainingExecutor(), step: 5).dropped,
                       DropBlockReference.apply(x, planes: batch * c, height: h, width: w, blockSize: 3, p: 0.15,
                                                stream: RandomStream(seed: 2, step: 5, stream: key)))

        // Evaluation: no dropblock op, and the logits of p = 0 (identity) from the same weights.
        let evaluated = try run(try constant.evaluationExecutor(), step: 4)
        XCTAssertNil(evaluated.dropped)
        XCTAssertEqual(evaluated.logits, try run(try session("dropblock: {p: 0, block_size: 3}").evaluationExecutor(), step: 4).logits)
        XCTAssertNotEqual(trained.logits, try run(try session("dropblock: {p: 0, block_size: 3}").trainingExecutor(), step: 4).logits)
    }

    /// Stochastic depth, paper mode: eval output x + p·F(x) (Huang et al. 2016); timm's
    /// per-sample mode is inverted, so eval is x + F(x).
    func testStochasticDepthScalesTheBranchBySurvivalAtEval() throws {
        let s = try session("  - residual: {body: [dense: 4], stochastic_depth: {survival: 0.7, mode: batch}}")
        let f = try dense(s, "0.body.0")
        assertClose(try logits(s), zip(x, f).map { $0 + 0.7 * $1 })
        let t = try session("  - residual: {body: [dense: 4], stochastic_depth: {survival: 0.7, mode: sample}}")
        let g = try dense(t, "0.body.0")
        assertClose(try logits(t), zip(x, g).map { $0 + $1 })
    }

    /// With stochastic depth (Shake-Shake and stochastic depth in one block), the mixed branches are gated like a
    /// residual body: paper mode scales them by the survival probability at eval.
    func testStochasticDepthOnShakeBlocksScalesTheBranchAtEval() throws {
        let s = try session("  - shake_shake: {branches: [[dense: 4], [dense: 4]], stochastic_depth: 0.7}")
        let f1 = try dense(s, "0.branches.0.0"), f2 = try dense(s, "0.branches.1.0")
        assertClose(try logits(s), (0..<x.count).map { x[$0] + 0.7 * 0.5 * (f1[$0] + f2[$0]) })
        let t = try session("  - shakedrop: {body: [dense: 4], p: 0.6, stochastic_depth: {survival: 0.7, mode: sample}}")
        let g = try dense(t, "0.body.0")
        assertClose(try logits(t), (0..<x.count).map { x[$0] + 0.6 * g[$0] })
    }

    /// Shake-Shake at eval: x + 0.5·(F₁ + F₂) (Gastaldi 2017).
    func testShakeShakeMixesEvenlyAtEval() throws {
        let s = try session("  - shake_shake: {branches: [[dense: 4], [dense: 4]]}")
        let f1 = try dense(s, "0.branches.0.0"), f2 = try dense(s, "0.branches.1.0")
        assertClose(try logits(s), (0..<x.count).map { x[$0] + 0.5 * (f1[$0] + f2[$0]) })
    }

    /// ShakeDrop at eval: x + (p + (1−p)·E[α])·F = x + p·F for α ∈ [−1, 1] (Yamada et al. 2019).
    func testShakeDropUsesItsExpectationAtEval() throws {
        let s = try session("  - shakedrop: {body: [dense: 4], p: 0.6}")
        let f = try dense(s, "0.body.0")
        assertClose(try logits(s), zip(x, f).map { $0 + 0.6 * $1 })
    }
}
