import Foundation
import Runtime

/// The training loop of `regula train` and of every package `regula compile` generates.
///
/// Per epoch: the loader's order is the Fisher–Yates permutation keyed by (seed, epoch); each
/// step fills the batch, runs the model's training step (forward, penalties, backward) with RNG
/// step = global step, stops on a non-finite loss, then clips and updates. At the epoch end:
/// validation, metrics rows, early stopping (Keras semantics), per-epoch schedules and plateau,
/// and an atomic checkpoint. After the last epoch: best weights restored when asked, test set.
public enum TrainingLoop {
    /// Trains `model` (built with `recipe.seed`) on `data`.
    ///
    /// - Parameters:
    ///   - recipe: the spec's settings with the command line's overrides already applied
    ///     (`TrainingRecipe.applying`).
    ///   - log: receives complete lines without a newline; on a terminal the progress bar is
    ///     drawn on standard output between them (see `ProgressDisplay`).
    public static func run(_ model: TrainableModel, recipe cfg: TrainingRecipe, data: TrainingData, options: TrainOptions,
                           log: @escaping (String) -> Void) throws -> TrainResult {
        let threads = model.pool.threads
        let writing = options.writeCheckpoints || options.writeMetrics
        var runDir = options.outDirectory ?? "runs/" + cfg.name
        if writing {
            let folder = try RunFolder.prepare(requested: options.outDirectory, model: cfg.name, resume: options.resume,
                                               force: options.force, note: log)
            runDir = folder.path
        }
        defer { if writing { RunFolder(path: runDir).unlock() } }
        let ckpt = CheckpointStore(directory: runDir)
        let state = model.state
        if let initPath = options.initCheckpoint { try CheckpointStore.loadModel(initPath, into: state) }

        let loader = BatchLoader(dataset: data.train, batchSize: cfg.batchSize, shuffle: true, seed: cfg.seed,
                                 normalization: data.normalization, augmentations: cfg.data.augmentations,
                                 mixes: cfg.data.mixes, imageShape: cfg.data.inputShape)
        loader.pool = model.pool
        let adversary = cfg.adversarial.map { AdversarialStep(recipe: $0, seed: cfg.seed, elements: cfg.data.inputShape.reduce(1, *)) }
        let consistency = cfg.consistency.map { ConsistencyStep(recipe: $0, stepsPerEpoch: loader.batchesPerEpoch) }
        let stepsPerEpoch = loader.batchesPerEpoch
        var schedule = Schedule(cfg.schedule, lr: cfg.optimizer.lr, epochs: cfg.epochs, stepsPerEpoch: stepsPerEpoch)
        var optimizer = Optimizer(config: cfg.optimizer, clipNorm: cfg.clipGradNorm, params: model.trainable, pool: model.pool,
                                  noise: cfg.gradientNoise.map { ($0, cfg.seed) })
        let ema = cfg.emaDecay.map { WeightAverage(state, decay: $0) }
        /// Evaluation sees the average of the weights when the recipe keeps one.
        func evaluate(_ d: Dataset) -> EvalResult {
            let run = { Evaluation.run(model, d, normalization: data.normalization, seed: cfg.seed) }
            return ema.map { $0.applied(to: state, run) } ?? run()
        }

        var stopping = cfg.earlyStopping.map {
            EarlyStopping<[[Float]]>(patience: $0.patience, minDelta: $0.minDelta, maximize: $0.maximize, restoreBest: $0.restoreBest)
        }
        var history: [[String: Double]] = []
        var step = 0, firstEpoch = 0
        var metrics: MetricsWriter?
        var partial = CheckpointStore.PartialEpoch()
        if options.resume {
            let r = try resume(model, cfg, from: ckpt, optimizer: &optimizer, schedule: &schedule, stopping: &stopping, ema: ema)
            (step, firstEpoch, history, partial) = (r.step, r.epoch, r.history, r.partial)
        }
        if options.writeMetrics {
            // On resume, rows of epochs after the checkpoint (written before a cut-off) are dropped.
            do { metrics = try MetricsWriter(folder: runDir, append: options.resume, keepingEpochs: options.resume ? firstEpoch : nil) } catch {
                throw TrainError.io("cannot write the metrics files in \(runDir): \(error)")
            }
            try RunInfo(recipe: cfg, options: options).write(to: runDir)
        }
        // TensorBoard's view of the same run; writing it reads the weights and nothing else.
        let events = try options.writeMetrics ? EventLog(folder: runDir, resumingAt: options.resume ? step : nil) : nil

        var progress = ProgressDisplay(style: options.progress, lineEvery: options.logEvery, log: log)
        progress.line("training \(cfg.name): \(data.train.count) examples, \(stepsPerEpoch) steps/epoch, batch \(cfg.batchSize), \(cfg.epochs) epochs, \(threads) threads")
        if let d = cfg.emaDecay {
            progress.line("validation and test use the moving average of the weights (decay \(d)), saved as model_ema.safetensors")
        }
        var epochs: [EpochMetrics] = []
        var stoppedEarly = false
        var lastCheckpoint: String? = FileManager.default.fileExists(atPath: ckpt.modelPath) && options.resume ? ckpt.modelPath : nil
        let start = Date()
        var samplesTotal = 0
        // Seconds spent in optimizer steps (data, forward, backward, update) only: the throughput
        // figure leaves out validation, checkpoints and the test pass, which get their own.
        var trainingSeconds = 0.0
        var lr = schedule.lr(step: step, epoch: firstEpoch)
        var checkpointStep = options.resume ? step : -1
        /// Writes model and train state at the current step; `epochsDone` epochs are complete and
        /// `partial` holds the sums of the unfinished one.
        func checkpoint(epochsDone: Int, partial: CheckpointStore.PartialEpoch) throws {
            guard options.writeCheckpoints, step != checkpointStep else { return }
            try CheckpointStore.writeModel(state, to: ckpt.modelPath, step: step)
            if let ema { try CheckpointStore.writeModel(ema.state, to: ckpt.emaPath, step: step) }
            try ckpt.writeState(CheckpointStore.TrainState(step: step, epoch: epochsDone, seed: cfg.seed, history: history,
                                                            learningRate: lr, optimizer: [:], partial: partial), optimizer: optimizer)
            lastCheckpoint = ckpt.modelPath
            checkpointStep = step
        }
        var divergence = DivergenceGuard()
        var interrupted = false

        epochLoop: for epoch in firstEpoch..<cfg.epochs {
            if let m = options.maxSteps, step >= m { break }
            loader.startEpoch(epoch)
            let t0 = Date()
            var lossSum = 0.0, accSum = 0.0, seen = 0
            // A run stopped mid-epoch (by `maxSteps`, a signal or `checkpointEvery`) resumes at its
            // next batch (the epoch's order depends only on the seed and the epoch) with the sums
            // of the batches before it.
            let startBatch = epoch == firstEpoch ? min(max(step - epoch * stepsPerEpoch, 0), stepsPerEpoch) : 0
            if startBatch > 0 { (lossSum, accSum, seen) = (partial.lossSum, partial.accuracySum, partial.seen) }
            let resumedSeen = seen  // examples of this epoch run before a resume (not timed here)
            var finished = true
            for b in startBatch..<stepsPerEpoch {
                if let m = options.maxSteps, step >= m { finished = false; break }
                if options.stopRequested?() == true { finished = false; interrupted = true; break }
                var t = DispatchTime.now().uptimeNanoseconds
                let n = model.fillTraining(loader, batch: b)
                model.profile("(data)", nanoseconds: DispatchTime.now().uptimeNanoseconds - t)
                model.setScheduled(cfg.scheduled, step: step, stepsPerEpoch: stepsPerEpoch)
                let out = adversary?.run(model, loader, batch: b, n: n, step: UInt64(step))
                    ?? consistency?.run(model, loader, batch: b, n: n, step: UInt64(step), teacher: cfg.consistency?.meanTeacher == true ? ema : nil)
                    ?? model.trainStep(n: n, step: UInt64(step))
                let loss = out.loss
                if !loss.isFinite {
                    progress.finishBar()
                    let culprit = model.locateNonFinite(n: n, step: UInt64(step)) {
                        _ = model.fillTraining(loader, batch: b)
                    }
                    throw TrainError.nonFinite(step: step + 1, epoch: epoch + 1, loss: loss, node: culprit, checkpoint: lastCheckpoint)
                }
                lr = schedule.lr(step: step, epoch: epoch)
                t = DispatchTime.now().uptimeNanoseconds
                optimizer.step(lr: lr, momentum: schedule.momentum(step: step), scheduled: model.scheduledValues.map { UnsafePointer($0) })
                ema?.update(from: state)
                model.profile("(optimizer)", nanoseconds: DispatchTime.now().uptimeNanoseconds - t)
                step += 1
                let dataLoss = out.dataLoss
                lossSum += dataLoss * Double(n)
                accSum += out.accuracy * Double(n)
                seen += n
                samplesTotal += n
                events?.step(step, loss: dataLoss)
                options.stepCallback?(StepReport(step: step, epoch: epoch + 1, examples: n, loss: loss, learningRate: lr))
                if let warning = divergence.observe(step: step, loss: dataLoss, learningRate: lr) {
                    progress.finishBar()
                    progress.line("warning: " + warning)
                    metrics?.event(["event": "divergence", "step": "\(step)", "message": warning])
                }
                if let every = options.checkpointEvery, step % every == 0, b + 1 < stepsPerEpoch {
                    try checkpoint(epochsDone: epoch, partial: .init(lossSum: lossSum, accuracySum: accSum, seen: seen))
                }
                let elapsed = Date().timeIntervalSince(t0)
                let rate = Double(seen - resumedSeen) / max(elapsed, 1e-9)
                let remaining = Double((cfg.epochs - epoch - 1) * data.train.count + (data.train.count - seen)) / max(rate, 1e-9)
                progress.step(epoch: epoch + 1, epochs: cfg.epochs, step: b + 1, stepsPerEpoch: stepsPerEpoch,
                              loss: lossSum / Double(seen), accuracy: accSum / Double(seen), samplesPerSecond: rate, eta: remaining)
            }
            progress.finishBar()
            let seconds = Date().timeIntervalSince(t0)
            trainingSeconds += seconds
            var row = EpochMetrics(epoch: epoch + 1, step: step, lr: lr, trainLoss: lossSum / Double(max(seen, 1)),
                                   trainAccuracy: accSum / Double(max(seen, 1)), samplesPerSecond: Double(seen - resumedSeen) / max(seconds, 1e-9),
                                   elapsed: Date().timeIntervalSince(start))
            if !finished {
                // Stopped inside the epoch: keep a resumable checkpoint and the metrics of the steps
                // run (a row whose step is not the epoch's last; `--resume` replaces it with the whole
                // epoch's). An incomplete epoch does not feed early stopping or plateau schedules.
                try checkpoint(epochsDone: epoch, partial: .init(lossSum: lossSum, accuracySum: accSum, seen: seen))
                if seen > 0 { metrics?.append(row) }
                let at = "step \(step) (epoch \(epoch + 1), batch \(step - epoch * stepsPerEpoch)/\(stepsPerEpoch))"
                if interrupted {
                    progress.line("interrupted at \(at)" + (lastCheckpoint.map { "; checkpoint written to \($0)" } ?? ""))
                } else {
                    progress.line("stopped after \(at)")
                }
                break epochLoop
            }
            if let v = data.validation {
                let r = evaluate(v)
                row.valLoss = r.loss
                row.valAccuracy = r.accuracy
            }
            epochs.append(row)
            var monitored: [String: Double] = ["loss": row.trainLoss, "accuracy": row.trainAccuracy]
            if let v = row.valLoss { monitored["val_loss"] = v }
            if let v = row.valAccuracy { monitored["val_accuracy"] = v }
            history.append(monitored)
            metrics?.append(row)
            events?.epoch(row, weights: model.trainable)
            progress.line(Summary.epochLine(row, epochs: cfg.epochs, seconds: seconds))

            if let m = schedule.plateauMonitor, var p = schedule.plateau, let v = monitored[m] {
                schedule.plateauLR = p.step(metric: v, lr: schedule.plateauLR)
                schedule.plateau = p
            }
            var stop = false
            if let es = cfg.earlyStopping, var s = stopping {
                let before = s.bestEpoch
                stop = s.epochEnded(epoch, value: monitored[es.monitor], capture: { es.restoreBest ? model.snapshot() : [] })
                if es.restoreBest, s.bestEpoch != before, options.writeCheckpoints {
                    try CheckpointStore.writeModel(state, to: ckpt.bestPath)
                }
                stopping = s
            }
            checkpointStep = -1  // an epoch end always writes its checkpoint (the state now counts the epoch)
            try checkpoint(epochsDone: epoch + 1, partial: .init())
            if options.stopRequested?() == true {
                interrupted = true
                progress.line("interrupted after epoch \(epoch + 1)" + (lastCheckpoint.map { "; checkpoint written to \($0)" } ?? ""))
                break epochLoop
            }
            if stop { stoppedEarly = true; progress.line("early stopping after epoch \(epoch + 1)"); break epochLoop }
        }

        var bestEpoch: Int?
        if let s = stopping, let best = s.snapshotToRestore, !best.isEmpty {
            model.restore(best)
            bestEpoch = s.bestEpoch.map { $0 + 1 }
            progress.line("restored the weights of epoch \(bestEpoch ?? 0)")
            // The weights are those of the best epoch's last step (so `--resume` will not mix them
            // with the train state of the last epoch).
            if options.writeCheckpoints {
                try CheckpointStore.writeModel(state, to: ckpt.modelPath, step: (bestEpoch ?? 0) * stepsPerEpoch)
            }
        }

        var testLoss: Double?, testAccuracy: Double?, testRate: Double?
        if options.evaluateTest, !interrupted, let t = data.test {
            let t0 = Date()
            let r = evaluate(t)
            testLoss = r.loss
            testAccuracy = r.accuracy
            testRate = Double(r.count) / max(Date().timeIntervalSince(t0), 1e-9)
        }
        let result = TrainResult(epochs: epochs, steps: step, testLoss: testLoss, testAccuracy: testAccuracy,
                                 stoppedEarly: stoppedEarly, bestEpoch: bestEpoch, runDirectory: writing ? runDir : nil,
                                 peakRSS: ProcessMemory.peakResidentBytes() ?? 0, samplesPerSecond: Double(samplesTotal) / max(trainingSeconds, 1e-9),
                                 interrupted: interrupted, divergence: divergence.warning, testExamplesPerSecond: testRate)
        if let p = model.profileReport { progress.line(p) }
        progress.line(Summary.final(result))
        return result
    }
}
