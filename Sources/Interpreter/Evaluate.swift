import Check
import Foundation
import Runtime
import Training

/// `regula eval SPEC --checkpoint F`: test loss and accuracy of saved weights, in evaluation
/// mode (dropout off, batchnorm on running statistics, stochastic residuals at expectation).
public func evaluate(model: CheckedModel, checkpoint: String, options: TrainOptions = TrainOptions()) throws -> EvalResult {
    let (session, test, normalization) = try evaluationSession(model, options)
    let interpreted = InterpretedModel(session)
    try interpreted.prepareEvaluation()
    try CheckpointStore.loadModel(checkpoint, into: interpreted.state)
    return Evaluation.run(interpreted, test, normalization: normalization, seed: session.seed)
}

/// A session for the spec with its test set, as `regula eval` and the evaluation benchmark use it.
private func evaluationSession(_ model: CheckedModel, _ options: TrainOptions) throws -> (Session, Dataset, Normalization) {
    let data = try TrainingData.load(TrainingRecipe(model).data, options: options)
    guard let test = data.test else { throw TrainError.data("the spec's data section has no test set") }
    let session = try Session(model: model, seed: options.seed ?? model.training.seed,
                              batchSize: model.training.batchSize, threads: options.threads ?? ThreadPool.processorCount)
    return (session, test, data.normalization)
}

/// Training throughput of a model on its real data (`regula bench`).
public struct BenchmarkResult: Equatable {
    public var model: String
    public var batchSize: Int
    /// Timed steps (after warm-up).
    public var steps: Int
    public var samplesPerSecond: Double
    /// Peak resident memory of the whole process, in bytes.
    public var peakRSS: Int
    public var threads: Int
}

/// Trains `steps` optimizer steps (after `warmup` untimed ones) of `model` on its training data
/// with nothing written, and reports samples/s and peak RSS.
public func benchmark(model: CheckedModel, steps: Int = 200, warmup: Int = 10,
                      options: TrainOptions = TrainOptions()) throws -> BenchmarkResult {
    var o = options
    o.maxSteps = warmup + steps
    o.writeCheckpoints = false
    o.writeMetrics = false
    o.evaluateTest = false
    o.progress = .quiet
    o.epochs = max(o.epochs ?? model.training.epochs, 1_000)
    var start: UInt64 = 0, end: UInt64 = 0, samples = 0
    let batch = model.training.batchSize
    o.stepCallback = { r in
        let now = DispatchTime.now().uptimeNanoseconds
        if r.step == warmup { start = now }
        if r.step > warmup { samples += r.examples; end = now }
    }
    _ = try train(model: model, options: o) { _ in }
    let seconds = Double(end - start) / 1e9
    return BenchmarkResult(model: model.name, batchSize: batch, steps: steps,
                           samplesPerSecond: seconds > 0 ? Double(samples) / seconds : 0,
                           peakRSS: ProcessMemory.peakResidentBytes() ?? 0, threads: options.threads ?? ThreadPool.processorCount)
}

/// Evaluation throughput (`regula bench`): examples/s over whole passes of the test set in
/// evaluation mode, on freshly initialized weights, after one untimed pass. Passes repeat until
/// `seconds` have elapsed (at least one), as the peer times a loop rather than a single pass:
/// one pass of the MLP takes about 15 ms, shorter than the machine's hiccups.
public func benchmarkEvaluation(model: CheckedModel, options: TrainOptions = TrainOptions(), seconds: Double = 2) throws -> Double {
    let (session, test, normalization) = try evaluationSession(model, options)
    let interpreted = InterpretedModel(session)
    try interpreted.prepareEvaluation()
    _ = Evaluation.run(interpreted, test, normalization: normalization, seed: session.seed)
    let start = DispatchTime.now().uptimeNanoseconds
    var examples = 0, elapsed = 0.0
    repeat {
        examples += Evaluation.run(interpreted, test, normalization: normalization, seed: session.seed).count
        elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    } while elapsed < seconds
    return Double(examples) / elapsed
}
