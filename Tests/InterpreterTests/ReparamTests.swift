@testable import Training
import XCTest
import Runtime
import IR
@testable import Interpreter

/// Weight normalization (§4.3) and spectral normalization (§4.4) through the whole executor,
/// against the semantics reference's oracles.
final class ReparamTests: XCTestCase {
    func session(_ layers: String, input: Int, batch: Int, seed: UInt64 = 5) throws -> Session {
        try Session(model: try checkSpec("""
        regula: 1
        model: reparam
        input: [\(input)]
        layers:
        \(layers)
        loss: cross_entropy
        train: {optimizer: {kind: adam, lr: 0.05}, batch_size: \(batch)}
        """), seed: seed, batchSize: batch, threads: 1)
    }

    func tensor(_ s: Session, _ name: String) throws -> Tensor { try XCTUnwrap(s.store.tensor(named: name), name) }

    /// Fills the data and label inputs with a fixed random batch.
    func feed(_ e: Executor, batch: Int, inputs: Int, classes: Int, seed: UInt64 = 99) {
        var g = RandomGenerator(seed: seed)
        for k in 0..<(batch * inputs) { e.dataInput[k] = Float(g.nextNormal()) }
        if let l = e.labelInput { for k in 0..<batch { l[k] = Int32(g.nextInt(below: UInt32(classes))) } }
    }

    func values(_ e: Executor, _ v: ValueID) -> [Float] {
        Array(UnsafeBufferPointer(start: e.pointer(v), count: e.count(v)))
    }

    func output(of op: Op, in e: Executor, index: Int = 0) throws -> ValueID {
        try XCTUnwrap(e.graph.nodes.first { $0.op == op }?.outputs[index], "no \(op.name) in the graph")
    }

    // MARK: DropConnect

    /// DropConnect (Wan et al. 2013): in training the layer computes x·(w·m/(1−p))ᵀ + b with a
    /// fresh mask per step that drops a fraction ≈ p; the weight's gradient is zero exactly where
    /// the mask dropped (read from it here); evaluation uses w itself.
    func testDropConnectMasksTheWeightAndItsGradientPerStep() throws {
        let p = 0.3, (batch, inputs, units) = (4, 50, 40)
        let s = try session("  - dense: {units: \(units), dropconnect: \(p)}", input: inputs, batch: batch)
        let w = try tensor(s, "0.weight"), bias = try tensor(s, "0.bias")
        let e = try s.trainingExecutor()
        let logits = try XCTUnwrap(e.graph.output(.logits))
        var masks: [[Bool]] = []
        for step in [0, 1] as [UInt64] {
            feed(e, batch: batch, inputs: inputs, classes: units)
            e.run(batch: batch, step: step)
            let grad = try XCTUnwrap(e.gradient("0.weight"))
            let kept = (0..<(units * inputs)).map { grad[$0] != 0 }
            let rate = Double(kept.filter { !$0 }.count) / Double(kept.count)
            XCTAssertEqual(rate, p, accuracy: 4 * (p * (1 - p) / Double(kept.count)).squareRoot())
            let y = values(e, logits)
            for b in 0..<batch {
                for o in 0..<units {
                    var want = Double(bias[o])
                    for i in 0..<inputs where kept[o * inputs + i] {
                        want += Double(e.dataInput[b * inputs + i]) * Double(w[o * inputs + i]) / (1 - p)
                    }
                    XCTAssertEqual(Double(y[b * units + o]), want, accuracy: 1e-4, "step \(step) example \(b) unit \(o)")
                }
            }
            masks.append(kept)
        }
        XCTAssertNotEqual(masks[0], masks[1], "a new mask every step")
        let eval = try s.evaluationExecutor()
        XCTAssertFalse(eval.graph.nodes.contains { if case .dropout = $0.op { return true }; return false })
    }

    /// Embedding dropout (Gal & Ghahramani 2016; AWD-LSTM): whole rows of the table are dropped
    /// per step, a fraction ≈ p of them, so a dropped word gets no gradient from any position it
    /// occurs at; a new mask every step; evaluation keeps every row.
    func testEmbeddingDropoutDropsWholeRowsPerStep() throws {
        let (p, vocab, seq, batch) = (0.3, 400, 50, 8)
        let s = try Session(model: try checkSpec("""
        regula: 1
        model: words
        input: {shape: [\(seq)], dtype: int32}
        layers:
          - embedding: {vocab: \(vocab), dim: 3, embedding_dropout: \(p)}
          - flatten
          - dense: 5
        loss: cross_entropy
        train: {optimizer: sgd, batch_size: \(batch)}
        """), seed: 5, batchSize: batch, threads: 1)
        let e = try s.trainingExecutor()
        var dropped: [[Bool]] = []
        for step in [0, 1] as [UInt64] {
            // Every word occurs: example b, position t holds word (b·seq + t) mod vocab.
            for k in 0..<(batch * seq) { e.dataInput[k] = Float(k % vocab) }   // token ids, staged as floats
            if let l = e.labelInput { for k in 0..<batch { l[k] = Int32(k % 5) } }
            e.run(batch: batch, step: step)
            let grad = try XCTUnwrap(e.gradient("0.weight"))
            let rows = (0..<vocab).map { v in (0..<3).allSatisfy { grad[v * 3 + $0] == 0 } }
            XCTAssertEqual(Double(rows.filter { $0 }.count) / Double(vocab), p, accuracy: 4 * (p * (1 - p) / Double(vocab)).squareRoot())
            dropped.append(rows)
        }
        XCTAssertNotEqual(dropped[0], dropped[1], "a new mask every step")
        XCTAssertFalse(try s.evaluationExecutor().graph.nodes.contains { $0.op.isStochastic })
    }

    // MARK: weight normalization

    /// Right after wrapping g = ‖v‖, so the wrapped layer computes what the plain layer with
    /// weight v computes (PyTorch `weight_norm` leaves the output unchanged).
    func testWeightNormLeavesTheOutputUnchangedAtWrapping() throws {
        let wrapped = try session("  - dense: {units: 5, weight_norm: true}", input: 4, batch: 3)
        let plain = try session("  - dense: 5", input: 4, batch: 3)
        let v = try tensor(wrapped, "0.weight_v"), g = try tensor(wrapped, "0.weight_g")
        XCTAssertEqual(g.shape, [5, 1])
        for r in 0..<5 {
            let norm = (0..<4).map { Double(v[r * 4 + $0] * v[r * 4 + $0]) }.reduce(0, +).squareRoot()
            XCTAssertEqual(Double(g[r]), norm, accuracy: 1e-6 * norm)
        }
        try tensor(plain, "0.weight").data.update(from: v.data, count: 20)
        try tensor(plain, "0.bias").data.update(from: try tensor(wrapped, "0.bias").data, count: 5)
        var logits: [[Float]] = []
        for s in [wrapped, plain] {
            let e = try s.evaluationExecutor()
            feed(e, batch: 3, inputs: 4, classes: 5)
            e.run(batch: 3, step: 0)
            logits.append(values(e, try XCTUnwrap(e.graph.output(.logits))))
        }
        for (a, b) in zip(logits[0], logits[1]) { XCTAssertEqual(a, b, accuracy: 1e-6) }
    }

    /// After optimizer updates of g and v: ‖w_r‖ = |g_r| for every output row, and the gradient of
    /// v is orthogonal to v row by row (v·∇v = 0), for dense and conv weights.
    func testWeightNormInvariantsAfterUpdates() throws {
        let s = try session("""
          - reshape: [2, 3, 3]
          - conv2d: {filters: 3, kernel: 2, weight_norm: true}
          - tanh
          - flatten
          - dense: {units: 4, weight_norm: true}
        """, input: 18, batch: 6)
        let e = try s.trainingExecutor()
        let model = InterpretedModel(s)
        try model.prepareTraining()
        var opt = Optimizer(config: try TrainingRecipe(s.model).optimizer, clipNorm: nil, params: model.trainable, pool: s.pool)
        for step in 0..<8 {
            feed(e, batch: 6, inputs: 18, classes: 4, seed: UInt64(step))
            e.run(batch: 6, step: UInt64(step))
            opt.step(lr: 0.05)
        }
        feed(e, batch: 6, inputs: 18, classes: 4, seed: 100)
        e.run(batch: 6, step: 8)
        for (layer, rows) in [("1", 3), ("4", 4)] {
            let v = try tensor(s, layer + ".weight_v")
            let cols = v.count / rows
            let dv = try XCTUnwrap(e.gradient(layer + ".weight_v"))
            for r in 0..<rows {
                var vv = 0.0, vd = 0.0, dd = 0.0
                for j in 0..<cols {
                    vv += Double(v[r * cols + j] * v[r * cols + j])
                    vd += Double(v[r * cols + j] * dv[r * cols + j])
                    dd += Double(dv[r * cols + j] * dv[r * cols + j])
                }
                XCTAssertEqual(vd, 0, accuracy: 1e-5 * (vv * dd).squareRoot() + 1e-9, "v·∇v, \(layer) row \(r)")
            }
        }
        // ‖w_r‖ = |g_r| on the weight the layers actually use (the evaluation graph keeps it live).
        let ev = try s.evaluationExecutor()
        feed(ev, batch: 6, inputs: 18, classes: 4)
        ev.run(batch: 6, step: 0)
        let ws = ev.graph.nodes.filter { $0.op == .weightNorm }
        XCTAssertEqual(ws.count, 2)
        for n in ws {
            let w = values(ev, n.outputs[0]), g = values(ev, n.inputs[1])
            let rows = g.count, cols = w.count / rows
            for r in 0..<rows {
                let norm = (0..<cols).map { Double(w[r * cols + $0] * w[r * cols + $0]) }.reduce(0, +).squareRoot()
                XCTAssertEqual(norm, Double(abs(g[r])), accuracy: 1e-5 * Double(abs(g[r])))
            }
        }
    }

    /// Max-norm with weight normalization constrains the weight in use: after large updates every
    /// row of w = g·v/‖v‖ has norm ≤ c (it projected v before, which left w unchanged).
    func testMaxNormBoundsTheWeightNormalizedRows() throws {
        let s = try session("  - dense: {units: 6, weight_norm: true, max_norm: 0.5}", input: 8, batch: 16)
        let e = try s.trainingExecutor()
        let model = InterpretedModel(s)
        try model.prepareTraining()
        var opt = Optimizer(config: try TrainingRecipe(s.model).optimizer, clipNorm: nil, params: model.trainable, pool: s.pool)
        var largest: Float = 0
        for step in 0..<20 {
            feed(e, batch: 16, inputs: 8, classes: 6, seed: UInt64(step))
            e.run(batch: 16, step: UInt64(step))
            opt.step(lr: 1.0)
            let g = try tensor(s, "0.weight_g")
            largest = max(largest, (0..<6).map { abs(g[$0]) }.max() ?? 0)
            for r in 0..<6 { XCTAssertLessThanOrEqual(abs(g[r]), 0.5 * (1 + 1e-6), "row \(r) at step \(step)") }
        }
        XCTAssertGreaterThan(largest, 0.49, "the constraint was reached (the test can fail)")
        let ev = try s.evaluationExecutor()
        feed(ev, batch: 16, inputs: 8, classes: 6)
        ev.run(batch: 16, step: 0)
        let n = try XCTUnwrap(ev.graph.nodes.first { $0.op == .weightNorm })
        let w = values(ev, n.outputs[0])
        for r in 0..<6 {
            let norm = (0..<8).map { Double(w[r * 8 + $0] * w[r * 8 + $0]) }.reduce(0, +).squareRoot()
            XCTAssertLessThanOrEqual(norm, 0.5 * (1 + 1e-5))
        }
    }

    // MARK: spectral normalization

    /// The top singular value of a rows×cols matrix, by power iteration on WᵀW in Float64 run to
    /// convergence.
    func topSingularValue(_ w: [Double], rows: Int, cols: Int) -> Double {
        var v = (0..<cols).map { Double($0 % 3) + 1 }
        var sigma = 0.0
        for _ in 0..<3_000 {
            let u = (0..<rows).map { r in (0..<cols).map { w[r * cols + $0] * v[$0] }.reduce(0, +) }
            var next = (0..<cols).map { j in (0..<rows).map { w[$0 * cols + j] * u[$0] }.reduce(0, +) }
            let norm = next.map { $0 * $0 }.reduce(0, +).squareRoot()
            next = next.map { $0 / norm }
            v = next
            sigma = norm.squareRoot()
        }
        return sigma
    }

    /// ~100 training forwards on a fixed W: σ = uᵀWv matches W's top singular value (rtol 1e-3)
    /// and W_SN = W/σ has top singular value ≈ 1; evaluation leaves u and v untouched.
    func testSpectralNormSigmaConvergesAndEvalLeavesUUnchanged() throws {
        let s = try session("  - dense: {units: 12, spectral_norm: true}", input: 16, batch: 4, seed: 3)
        let w = try tensor(s, "0.weight_orig"), u = try tensor(s, "0.weight_u"), v = try tensor(s, "0.weight_v")
        XCTAssertEqual(u.shape, [12])
        XCTAssertEqual(v.shape, [16])
        // A training forward runs one power-iteration step and writes u, v back.
        u.data.update(repeating: 1, count: 12)
        let before = u.array
        let e = try s.trainingExecutor()
        feed(e, batch: 4, inputs: 16, classes: 12)
        e.run(batch: 4, step: 0)
        XCTAssertNotEqual(u.array, before)
        for step in 1..<100 {
            feed(e, batch: 4, inputs: 16, classes: 12)   // the plan reuses input storage within a step
            e.run(batch: 4, step: UInt64(step))
        }

        let wd = w.array.map(Double.init)
        let expected = topSingularValue(wd, rows: 12, cols: 16)
        var sigma = 0.0
        for r in 0..<12 { for j in 0..<16 { sigma += Double(u[r]) * wd[r * 16 + j] * Double(v[j]) } }
        XCTAssertEqual(sigma, expected, accuracy: 1e-3 * expected)

        let uBefore = u.array, vBefore = v.array
        let ev = try s.evaluationExecutor()
        for step in 0..<3 {
            feed(ev, batch: 4, inputs: 16, classes: 12)
            ev.run(batch: 4, step: UInt64(step))
        }
        XCTAssertEqual(u.array, uBefore)
        XCTAssertEqual(v.array, vBefore)
        let wsn = values(ev, try output(of: .spectralNorm, in: ev)).map(Double.init)
        XCTAssertEqual(topSingularValue(wsn, rows: 12, cols: 16), 1, accuracy: 1e-3)
    }

    // MARK: whole-executor gradient check

    /// Central differences of the objective against the executor's gradients, for a net with a
    /// weight-normalized conv, a spectrally normalized dense layer and a plain one. u and v are
    /// converged first and restored before every evaluation, so they are the constants the
    /// gradient assumes (§4.4: "gradient check with u, v frozen").
    func testGradientsMatchFiniteDifferencesWithUVFrozen() throws {
        for (conv, dense, prefix) in [("weight_norm", "spectral_norm", "4"), ("spectral_norm", "weight_norm", "1")] {
            let names = try gradientCheck(conv: "\(conv): true", dense: "\(dense): true", frozen: [prefix + ".weight_u", prefix + ".weight_v"])
            XCTAssertTrue(names.contains(prefix + ".weight_orig"))
            XCTAssertFalse(names.contains(prefix + ".weight_u") || names.contains(prefix + ".weight_v"))
            XCTAssertEqual(names.filter { $0.hasSuffix("weight_g") }.count, 1)
        }
    }

    /// The spectral penalty (Yoshida & Miyato 2017): λ·σ·u·vᵀ against central differences of the
    /// objective on a conv kernel and a dense weight, u and v converged and frozen as above (at the
    /// fixed point σ = uᵀWv is stationary in u and v, so holding them constant is exact to first order).
    func testSpectralPenaltyGradientWithUVFrozen() throws {
        let names = try gradientCheck(conv: "spectral_penalty: 0.5", dense: "spectral_penalty: 0.3",
                                      frozen: ["1.spectral_u", "1.spectral_v", "4.spectral_u", "4.spectral_v"])
        XCTAssertTrue(names.contains("1.weight") && names.contains("4.weight"))
    }

    /// Checks the executor's gradients by central differences; returns the trainable names.
    func gradientCheck(conv: String, dense: String, frozen: [String], file: StaticString = #filePath, line: UInt = #line) throws -> Set<String> {
        let batch = 4
        let s = try session("""
          - reshape: [2, 3, 3]
          - conv2d: {filters: 3, kernel: 2, \(conv)}
          - tanh
          - flatten
          - dense: {units: 5, \(dense), activation: tanh}
          - dense: 3
        """, input: 18, batch: batch, seed: 11)
        let e = try s.trainingExecutor()
        for step in 0..<300 {
            feed(e, batch: batch, inputs: 18, classes: 3)   // the plan reuses input storage within a step
            e.run(batch: batch, step: UInt64(step))
        }
        let buffers = try frozen.map { try tensor(s, $0) }
        let saved = buffers.map(\.array)
        func loss() -> Double {
            for (t, values) in zip(buffers, saved) { for (k, x) in values.enumerated() { t.data[k] = x } }
            feed(e, batch: batch, inputs: 18, classes: 3)
            e.run(batch: batch, step: 3)
            return e.scalar(.loss) ?? .nan
        }
        _ = loss()
        var checked = 0
        for (info, t) in s.store.trainable {
            let grad = Array(UnsafeBufferPointer(start: try XCTUnwrap(e.gradient(info.name)), count: t.count))
            for k in Set((0..<6).map { ($0 * 7919 + 13) % t.count }) {
                let old = t.data[k], h: Float = 2e-3
                t.data[k] = old + h; let up = loss()
                t.data[k] = old - h; let down = loss()
                t.data[k] = old
                let numeric = (up - down) / Double(2 * h)
                XCTAssertEqual(Double(grad[k]), numeric, accuracy: 5e-4 + 0.02 * abs(numeric), "\(info.name)[\(k)]",
                               file: file, line: line)
                checked += 1
            }
            _ = loss()
        }
        XCTAssertGreaterThan(checked, 20, file: file, line: line)
        return Set(s.store.trainable.map(\.info.name))
    }

    // MARK: training runs

    /// The two specs train on real MNIST: falling loss, no NaN, and a checkpoint with PyTorch's names.
    func testSpecsTrainWithFallingLoss() throws {
        for (name, names) in [("mlp_weight_norm", ["0.weight_g", "0.weight_v", "2.weight_g"]),
                              ("mlp_spectral_norm", ["0.weight_orig", "0.weight_u", "0.weight_v", "2.weight_orig"])] {
            let model = try loadSpec(name)
            var o = testOptions(name)
            o.limit = 2560
            o.testLimit = 1000
            o.epochs = 1
            var losses: [Double] = []
            o.stepCallback = { losses.append($0.loss) }
            let r = try train(model: model, options: o) { _ in }
            XCTAssertEqual(losses.count, 20, name)
            XCTAssertTrue(losses.allSatisfy(\.isFinite), name)
            XCTAssertLessThan(losses.suffix(5).reduce(0, +) / 5, losses.prefix(5).reduce(0, +) / 5 - 0.2, name)
            XCTAssertGreaterThan(r.testAccuracy ?? 0, 0.6, name)
            let header = try Data(contentsOf: URL(fileURLWithPath: try XCTUnwrap(r.runDirectory) + "/model.safetensors")).prefix(4096)
            let text = String(decoding: header, as: UTF8.self)
            for n in names { XCTAssertTrue(text.contains("\"\(n)\""), "\(name): \(n)") }
            XCTAssertFalse(text.contains("\"0.weight\""), name)
        }
    }

    /// The power-iteration buffers are part of the checkpoint: 1 vs 2 threads and a resumed run
    /// are bit-identical to an uninterrupted one, and evaluating the saved checkpoint reproduces the
    /// run's test accuracy (eval reads the stored u, v).
    func testSpecsAreDeterministicAndResumeBitIdentically() throws {
        func run(_ name: String, threads: Int, dir: String? = nil, resume: Bool = false, maxSteps: Int? = nil) throws
            -> (losses: [Double], weights: Data, dir: String) {
            var o = testOptions("reparam-det")
            if let dir { o.outDirectory = dir }
            o.threads = threads
            o.limit = 640
            o.epochs = 2
            o.resume = resume
            o.maxSteps = maxSteps
            o.evaluateTest = false
            var losses: [Double] = []
            o.stepCallback = { losses.append($0.loss) }
            let r = try train(model: try loadSpec(name), options: o) { _ in }
            let d = try XCTUnwrap(r.runDirectory)
            return (losses, try Data(contentsOf: URL(fileURLWithPath: d + "/model.safetensors")), d)
        }
        for name in ["mlp_weight_norm", "mlp_spectral_norm"] {
            let full = try run(name, threads: 2)
            let one = try run(name, threads: 1)
            XCTAssertEqual(full.losses, one.losses, name)
            XCTAssertEqual(full.weights, one.weights, name)
            let cut = try run(name, threads: 2, maxSteps: 7)
            XCTAssertEqual(cut.losses.count, 7, name)
            let rest = try run(name, threads: 2, dir: cut.dir, resume: true)
            XCTAssertEqual(cut.losses + rest.losses, full.losses, name)
            XCTAssertEqual(rest.weights, full.weights, name)

            let model = try loadSpec(name)
            var o = testOptions(name + "-eval")
            o.limit = 640
            o.testLimit = 300
            o.epochs = 1
            let r = try train(model: model, options: o) { _ in }
            var e = TrainOptions()
            e.testLimit = 300
            let ev = try evaluate(model: model, checkpoint: try XCTUnwrap(r.runDirectory) + "/model.safetensors", options: e)
            XCTAssertEqual(ev.accuracy, try XCTUnwrap(r.testAccuracy), accuracy: 1e-9, name)
        }
    }
}
