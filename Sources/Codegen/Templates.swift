/// The spec-independent parts of a generated package, as source text. `MODEL` is replaced by
/// the model's type name. They mirror the interpreter's loop (Interpreter/Trainer.swift), data
/// lookup (DataSource.swift), checkpoints (CheckpointStore.swift) and metrics (Metrics.swift) so
/// that a generated run writes the same files as `regula train`.
enum TrainerTemplate {
    static let loop = #"""
/// Trains with the spec's settings and the command-line overrides, as `regula train` does.
func train(_ options: Options) throws {
    let seed = options.seed ?? Recipe.seed
    let epochs = options.epochs ?? Recipe.epochs
    let threads = options.threads ?? ThreadPool.processorCount
    let data = try TrainingData.load(options)
    let model = MODEL(seed: seed, threads: threads)
    let runDir = options.out ?? "runs/" + Recipe.name
    try FileManager.default.createDirectory(atPath: runDir, withIntermediateDirectories: true)
    let loader = BatchLoader(dataset: data.train, batchSize: Recipe.batchSize, shuffle: true, seed: seed,
                             normalization: Recipe.normalization, augmentations: Recipe.augmentations,
                             imageShape: Recipe.inputShape)
    let stepsPerEpoch = loader.batchesPerEpoch
    let schedule = Recipe.schedule(epochs: epochs, stepsPerEpoch: stepsPerEpoch)
    var optimizer = Optimizer(model)
    let metrics = try MetricsWriter(folder: runDir)
    var history: [[String: Double]] = []
    print("training \(Recipe.name): \(data.train.count) examples, \(stepsPerEpoch) steps/epoch, batch \(Recipe.batchSize), \(epochs) epochs, \(threads) threads")
    var step = 0, samplesTotal = 0
    let start = Date()
    var lr = Recipe.baseLR
    for epoch in 0..<epochs {
        if let m = options.maxSteps, step >= m { break }
        loader.startEpoch(epoch)
        let t0 = Date()
        var lossSum = 0.0, accSum = 0.0, seen = 0
        var finished = true
        for b in 0..<stepsPerEpoch {
            if let m = options.maxSteps, step >= m { finished = false; break }
            let n = loader.fill(batch: b, inputs: model.trainInput, labels: model.trainLabels)
            let r = model.trainStep(n: n, step: UInt64(step))
            guard r.loss.isFinite else {
                throw RunError("the loss became \(r.loss) at step \(step + 1) (epoch \(epoch + 1)); the last good checkpoint is in \(runDir)")
            }
            lr = schedule.learningRate(base: Recipe.baseLR, at: schedule.stepsPerBatch ? step : epoch)
            optimizer.step(model, lr: lr, momentum: schedule.momentum(at: step))
            step += 1
            lossSum += Double(r.dataLoss) * Double(n)
            accSum += Double(r.accuracy) * Double(n)
            seen += n
            samplesTotal += n
            if options.logSteps { print("step \(step) loss \(r.loss)") }
            if (b + 1) % 100 == 0 || b + 1 == stepsPerEpoch {
                let rate = Double(seen) / max(Date().timeIntervalSince(t0), 1e-9)
                print("epoch \(epoch + 1)/\(epochs)  step \(b + 1)/\(stepsPerEpoch)  loss \(String(format: "%.4f", lossSum / Double(seen)))  "
                      + "acc \(String(format: "%.2f", accSum / Double(seen) * 100))%  \(Int(rate.rounded())) samples/s")
            }
        }
        if !finished {
            // Stopped inside the epoch (--steps): checkpoint, but an incomplete epoch has no metrics row.
            try Checkpoint.writeModel(model.state, to: runDir + "/model.safetensors")
            try Checkpoint.writeState(optimizer.stateTensors(model), step: step, epoch: epoch, seed: seed, history: history,
                                      learningRate: lr, to: runDir + "/train_state.safetensors")
            print("stopped after \(step) steps (epoch \(epoch + 1), batch \(step - epoch * stepsPerEpoch)/\(stepsPerEpoch))")
            break
        }
        let seconds = Date().timeIntervalSince(t0)
        var row = EpochMetrics(epoch: epoch + 1, step: step, lr: lr, trainLoss: lossSum / Double(max(seen, 1)),
                               trainAccuracy: accSum / Double(max(seen, 1)), samplesPerSecond: Double(seen) / max(seconds, 1e-9),
                               elapsed: Date().timeIntervalSince(start))
        if let v = data.validation {
            let e = evaluate(model, v, seed: seed)
            row.valLoss = e.loss
            row.valAccuracy = e.accuracy
        }
        var monitored: [String: Double] = ["loss": row.trainLoss, "accuracy": row.trainAccuracy]
        if let v = row.valLoss { monitored["val_loss"] = v }
        if let v = row.valAccuracy { monitored["val_accuracy"] = v }
        history.append(monitored)
        metrics.append(row)
        print(epochLine(row, epochs: epochs, seconds: seconds))
        try Checkpoint.writeModel(model.state, to: runDir + "/model.safetensors")
        try Checkpoint.writeState(optimizer.stateTensors(model), step: step, epoch: epoch + 1, seed: seed, history: history,
                                  learningRate: lr, to: runDir + "/train_state.safetensors")
    }
    var summary = "done: \(step) steps"
    if let t = data.test {
        let e = evaluate(model, t, seed: seed)
        summary += ", test accuracy \(String(format: "%.2f", e.accuracy * 100))%, test loss \(String(format: "%.4f", e.loss))"
    }
    let rate = Double(samplesTotal) / max(Date().timeIntervalSince(start), 1e-9)
    print(summary + ", \(Int(rate.rounded())) samples/s, run folder \(runDir)")
}
"""#

    static let main = #"""
import Foundation
import Runtime

do {
    let options = try Options.parse(Array(CommandLine.arguments.dropFirst()))
    try ENTRY(options)
} catch let error as RunError {
    FileHandle.standardError.write(Data("error: \(error.message)\n".utf8))
    exit(error.usage ? 2 : 1)
} catch {
    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    exit(1)
}
"""#

    static let inference = #"""
/// Loads `--checkpoint` (a `model.safetensors` from `regula train` or the generated trainer) and
/// reports the test loss and accuracy.
func evaluateCheckpoint(_ options: Options) throws {
    let data = try TrainingData.load(options)
    let model = MODEL(seed: options.seed ?? Recipe.seed, threads: options.threads ?? ThreadPool.processorCount)
    let path = options.checkpoint ?? "runs/\(Recipe.name)/model.safetensors"
    try Checkpoint.readModel(model.state, from: path)
    guard let test = data.test else { throw RunError("the spec names no test set") }
    let e = evaluate(model, test, seed: options.seed ?? Recipe.seed)
    print("test loss \(String(format: "%.4f", e.loss)), test accuracy \(String(format: "%.2f", e.accuracy * 100))% on \(e.count) examples")
}
"""#
}
