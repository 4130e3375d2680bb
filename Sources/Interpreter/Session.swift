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
    /// The evaluation batch: a multiple of the training batch, up to `maxEvaluationBatch`, whose
    /// inference arena stays within `evaluationArenaFloor` (or the arena at the training batch,
    /// if that is larger): a large model evaluates at its training batch, a small one in larger
    /// batches whose GEMMs get more rows per packing of the weights (the MLP evaluates 1.6×
    /// faster), and evaluation never adds more than 64 MiB to a training process.
    let evaluationBatchSize: Int
    static let maxEvaluationBatch = 512
    /// What the evaluation arena may grow to beyond its size at the training batch (64 MiB).
    static let evaluationArenaFloor = 64 << 20
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
        evaluationBatchSize = evaluationBatch ?? Session.evaluationBatch(train: trainGraph, infer: inferGraph, batchSize: batchSize)
    }

    static func evaluationBatch(train: Graph, infer: Graph, batchSize: Int) -> Int {
        func arena(_ g: Graph, _ n: Int) -> Int {
            var g = g
            g.bindings[batchDim.description] = n
            return IR.plan(g).memory?.arenaBytes ?? 0
        }
        let budget = max(arena(infer, batchSize), evaluationArenaFloor)
        var multiple = 1
        while batchSize * (multiple + 1) <= maxEvaluationBatch && arena(infer, batchSize * (multiple + 1)) <= budget {
            multiple += 1
        }
        return batchSize * multiple
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

    /// Mean loss and accuracy over a dataset in evaluation mode.
    func evaluate(_ data: Dataset, normalization: Normalization) throws -> EvalResult {
        let e = try evaluationExecutor()
        let loader = BatchLoader(dataset: data, batchSize: evaluationBatchSize, shuffle: false, seed: seed, normalization: normalization)
        guard e.labelInput != nil else { throw TrainError.unsupported("evaluation graph has no labels input") }
        var lossSum = 0.0, correct = 0.0, seen = 0
        for b in 0..<loader.batchesPerEpoch {
            let n = e.fill(loader, batch: b)
            e.run(batch: n, step: 0)
            lossSum += (e.scalar(.dataLoss) ?? .nan) * Double(n)
            correct += (e.scalar(.accuracy) ?? 0) * Double(n)
            seen += n
        }
        return EvalResult(loss: lossSum / Double(max(seen, 1)), accuracy: correct / Double(max(seen, 1)), count: seen)
    }
}
