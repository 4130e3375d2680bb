import Foundation
import Runtime
import Training
import XCTest
@testable import Interpreter

/// Consistency regularization through `regula train`'s path (semantics reference §5.5): the
/// target pass's side effects, the term's effect on the update, and the teacher.
final class ConsistencyTrainTests: XCTestCase {
    private func spec(_ train: String, dropout: Bool = true) -> String {
        """
        regula: 1
        model: consistency
        input: [1, 28, 28]
        layers:
          - conv2d: {filters: 4, kernel: 3, padding: 1}
          - batchnorm
          - relu
          - flatten
        \(dropout ? "  - dropout: 0.3\n" : "")  - dense: {units: 10, in: 3136}
        loss: cross_entropy
        train:
          optimizer: {kind: sgd, lr: 0.1}
          batch_size: 32
        \(train)
        data: {dir: \(repoRoot)/data/mnist, limit: 256}
        """
    }

    /// Trains `steps` steps and returns the run's tensors by name.
    private func train(_ text: String, steps: Int, _ tag: String, file: String = "model.safetensors") throws -> [String: [Float]] {
        var options = testOptions(tag)
        options.maxSteps = steps
        options.evaluateTest = false
        addTeardownBlock { [dir = options.outDirectory] in if let dir { try? FileManager.default.removeItem(atPath: dir) } }
        _ = try Interpreter.train(model: try checkSpec(text), options: options, log: { _ in })
        let entries = try SafeTensors.read((options.outDirectory ?? "") + "/" + file).tensors
        return entries.mapValues { $0.floats ?? $0.int64s?.map(Float.init) ?? [] }
    }

    /// The Π-model's target pass runs the network under other dropout noise but leaves the
    /// batch-norm running statistics and counter alone: after one step they are bit for bit those
    /// of the same step without consistency, while the weights differ (the term took effect).
    func testPiTargetPassLeavesStatisticsAloneAndTheTermMovesTheWeights() throws {
        let plain = try train(spec(""), steps: 1, "pi-plain")
        let pi = try train(spec("  consistency: {method: pi, weight: 50}"), steps: 1, "pi")
        for name in ["1.running_mean", "1.running_var", "1.num_batches_tracked"] {
            XCTAssertEqual(pi[name], plain[name], name)
        }
        XCTAssertEqual(pi["1.num_batches_tracked"], [1])
        XCTAssertNotEqual(pi["5.weight"], plain["5.weight"], "the consistency term changed nothing")
    }

    /// Mean Teacher at the first step with no noise: the teacher is a copy of the student, so the
    /// target is the student's own softmax, the term and its gradient vanish, and the update is
    /// the plain one (to rounding: the two softmaxes are computed by different kernels). The
    /// teacher is kept as model_ema.safetensors.
    func testMeanTeacherTermVanishesWhenTeacherEqualsStudentWithoutNoise() throws {
        let plain = try train(spec("", dropout: false), steps: 1, "mt-plain")
        let text = spec("  consistency: {method: mean_teacher, weight: 50, ema_decay: 0.5}", dropout: false)
        let mt = try train(text, steps: 1, "mt")
        for (name, values) in plain where !name.contains("num_batches") {
            let other = try XCTUnwrap(mt[name], name)
            for (a, b) in zip(values, other) { XCTAssertEqual(a, b, accuracy: 1e-6, name) }
        }
        // The teacher after one step: ½·θ₀ + ½·θ₁, so it lies between the start and the student.
        let teacher = try train(text, steps: 1, "mt-teacher", file: "model_ema.safetensors")
        XCTAssertNotNil(teacher["4.weight"])
        XCTAssertNotEqual(teacher["4.weight"], mt["4.weight"])
    }
}
