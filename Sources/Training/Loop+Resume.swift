import Foundation
import Runtime

extension TrainingLoop {
    /// Where a resumed run continues: the optimizer step, the epochs done, the metric history and
    /// the sums of an unfinished epoch.
    struct Resumed {
        var step: Int
        var epoch: Int
        var history: [[String: Double]]
        var partial: CheckpointStore.PartialEpoch
    }

    /// Loads the run folder's checkpoint into the model, the optimizer and the moving average, and
    /// brings the plateau schedule and early stopping to where they were. The files must be of one
    /// step and one seed (a write cut off between them, or another seed, is refused). RNG state
    /// is not stored: every draw is a function of (seed, step, key).
    static func resume(_ model: TrainableModel, _ cfg: TrainingRecipe, from ckpt: CheckpointStore, optimizer: inout Optimizer,
                       schedule: inout Schedule, stopping: inout EarlyStopping<[[Float]]>?, ema: WeightAverage?) throws -> Resumed {
        let state = model.state
        let modelStep = try CheckpointStore.loadModel(ckpt.modelPath, into: state)
        let st = try ckpt.readState()
        if let ema {
            let emaStep = try CheckpointStore.loadModel(ckpt.emaPath, into: ema.state)
            if let emaStep, emaStep != st.step {
                throw TrainError.checkpoint("\(ckpt.emaPath) is from step \(emaStep) but \(ckpt.statePath) from step \(st.step)")
            }
        }
        if st.seed != cfg.seed { throw TrainError.checkpoint("\(ckpt.statePath) was written with seed \(st.seed), this run uses \(cfg.seed)") }
        if let modelStep, modelStep != st.step {
            throw TrainError.checkpoint("\(ckpt.modelPath) is from step \(modelStep) but \(ckpt.statePath) from step \(st.step) "
                + "(a checkpoint write was cut off); continuing would mix them")
        }
        try optimizer.restore(st.optimizer, steps: st.step)
        // Callbacks are deterministic functions of the metric history: replay it. The best
        // weights an early-stopping snapshot refers to are in best.safetensors.
        var bestWeights: [[Float]] = []
        if cfg.earlyStopping?.restoreBest == true, FileManager.default.fileExists(atPath: ckpt.bestPath) {
            let current = model.snapshot()
            try CheckpointStore.loadModel(ckpt.bestPath, into: state)
            bestWeights = model.snapshot()
            model.restore(current)
        }
        for (k, h) in st.history.enumerated() {
            if let m = schedule.plateauMonitor, var p = schedule.plateau, let v = h[m] {
                schedule.plateauLR = p.step(metric: v, lr: schedule.plateauLR)
                schedule.plateau = p
            }
            if let es = cfg.earlyStopping { _ = stopping?.epochEnded(k, value: h[es.monitor], capture: { bestWeights }) }
        }
        return Resumed(step: st.step, epoch: st.epoch, history: st.history, partial: st.partial)
    }
}
