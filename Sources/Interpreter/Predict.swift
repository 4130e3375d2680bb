import Check
import IR
import Runtime
import Training

/// A batch of test examples as the evaluation graph reads them, and the logits it computes.
public struct Predictions {
    /// The examples after `data.normalize` (token ids as floats), row-major `inputShape`.
    public var inputs: [Float]
    public var inputShape: [Int]
    /// The graph's logits output (before the loss), row-major `logitShape`.
    public var logits: [Float]
    public var logitShape: [Int]
}

/// The logits of a checkpoint on the first test examples (`options.testLimit` of them), in
/// evaluation mode, with the inputs that produced them: what an exported model must reproduce.
public func predict(model: CheckedModel, checkpoint: String, options: TrainOptions = TrainOptions()) throws -> Predictions {
    let data = try TrainingData.load(TrainingRecipe(model).data, options: options)
    guard let test = data.test else { throw TrainError.data("the spec's data section has no test set") }
    let session = try Session(model: model, seed: options.seed ?? model.training.seed,
                              batchSize: model.training.batchSize, threads: options.threads ?? ThreadPool.processorCount)
    let interpreted = InterpretedModel(session)
    try CheckpointStore.loadModel(checkpoint, into: interpreted.state)
    let e = try session.evaluationExecutor()
    let g = e.graph
    guard let x = g.input(.data), let y = g.output(.logits) else {
        throw TrainError.unsupported("the evaluation graph has no data input or logits output")
    }
    let loader = BatchLoader(dataset: test, batchSize: session.evaluationBatchSize, shuffle: false, seed: session.seed,
                             normalization: data.normalization)
    var out = Predictions(inputs: [], inputShape: [0] + g[x].perExample.compactMap(\.value),
                          logits: [], logitShape: [0] + g[y].perExample.compactMap(\.value))
    for b in 0..<loader.batchesPerEpoch {
        let n = e.fill(loader, batch: b)
        // Copy the inputs before running: the arena may reuse the input's memory.
        out.inputs += UnsafeBufferPointer(start: e.dataInput, count: n * e.unitCount[x.raw])
        e.run(batch: n, step: 0)
        out.logits += UnsafeBufferPointer(start: e.pointer(y), count: n * e.unitCount[y.raw])
        out.inputShape[0] += n
        out.logitShape[0] += n
    }
    return out
}
