import Check
import Foundation

/// The run folder's checkpoints.
///
/// `model.safetensors` is exactly the PyTorch `state_dict` of the equivalent `nn.Sequential`:
/// names from `ParamInfo.name`, PyTorch layouts, float32 tensors and `num_batches_tracked` as
/// int64, so `model.load_state_dict(safetensors.torch.load_file(...))` works. `train_state.safetensors`
/// holds what `--resume` needs besides the weights: optimizer moments and, in its metadata, the
/// step, the epoch and the monitored-metric history (early stopping and plateau schedules are
/// replayed from it). RNG state is not stored: every draw is a function of (seed, step, key).
struct CheckpointStore {
    let directory: String
    var modelPath: String { directory + "/model.safetensors" }
    var statePath: String { directory + "/train_state.safetensors" }
    var bestPath: String { directory + "/best.safetensors" }

    static func modelEntries(_ store: ParameterStore) -> [SafeTensors.Entry] {
        zip(store.infos, store.tensors).map { info, t in
            if info.role == .numBatchesTracked {
                return SafeTensors.Entry(name: info.name, shape: info.shape, values: .i64(t.array.map { Int64($0) }))
            }
            return SafeTensors.Entry(name: info.name, shape: info.shape, values: .f32(t.array))
        }
    }

    static func writeModel(_ store: ParameterStore, to path: String) throws {
        try SafeTensors.write(modelEntries(store), metadata: ["format": "pt"], to: path)
    }

    /// Loads a state_dict into the store; every name must be present with the same shape.
    static func loadModel(_ path: String, into store: ParameterStore) throws {
        let (entries, _) = try SafeTensors.read(path)
        let expected = Set(store.infos.map(\.name))
        let unexpected = entries.keys.filter { !expected.contains($0) }.sorted()
        let missing = store.infos.map(\.name).filter { entries[$0] == nil }
        if !missing.isEmpty || !unexpected.isEmpty {
            var m = "\(path) does not match the model"
            if !missing.isEmpty { m += "; missing: \(missing.joined(separator: ", "))" }
            if !unexpected.isEmpty { m += "; unexpected: \(unexpected.joined(separator: ", "))" }
            throw TrainError.checkpoint(m)
        }
        for (info, t) in zip(store.infos, store.tensors) {
            guard let e = entries[info.name] else { continue }
            guard e.shape.reduce(1, *) == info.count, e.shape == info.shape || (e.shape.isEmpty && info.count == 1) || (info.shape.isEmpty && info.count == 1) else {
                throw TrainError.checkpoint("\(path): \(info.name) has shape \(e.shape), the model expects \(info.shape)")
            }
            switch e.values {
            case .f32(let v): for i in 0..<info.count { t.data[i] = v[i] }
            case .i64(let v): for i in 0..<info.count { t.data[i] = Float(v[i]) }
            }
        }
    }

    struct TrainState {
        var step: Int
        /// Epochs completed.
        var epoch: Int
        var seed: UInt64
        /// Monitored values (`val_loss` etc.) of every completed epoch, for replaying callbacks.
        var history: [[String: Double]]
        var learningRate: Double
        var optimizer: [String: [Float]]
    }

    func writeState(_ s: TrainState, optimizer: Optimizer) throws {
        let entries = optimizer.stateTensors().map { SafeTensors.Entry(name: $0.0, shape: $0.1, values: .f32($0.2)) }
        let history = (try? JSONSerialization.data(withJSONObject: s.history, options: [.sortedKeys]))
            .flatMap { String(data: $0, encoding: .utf8) } ?? "[]"
        let meta = ["step": String(s.step), "epoch": String(s.epoch), "seed": String(s.seed),
                    "history": history, "lr": String(s.learningRate)]
        try SafeTensors.write(entries, metadata: meta, to: statePath)
    }

    func readState() throws -> TrainState {
        let (entries, meta) = try SafeTensors.read(statePath)
        guard let step = meta["step"].flatMap(Int.init), let epoch = meta["epoch"].flatMap(Int.init),
              let seed = meta["seed"].flatMap(UInt64.init) else {
            throw TrainError.checkpoint("\(statePath): metadata lacks step, epoch or seed")
        }
        let history = meta["history"].flatMap { $0.data(using: .utf8) }
            .flatMap { try? JSONSerialization.jsonObject(with: $0) as? [[String: Double]] } ?? []
        var opt: [String: [Float]] = [:]
        for (k, e) in entries { if case .f32(let v) = e.values { opt[k] = v } }
        return TrainState(step: step, epoch: epoch, seed: seed, history: history,
                          learningRate: meta["lr"].flatMap(Double.init) ?? 0, optimizer: opt)
    }
}
