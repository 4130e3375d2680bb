/// The batch a model is evaluated in: a multiple of the training batch, up to
/// `maxEvaluationBatch`, whose inference arena stays within `evaluationArenaFloor` (or the arena
/// at the training batch, if that is larger). A large model evaluates at its training batch, a
/// small one in larger batches whose GEMMs get more rows per packing of the weights and fewer
/// waits for the pool (the MLP evaluates in batches of 4,096: medians of six interleaved runs,
/// 1.04× faster than 2,048, itself 1.1× faster than 512, which was 1.6× faster than 128), and
/// evaluation never adds more than 64 MiB to a training process.
/// `regula train` and the code `regula compile` generates evaluate in the same batches, so their
/// validation and test figures agree to the bit.
public func evaluationBatchSize(train: Graph, infer: Graph, batchSize: Int) -> Int {
    func arena(_ g: Graph, _ n: Int) -> Int {
        var g = g
        g.bindings[batchDim.description] = n
        return plan(g).memory?.arenaBytes ?? 0
    }
    let budget = max(arena(infer, batchSize), evaluationArenaFloor)
    var multiple = 1
    while batchSize * (multiple + 1) <= maxEvaluationBatch && arena(infer, batchSize * (multiple + 1)) <= budget {
        multiple += 1
    }
    return batchSize * multiple
}

/// The largest evaluation batch.
public let maxEvaluationBatch = 4096
/// What the evaluation arena may grow to beyond its size at the training batch (64 MiB).
public let evaluationArenaFloor = 64 << 20
