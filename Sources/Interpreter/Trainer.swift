import Check
import IR
import Runtime
import Training

/// `regula train`: the spec's `train:` section run by the shared `TrainingLoop` on the
/// interpreter (the IR executor), after the data are loaded and the memory the run needs is
/// checked against what the machine has.
///
/// - Parameter log: receives complete lines without a newline; on a terminal the progress bar
///   is drawn on standard output between them.
public func train(model: CheckedModel, options: TrainOptions, log: @escaping (String) -> Void) throws -> TrainResult {
    var options = options
    // run.json records each layer's resolved regularization as `regula summary` shows it.
    for row in summarize(model).rows where !row.regularization.isEmpty { options.regularization[row.name + " " + row.kind] = row.regularization }
    let recipe = try TrainingRecipe(model).applying(options)
    let data = try TrainingData.load(recipe.data, options: options)
    let session = try Session(model: model, seed: recipe.seed, batchSize: recipe.batchSize,
                              threads: options.threads ?? ThreadPool.processorCount)
    try MemoryCheck.verify(session, data: data, limit: options.memoryLimit)
    let interpreted = InterpretedModel(session)
    try interpreted.prepareTraining()
    return try TrainingLoop.run(interpreted, recipe: recipe, data: data, options: options, log: log)
}
