import Foundation
import Runtime

/// Consistency regularization as the loop runs it (semantics reference §5.5).
///
/// Π-model (Laine & Aila 2017, "Temporal Ensembling for Semi-Supervised Learning"): a second
/// training-mode pass of the same weights under other noise gives the target softmax. Mean
/// Teacher (Tarvainen & Valpola 2017, "Mean teachers are better role models"): a pass of the
/// weights' exponential moving average (the loop's `WeightAverage`, updated after every step)
/// gives it. Either way the target is a constant for the update (no gradient reaches the
/// teacher), and the objective gains w(t)/(N·K)·Σ(softmax(z) − p)², with
/// w(t) = weight·exp(−5(1 − T)²), T = min(1, epochs done / ramp_up) counted in fractional epochs,
/// or w(t) from the spec's schedule of the weight.
public struct ConsistencyRecipe: Hashable, Sendable {
    public var meanTeacher: Bool
    public var weight: Float
    /// Epochs of the ramp-up (0: the full weight from the first step).
    public var rampUpEpochs: Int
    /// The logits of one example: `rows` distributions over `classes` (rows is 1 for [N, K]).
    public var rows: Int
    public var classes: Int

    /// The weight as a schedule over the run, instead of `weight` and the ramp-up.
    public var weightSchedule: ValueSchedule?

    public init(meanTeacher: Bool, weight: Float, rampUpEpochs: Int = 0, rows: Int = 1, classes: Int,
                weightSchedule: ValueSchedule? = nil) {
        self.weightSchedule = weightSchedule
        self.meanTeacher = meanTeacher
        self.weight = weight
        self.rampUpEpochs = rampUpEpochs
        self.rows = rows
        self.classes = classes
    }

    /// w(t) at optimizer step `step` (from 0) of a run with `stepsPerEpoch` steps per epoch.
    public func weight(step: Int, stepsPerEpoch: Int) -> Float {
        if let s = weightSchedule { return Float(s.value(step: step, stepsPerEpoch: stepsPerEpoch)) }
        guard rampUpEpochs > 0 else { return weight }
        let t = min(1, Double(step) / Double(max(stepsPerEpoch, 1)) / Double(rampUpEpochs))
        return weight * Float(exp(-5 * (1 - t) * (1 - t)))
    }
}

/// Runs one step with the consistency term: the target pass, then the student's.
///
/// The target pass is a training-mode step whose random key differs from the step's (other
/// dropout noise) with the consistency weight at 0; it leaves batch-norm statistics and counters
/// as it found them (in the teacher's own tensors for Mean Teacher), and its gradients are
/// overwritten by the student's pass, which starts from a fresh `fillTraining` of the batch.
struct ConsistencyStep {
    let recipe: ConsistencyRecipe
    let stepsPerEpoch: Int

    /// The random key of the target pass of `step`: never a step's own key.
    static func targetKey(_ step: UInt64) -> UInt64 { step | 1 << 63 }

    func run(_ model: TrainableModel, _ loader: BatchLoader, batch: Int, n: Int, step: UInt64, teacher: WeightAverage?) -> StepOutput {
        guard let logits = model.trainLogits, let target = model.consistencyTarget, let weight = model.consistencyWeight else {
            preconditionFailure("consistency regularization needs a model with trainLogits, consistencyTarget and consistencyWeight")
        }
        let state = model.state, classes = recipe.classes, count = n * recipe.rows * classes
        // The target pass: weight 0 and a uniform target, so its own term is exactly 0.
        weight[0] = 0
        target.update(repeating: 1 / Float(classes), count: count)
        let buffers = model.bufferTensors
        let pass = {
            let saved = buffers.map(\.array)
            _ = model.trainStep(n: n, step: Self.targetKey(step))
            for (t, v) in zip(buffers, saved) { t.data.update(from: v, count: v.count) }
        }
        if let teacher { teacher.applied(to: state, pass) } else { pass() }
        var p = [Float](repeating: 0, count: count)
        p.withUnsafeMutableBufferPointer { Softmax.forward(rows: count / classes, n: classes, logits, $0.baseAddress.unsafelyUnwrapped) }
        // The student's pass on the same batch.
        _ = model.fillTraining(loader, batch: batch)
        p.withUnsafeBufferPointer { target.update(from: $0.baseAddress.unsafelyUnwrapped, count: count) }
        weight[0] = recipe.weight(step: Int(step), stepsPerEpoch: stepsPerEpoch)
        return model.trainStep(n: n, step: step)
    }
}
