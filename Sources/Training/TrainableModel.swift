import Runtime

/// A model that can be evaluated: its tensors and one evaluation pass (what `regula eval` and
/// the program of `regula compile --inference` need).
public protocol EvaluableModel: AnyObject {
    /// Every parameter and buffer in `state_dict` order (checkpoints, early-stopping snapshots).
    var state: [StateTensor] { get }
    /// The threads the kernels and the optimizer run on.
    var pool: ThreadPool { get }
    /// Examples per evaluation pass (`fillEvaluation` batches of the loader have this size).
    var evaluationBatchSize: Int { get }
    /// Writes evaluation batch `batch` of `loader` into the model's inputs; returns its size.
    func fillEvaluation(_ loader: BatchLoader, batch: Int) -> Int
    /// Data loss and accuracy on the first `n` examples, in evaluation mode.
    func evaluate(n: Int) -> (loss: Double, accuracy: Double)
}

/// What the training loop needs from a model besides evaluation: its trainable tensors and one
/// training step. `regula train` implements it with the IR executor (Interpreter's
/// `InterpretedModel`); a package from `regula compile` implements it with generated,
/// specialized code. Everything else (epochs, data, optimizer, schedules, checkpoints, metrics,
/// progress) is `TrainingLoop`'s.
public protocol TrainableModel: EvaluableModel {
    /// Trainable parameters with their gradient buffers, in optimizer order.
    var trainable: [TrainableTensor] { get }
    /// Writes training batch `batch` of `loader` into the model's inputs; returns its size.
    func fillTraining(_ loader: BatchLoader, batch: Int) -> Int
    /// Forward, loss and backward on the first `n` examples; `step` keys every random draw.
    func trainStep(n: Int, step: UInt64) -> StepOutput
    /// The batch's examples as `trainStep` reads them (`fillTraining` writes them here).
    var trainInput: UnsafeMutablePointer<Float> { get }
    /// ∂loss/∂input written by `trainStep` (same layout as `trainInput`) when the spec trains
    /// adversarially; nil otherwise.
    var inputGradient: UnsafeMutablePointer<Float>? { get }
    /// Consistency regularization's buffers when the spec asks for it, else nil: the logits of
    /// the last `trainStep`, and the target distribution and weight the next one reads.
    var trainLogits: UnsafeMutablePointer<Float>? { get }
    var consistencyTarget: UnsafeMutablePointer<Float>? { get }
    var consistencyWeight: UnsafeMutablePointer<Float>? { get }
    /// The table of scheduled rates the training ops (and the optimizer, for a scheduled weight
    /// decay) read, one per `TrainingRecipe.scheduled` entry, written by the loop before each
    /// step; nil when the spec schedules none.
    var scheduledValues: UnsafeMutablePointer<Double>? { get }

    /// Names what produced a non-finite loss (re-running step `step` on the batch `refill`
    /// writes again), for the error message.
    func locateNonFinite(n: Int, step: UInt64, refill: () -> Void) -> String
    /// Adds `nanoseconds` to a profile row (`REGULA_PROFILE`); the interpreter keeps one.
    func profile(_ label: String, nanoseconds: UInt64)
    /// The profile's table, printed after training, if one was kept.
    var profileReport: String? { get }
}

extension TrainableModel {
    /// A parameter that is already non-finite, else an honest "not located".
    public func locateNonFinite(n: Int, step: UInt64, refill: () -> Void) -> String {
        for s in state where s.tensor.array.contains(where: { !$0.isFinite }) { return "parameter \(s.name)" }
        return "not located (every parameter is finite; `regula train` names the layer)"
    }

    public func profile(_ label: String, nanoseconds: UInt64) {}
    public var profileReport: String? { nil }
    public var inputGradient: UnsafeMutablePointer<Float>? { nil }
    public var trainLogits: UnsafeMutablePointer<Float>? { nil }
    public var consistencyTarget: UnsafeMutablePointer<Float>? { nil }
    public var consistencyWeight: UnsafeMutablePointer<Float>? { nil }
    public var scheduledValues: UnsafeMutablePointer<Double>? { nil }

    /// Writes every scheduled rate's value at optimizer step `step` into `scheduledValues`.
    public func setScheduled(_ schedules: [ValueSchedule], step: Int, stepsPerEpoch: Int) {
        guard !schedules.isEmpty else { return }
        guard let table = scheduledValues else { preconditionFailure("the recipe schedules rates the model has no table for") }
        for (i, s) in schedules.enumerated() { table[i] = s.value(step: step, stepsPerEpoch: stepsPerEpoch) }
    }

    /// The state that is not trained (batch-norm running statistics and counters).
    var bufferTensors: [Tensor] {
        let trained = Set(trainable.map(\.name))
        return state.filter { !trained.contains($0.name) }.map(\.tensor)
    }
}

extension EvaluableModel {
    /// A copy of every value (early stopping's best weights).
    func snapshot() -> [[Float]] { state.map(\.tensor.array) }

    func restore(_ values: [[Float]]) {
        precondition(values.count == state.count, "snapshot does not match the parameter list")
        for (s, v) in zip(state, values) {
            v.withUnsafeBufferPointer { src in
                guard let base = src.baseAddress else { return }
                s.tensor.data.update(from: base, count: min(v.count, s.tensor.count))
            }
        }
    }
}

/// One entry of the `state_dict`.
public struct StateTensor {
    public var name: String
    public var tensor: Tensor
    /// Stored as int64 (`num_batches_tracked`).
    public var counter: Bool

    public init(_ name: String, _ tensor: Tensor, counter: Bool = false) {
        self.name = name
        self.tensor = tensor
        self.counter = counter
    }
}

/// A trainable parameter as the optimizer sees it.
public struct TrainableTensor {
    public var name: String
    public var tensor: Tensor
    public var gradient: UnsafeMutablePointer<Float>
    /// The parameter's weight decay λ (coupled or decoupled as the optimizer says); 0 for none.
    /// With `weightDecaySlot` the value its schedule ends at.
    public var weightDecay: Double
    /// A scheduled λ's slot in the model's `scheduledValues`, which the optimizer reads at every
    /// step instead of `weightDecay`.
    public var weightDecaySlot: Int?
    /// Max-norm constraint on each row (unit) after the update, if any.
    public var maxNorm: Double?

    public init(_ name: String, _ tensor: Tensor, gradient: UnsafeMutablePointer<Float>, weightDecay: Double = 0,
                weightDecaySlot: Int? = nil, maxNorm: Double? = nil) {
        self.name = name
        self.tensor = tensor
        self.gradient = gradient
        self.weightDecay = weightDecay
        self.weightDecaySlot = weightDecaySlot
        self.maxNorm = maxNorm
    }
}

/// The scalars of one training step.
public struct StepOutput {
    /// Data loss plus penalties (what the gradients are of).
    public var loss: Double
    /// The data loss alone (metrics).
    public var dataLoss: Double
    public var accuracy: Double

    public init(loss: Double, dataLoss: Double, accuracy: Double) {
        self.loss = loss
        self.dataLoss = dataLoss
        self.accuracy = accuracy
    }
}
