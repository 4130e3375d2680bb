import Check
import IR
import Runtime

/// A model ready to run: its parameters, the training step and the evaluation pass.
///
/// Both executors share the parameter store, so evaluation always sees the current weights.
final class Session {
    let model: CheckedModel
    let store: ParameterStore
    let trainGraph: Graph
    let inferGraph: Graph
    let pool: ThreadPool
    let seed: UInt64
    let batchSize: Int
    /// The evaluation batch (`IR.evaluationBatchSize`): larger than the training batch when the
    /// model is small enough.
    let evaluationBatchSize: Int
    private var evaluator: Executor?
    private var trainExecutor: Executor?

    /// The IR pipelines (`lower → cse → autodiff | inference → fuse → plan`) for the batch size.
    static func graphs(_ model: CheckedModel, batchSize: Int, fusion: Bool = true) throws -> (train: Graph, infer: Graph) {
        var train = Pipeline(mode: .train, batchSize: batchSize)
        var infer = Pipeline(mode: .inference, batchSize: batchSize)
        train.fusion = fusion
        infer.fusion = fusion
        return (try train.run(model, print: { _ in }), try infer.run(model, print: { _ in }))
    }

    init(model: CheckedModel, seed: UInt64, batchSize: Int, threads: Int, fusion: Bool = true,
         evaluationBatch: Int? = nil) throws {
        self.model = model
        self.seed = seed
        self.batchSize = batchSize
        self.pool = ThreadPool(threads: max(1, threads))
        store = ParameterStore(parameters: model.parameters, seed: seed)
        (trainGraph, inferGraph) = try Session.graphs(model, batchSize: batchSize, fusion: fusion)
        evaluationBatchSize = evaluationBatch ?? IR.evaluationBatchSize(train: trainGraph, infer: inferGraph, batchSize: batchSize)
    }

    /// Planned bytes of one training step (arena) for the batch size, before allocating it.
    func plannedBytes() -> (train: Int, infer: Int) {
        var t = trainGraph, i = inferGraph
        t.bindings[batchDim.description] = batchSize
        i.bindings[batchDim.description] = evaluationBatchSize
        return (IR.plan(t).memory?.arenaBytes ?? 0, IR.plan(i).memory?.arenaBytes ?? 0)
    }

    func trainingExecutor() throws -> Executor {
        if let e = trainExecutor { return e }
        let e = try Executor(graph: trainGraph, store: store, batch: batchSize, seed: seed, pool: pool)
        trainExecutor = e
        return e
    }

    func evaluationExecutor() throws -> Executor {
        if let e = evaluator { return e }
        let e = try Executor(graph: inferGraph, store: store, batch: evaluationBatchSize, seed: seed, pool: pool)
        evaluator = e
        return e
    }
}
