import Training
import XCTest
import IR
import Runtime
@testable import Interpreter

/// Evaluation runs in larger batches than training when memory allows: a multiple of the
/// training batch, at most `maxEvaluationBatch`, whose inference arena stays within 64 MiB (or its size at the
/// training batch, if larger).
final class EvaluationBatchTests: XCTestCase {
    func testEvaluationBatchIsABoundedMultipleOfTheTrainingBatch() throws {
        for name in ["mnist_mlp", "mnist_cnn", "shake_shake"] {
            let model = try loadSpec(name)
            let session = try Session(model: model, seed: 0, batchSize: model.training.batchSize, threads: 1)
            let b = session.evaluationBatchSize, n = session.batchSize
            XCTAssertEqual(b % n, 0, name)
            XCTAssertLessThanOrEqual(b, IR.maxEvaluationBatch, name)
            let planned = session.plannedBytes()
            var atTrainingBatch = session.inferGraph
            atTrainingBatch.bindings[batchDim.description] = n
            let budget = max(IR.plan(atTrainingBatch).memory?.arenaBytes ?? 0, IR.evaluationArenaFloor)
            XCTAssertLessThanOrEqual(planned.infer, budget, name)
            // The next multiple would break a bound.
            if b + n <= IR.maxEvaluationBatch {
                var g = session.inferGraph
                g.bindings[batchDim.description] = b + n
                XCTAssertGreaterThan(IR.plan(g).memory?.arenaBytes ?? 0, budget, name)
            }
            print("\(name): training batch \(n), evaluation batch \(b)")
        }
    }

    /// Loss and accuracy do not depend on the evaluation batch (up to the order of the loss sum).
    func testEvaluationResultsDoNotDependOnTheBatch() throws {
        let model = try loadSpec("mnist_mlp")
        let data = try TrainingData.load(TrainingRecipe(model).data, options: testOptions("eval-batch"))
        let test = try XCTUnwrap(data.test)
        let large = try Session(model: model, seed: 3, batchSize: 128, threads: 2)
        let small = try Session(model: model, seed: 3, batchSize: 128, threads: 2, evaluationBatch: 128)
        XCTAssertGreaterThan(large.evaluationBatchSize, 128, "the MLP evaluates in larger batches")
        func evaluate(_ s: Session) throws -> EvalResult {
            let m = InterpretedModel(s)
            try m.prepareEvaluation()
            return Evaluation.run(m, test, normalization: data.normalization, seed: 3)
        }
        let a = try evaluate(large), b = try evaluate(small)
        XCTAssertEqual(a.count, 10_000)
        XCTAssertEqual(a.accuracy, b.accuracy, accuracy: 1e-9)
        XCTAssertEqual(a.loss, b.loss, accuracy: 1e-6 * abs(b.loss))
    }

    /// An evaluation batch whose only reader of the inputs is a dense layer leaves them to that
    /// layer, which writes them a block of rows at a time: logits and loss are those of the batch
    /// written first, bit for bit (a full batch, the smaller last one, and again after it). A
    /// convolution reads its input whole, so the CNN's evaluation does not defer.
    func testDeferredInputsGiveTheLogitsOfInputsWrittenFirst() throws {
        let model = try loadSpec("mnist_mlp")
        let data = try TrainingData.load(TrainingRecipe(model).data, options: testOptions("eval-defer"))
        let test = try XCTUnwrap(data.test)
        let session = try Session(model: model, seed: 5, batchSize: 128, threads: 2)
        let e = try session.evaluationExecutor()
        XCTAssertNotNil(e.deferrableInput)
        let loader = BatchLoader(dataset: test, batchSize: session.evaluationBatchSize, shuffle: false, seed: 5,
                                 normalization: data.normalization)
        let logits = try XCTUnwrap(e.graph.output(.logits).map(e.pointer))
        for b in [0, loader.batchesPerEpoch - 1, 0] {
            let n = e.fill(loader, batch: b)
            XCTAssertNil(e.pendingInputRows)
            e.run(batch: n, step: 0)
            let written = Array(UnsafeBufferPointer(start: logits, count: n * 10)), loss = e.scalar(.dataLoss)
            XCTAssertEqual(e.fill(loader, batch: b, deferInputs: true), n)
            XCTAssertNotNil(e.pendingInputRows)
            e.run(batch: n, step: 0)
            XCTAssertNil(e.pendingInputRows)
            XCTAssertEqual((0..<(n * 10)).first { logits[$0].bitPattern != written[$0].bitPattern }, nil, "batch \(b)")
            XCTAssertEqual(e.scalar(.dataLoss)?.bitPattern, loss?.bitPattern)
        }
        let cnn = try Session(model: try loadSpec("mnist_cnn"), seed: 5, batchSize: 64, threads: 2)
        XCTAssertNil(try cnn.evaluationExecutor().deferrableInput)
    }
}
