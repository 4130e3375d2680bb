import Foundation
import XCTest
import Runtime
@testable import Training
import IR
@testable import Interpreter

/// Scheduled penalty strengths through `regula train`'s loop: λ(step) is the schedule's value at
/// the step, in the gradient (L1, L2, spectral penalty), in the optimizer (weight decay, coupled
/// and decoupled) and in the loss the step reports.
///
/// The model is one dense unit without bias on all-zero inputs with MSE against a 0 target (label 0 of a single output): its output
/// and so its data gradient are exactly 0, so after each step the weight is what the penalty or
/// the decay alone makes of it, computed here by naive arithmetic over the same λ(step).
final class PenaltyScheduleTrainTests: XCTestCase {
    /// 8 examples in batches of 2: 4 steps per epoch, 8 in 2 epochs.
    let examples = 8, batch = 2, epochs = 2, features = 4, lr: Float = 0.1

    private func spec(layer: String = "", optimizer: String = "kind: sgd") -> String {
        """
        regula: 1
        model: penalties
        input: [\(features)]
        layers:
          - dense: {units: 1, bias: false\(layer)}
        loss: {kind: mse, targets: one_hot}
        train: {optimizer: {\(optimizer), lr: \(lr)}, batch_size: \(batch), epochs: \(epochs), seed: 5}
        """
    }

    /// λ at step t of `{schedule: linear, from: 0, to: 0.4, steps: 6}`.
    private func ramp(_ t: Int) -> Double { 0.4 * min(1, Double(t) / 6) }
    private let schedule = "{schedule: linear, from: 0, to: 0.4, steps: 6}"

    /// The weight before and after training the spec for two epochs through `TrainingLoop`, and
    /// the loss each step reported (`StepReport.loss`, the objective).
    private func train(_ text: String, _ tag: String) throws -> (before: [Float], after: [Float], losses: [Double]) {
        let model = try checkSpec(text)
        let recipe = try TrainingRecipe(model)
        let session = try Session(model: model, seed: recipe.seed, batchSize: batch, threads: 1)
        let m = InterpretedModel(session)
        try m.prepareTraining()
        let weight = try XCTUnwrap(m.state.first { $0.name == "0.weight" }?.tensor, tag)
        let before = Array(UnsafeBufferPointer(start: weight.data, count: weight.count))
        var options = testOptions(tag)
        options.evaluateTest = false
        let reports = Reports()
        options.stepCallback = { reports.losses.append($0.loss) }
        addTeardownBlock { [dir = options.outDirectory] in if let dir { try? FileManager.default.removeItem(atPath: dir) } }
        let data = TrainingData(train: Dataset(inputs: .float([Float](repeating: 0, count: examples * features)),
                                               labels: [Int32](repeating: 0, count: examples), exampleShape: [features]),
                                validation: nil, test: nil, normalization: Normalization())
        let result = try TrainingLoop.run(m, recipe: recipe, data: data, options: options) { _ in }
        XCTAssertEqual(result.steps, examples / batch * epochs, tag)
        return (before, Array(UnsafeBufferPointer(start: weight.data, count: weight.count)), reports.losses)
    }

    private final class Reports: @unchecked Sendable { var losses: [Double] = [] }

    /// `update(w, λ)` applied at every step t with λ = `lambda(t)`.
    private func reference(_ w0: [Float], _ lambda: (Int) -> Double, _ update: (Float, Double) -> Float) -> [Float] {
        var w = w0
        for t in 0..<(examples / batch * epochs) { w = w.map { update($0, lambda(t)) } }
        return w
    }

    private func assertClose(_ a: [Float], _ b: [Float], _ what: String, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, what, line: line)
        for (x, y) in zip(a, b) { XCTAssertEqual(x, y, accuracy: 1e-6, what, line: line) }
    }

    /// L2 λ(t)·Σw² ramped over 6 steps: w ← w − lr·2λ(t)·w at each step, and the loss the loop
    /// reports for step t is λ(t)·Σw_t² (the data loss is 0).
    func testScheduledL2ShrinksByTheStepsLambda() throws {
        let (w0, w, losses) = try train(spec(layer: ", l2: \(schedule)"), "l2")
        let update = { (w: Float, l: Double) in w - self.lr * (Float(2 * l) * w) }
        assertClose(w, reference(w0, ramp, update), "l2")
        var wt = w0
        XCTAssertEqual(losses.count, examples / batch * epochs)
        for (t, loss) in losses.enumerated() {
            XCTAssertEqual(loss, ramp(t) * wt.reduce(0) { $0 + Double($1) * Double($1) }, accuracy: 1e-6, "reported loss at step \(t)")
            wt = wt.map { update($0, ramp(t)) }
        }
        XCTAssertNotEqual(w, reference(w0, { _ in 0.4 }) { w, l in w - lr * (Float(2 * l) * w) }, "the constant final λ would give the same")
    }

    /// L1 λ(t)·Σ|w| in fractional epochs (one epoch = 4 steps): w ← w − lr·λ(t)·sign(w).
    func testScheduledL1InEpochsMovesEveryStep() throws {
        let (w0, w, _) = try train(spec(layer: ", l1: {schedule: linear, from: 0, to: 0.2, epochs: 1}"), "l1")
        let lambda = { (t: Int) in 0.2 * min(1, Double(t) / 4) }
        assertClose(w, reference(w0, lambda) { w, l in w - lr * (w > 0 ? Float(l) : (w < 0 ? -Float(l) : 0)) }, "l1")
    }

    /// Coupled decay (SGD, PyTorch `weight_decay`) from `train.optimizer`: g ← g + λ(t)·w.
    func testScheduledCoupledDecayFromTheOptimizer() throws {
        let (w0, w, _) = try train(spec(optimizer: "kind: sgd, weight_decay: \(schedule)"), "coupled")
        assertClose(w, reference(w0, ramp) { w, l in w - lr * (0 + Float(l) * w) }, "coupled")
    }

    /// Decoupled decay (AdamW) on the layer: w ← w·(1 − lr·λ(t)); with a zero gradient Adam's own
    /// step is 0/(0 + ε) = 0, so the shrink is all that happens.
    func testScheduledDecoupledDecayOnTheLayer() throws {
        let (w0, w, _) = try train(spec(layer: ", weight_decay: \(schedule)", optimizer: "kind: adamw"), "decoupled")
        assertClose(w, reference(w0, ramp) { w, l in w * Float(1 - Double(lr) * l) }, "decoupled")
    }

    /// Spectral penalty (λ/2)·σ(W)²: for a single row W = wᵀ one power iteration gives σ = ‖w‖ and
    /// the gradient λσ·u vᵀ = λ·w, so w ← w − lr·λ(t)·w.
    func testScheduledSpectralPenalty() throws {
        let (w0, w, _) = try train(spec(layer: ", spectral_penalty: \(schedule)"), "spectral")
        assertClose(w, reference(w0, ramp) { w, l in w - lr * Float(l) * w }, "spectral")
    }

    /// The loss a step reports is the data loss (0 here) plus λ(step)·P(w) at the step's λ, for
    /// each penalty; a scheduled weight decay adds nothing to it.
    func testReportedLossHoldsTheStepsPenalty() throws {
        let rows: [(String, ([Float]) -> Double)] = [
            ("l1", { w in w.reduce(0) { $0 + Double(abs($1)) } }),
            ("l2", { w in w.reduce(0) { $0 + Double($1) * Double($1) } }),
            ("spectral_penalty", { w in 0.5 * w.reduce(0) { $0 + Double($1) * Double($1) } }),
            ("weight_decay", { _ in 0 }),
        ]
        for (attribute, penalty) in rows {
            let model = try checkSpec(spec(layer: ", \(attribute): \(schedule)"))
            let recipe = try TrainingRecipe(model)
            let session = try Session(model: model, seed: 5, batchSize: batch, threads: 1)
            let m = InterpretedModel(session)
            try m.prepareTraining()
            let weight = try XCTUnwrap(m.state.first { $0.name == "0.weight" }?.tensor)
            let w = Array(UnsafeBufferPointer(start: weight.data, count: weight.count))
            let e = try session.trainingExecutor()
            for step in [0, 3, 6, 9] {
                for k in 0..<(batch * features) { m.trainInput[k] = 0 }
                if let labels = e.labelInput { for k in 0..<batch { labels[k] = 0 } }
                m.setScheduled(recipe.scheduled, step: step, stepsPerEpoch: 4)
                let out = m.trainStep(n: batch, step: UInt64(step))
                XCTAssertEqual(out.dataLoss, 0, attribute)
                XCTAssertEqual(out.loss, ramp(step) * penalty(w), accuracy: 1e-6, "\(attribute) at step \(step)")
            }
        }
    }
}
