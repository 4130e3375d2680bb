import XCTest
import Runtime
import Training
import IR
@testable import Interpreter

/// A scheduled dropout rate reaches the training step: the fraction of zeros in the dropout's
/// output follows the schedule with the step the loop evaluates it at, and evaluation uses the
/// value where the schedule ends (inverted dropout: the identity).
final class ScheduleTrainTests: XCTestCase {
    let batch = 4, width = 4000

    func testScheduledDropoutRateFollowsTheStep() throws {
        let model = try checkSpec("""
        regula: 1
        model: scheduled
        input: [\(width)]
        layers:
          - dropout: {p: {schedule: linear, from: 0, to: 0.5, steps: 10}}
        loss: cross_entropy
        train: {optimizer: {kind: sgd, lr: 0.1}, batch_size: \(batch)}
        """)
        let recipe = try TrainingRecipe(model)
        XCTAssertEqual(recipe.scheduled, [ValueSchedule(.linear(from: 0, to: 0.5, start: 0, length: 10), unit: .steps)])
        let session = try Session(model: model, seed: 3, batchSize: batch, threads: 1)
        let m = InterpretedModel(session)
        try m.prepareTraining()
        let e = try session.trainingExecutor()
        let logits = try XCTUnwrap(e.graph.output(.logits))
        let n = batch * width

        func zeroFraction(step: Int) -> Double {
            for k in 0..<n { m.trainInput[k] = 1 }
            if let l = e.labelInput { for k in 0..<batch { l[k] = 0 } }
            m.setScheduled(recipe.scheduled, step: step, stepsPerEpoch: 100)
            _ = m.trainStep(n: batch, step: UInt64(step))
            let y = UnsafeBufferPointer(start: e.pointer(logits), count: n)
            return Double(y.filter { $0 == 0 }.count) / Double(n)
        }
        // p = 0 at step 0, 0.25 at step 5, 0.5 from step 10 on; tolerance 4·√(pq/N).
        XCTAssertEqual(zeroFraction(step: 0), 0)
        XCTAssertEqual(zeroFraction(step: 5), 0.25, accuracy: 4 * (0.25 * 0.75 / Double(n)).squareRoot())
        XCTAssertEqual(zeroFraction(step: 10), 0.5, accuracy: 4 * (0.25 / Double(n)).squareRoot())
        XCTAssertEqual(zeroFraction(step: 40), 0.5, accuracy: 4 * (0.25 / Double(n)).squareRoot())
        // The kept units are scaled by 1/(1 − p) at the step's p.
        _ = zeroFraction(step: 5)
        let kept = UnsafeBufferPointer(start: e.pointer(logits), count: n).filter { $0 != 0 }
        XCTAssertEqual(Set(kept), [Float(1) / Float(1 - 0.25)])
        // The evaluation graph holds the final value and no slot: inverted dropout is the identity.
        XCTAssertFalse(session.inferGraph.nodes.contains { if case .dropout = $0.op { return true }; return false })
        let training = session.trainGraph.nodes.compactMap { n -> Rate? in if case .dropout(let p, _, _) = n.op { return p }; return nil }
        XCTAssertEqual(training, [Rate(0.5, slot: 0)])
    }
}
