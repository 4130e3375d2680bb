import Check
import Foundation
import IR
import Runtime
import Training

/// A `Session` as the training loop sees it: the training step and the evaluation pass run the
/// IR graphs on the executor; parameters live in the session's store, gradients in the training
/// arena. Each executor (and its arena) is made when first needed: evaluating a checkpoint never
/// allocates the training arena.
final class InterpretedModel: TrainableModel {
    let session: Session
    let state: [StateTensor]
    var pool: ThreadPool { session.pool }
    private var trainingExecutor: Executor?
    private var trainableTensors: [TrainableTensor]?
    private lazy var evaluator: Executor? = try? session.evaluationExecutor()

    /// One value per scheduled rate of the spec, written by the loop before each step.
    private let scheduleTable: UnsafeMutablePointer<Double>
    private let scheduleCount: Int

    init(_ session: Session) {
        self.session = session
        scheduleCount = session.model.scheduledArguments.count
        scheduleTable = .allocate(capacity: max(scheduleCount, 1))
        scheduleTable.initialize(repeating: 0, count: max(scheduleCount, 1))
        let store = session.store
        state = zip(store.infos, store.tensors).map { StateTensor($0.name, $1, counter: $0.role == .numBatchesTracked) }
    }

    deinit { scheduleTable.deallocate() }

    /// Makes the training executor and finds each parameter's gradient in its arena.
    func prepareTraining() throws {
        let training = try session.trainingExecutor()
        trainableTensors = try session.store.trainable.map { p in
            guard let g = training.gradient(p.info.name) else {
                throw TrainError.unsupported("the training graph has no gradient for \(p.info.name)")
            }
            let r = p.info.regularization
            return TrainableTensor(p.info.name, p.tensor, gradient: g, weightDecay: r.weightDecay,
                                   weightDecaySlot: session.model.scheduleSlot(parameter: p.info.name, attribute: "weight_decay"),
                                   maxNorm: r.maxNorm)
        }
        guard training.labelInput != nil else { throw TrainError.unsupported("the training graph has no labels input") }
        training.scheduled = scheduleTable
        trainingExecutor = training
    }

    private var training: Executor {
        guard let trainingExecutor else { preconditionFailure("prepareTraining() was not called") }
        return trainingExecutor
    }

    var trainable: [TrainableTensor] { trainableTensors ?? [] }

    func fillTraining(_ loader: BatchLoader, batch: Int) -> Int { training.fill(loader, batch: batch) }

    func trainStep(n: Int, step: UInt64) -> StepOutput {
        training.run(batch: n, step: step)
        let loss = training.scalar(.loss) ?? .nan
        return StepOutput(loss: loss, dataLoss: training.scalar(.dataLoss) ?? loss, accuracy: training.scalar(.accuracy) ?? 0)
    }

    var trainInput: UnsafeMutablePointer<Float> { training.dataInput }
    var inputGradient: UnsafeMutablePointer<Float>? { training.graph.output(.inputGradient).map(training.pointer) }
    var trainLogits: UnsafeMutablePointer<Float>? {
        training.graph.input(.consistencyTarget) == nil ? nil : training.graph.output(.logits).map(training.pointer)
    }
    var consistencyTarget: UnsafeMutablePointer<Float>? { training.graph.input(.consistencyTarget).map(training.pointer) }
    var consistencyWeight: UnsafeMutablePointer<Float>? { training.graph.input(.consistencyWeight).map(training.pointer) }
    var scheduledValues: UnsafeMutablePointer<Double>? { scheduleCount > 0 ? scheduleTable : nil }

    var evaluationBatchSize: Int { session.evaluationBatchSize }

    /// Makes the evaluation executor (an error here is one the caller can report).
    func prepareEvaluation() throws {
        let e = try session.evaluationExecutor()
        guard e.labelInput != nil else { throw TrainError.unsupported("the evaluation graph has no labels input") }
        evaluator = e
    }

    func fillEvaluation(_ loader: BatchLoader, batch: Int) -> Int {
        evaluator?.fill(loader, batch: batch, deferInputs: true) ?? 0
    }

    func evaluate(n: Int) -> (loss: Double, accuracy: Double) {
        guard let e = evaluator else { return (.nan, 0) }
        e.run(batch: n, step: 0)
        return (e.scalar(.dataLoss) ?? .nan, e.scalar(.accuracy) ?? 0)
    }

    func locateNonFinite(n: Int, step: UInt64, refill: () -> Void) -> String {
        Faults.locate(training, batch: n, step: step, refill: refill)
    }

    func profile(_ label: String, nanoseconds: UInt64) { training.profile?.add(label, nanoseconds) }
    var profileReport: String? { training.profile?.report }
}
