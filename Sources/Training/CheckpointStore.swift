import Foundation
import Runtime

/// The run folder's checkpoints.
///
/// `model.safetensors` is exactly the PyTorch `state_dict` of the equivalent `nn.Sequential`:
/// the model's `state` names, PyTorch layouts, float32 tensors and `num_batches_tracked` as
/// int64, so `model.load_state_dict(safetensors.torch.load_file(...))` works. `train_state.safetensors`
/// holds what `--resume` needs besides the weights: optimizer moments and, in its metadata, the
/// step, the epoch and the monitored-metric history (early stopping and plateau schedules are
/// replayed from it). RNG state is not stored: every draw is a function of (seed, step, key).
public struct CheckpointStore {
    public let directory: String

    public init(directory: String) { self.directory = directory }

    var modelPath: String { directory + "/model.safetensors" }
    var statePath: String { directory + "/train_state.safetensors" }
    var bestPath: String { directory + "/best.safetensors" }
    /// The average of the weights (`train.ema`), under the model's names.
    var emaPath: String { directory + "/model_ema.safetensors" }

    static func modelTensors(_ state: [StateTensor]) -> [String: SafeTensor] {
        var out: [String: SafeTensor] = [:]
        for s in state {
            let t = s.tensor
            out[s.name] = s.counter
                ? SafeTensor(int64s: t.array.map { Int64($0) }, shape: t.shape)
                : SafeTensor(floats: UnsafeBufferPointer(start: t.data, count: t.count), shape: t.shape)
        }
        return out
    }

    /// - Parameter step: the optimizer step the weights belong to, kept in the metadata so that
    ///   `--resume` can tell a model from a different step than its train state (a write cut
    ///   between the two files) instead of continuing from a mixture.
    public static func writeModel(_ state: [StateTensor], to path: String, step: Int? = nil) throws {
        var metadata = ["format": "pt"]
        if let step { metadata["regula_step"] = String(step) }
        do { try SafeTensors.write(modelTensors(state), metadata: metadata, to: path) } catch {
            throw TrainError.io("cannot write \(path): \(error)")
        }
    }

    static func read(_ path: String) throws -> (tensors: [String: SafeTensor], metadata: [String: String]) {
        do { return try SafeTensors.read(path) } catch {
            throw TrainError.checkpoint("\(error)")
        }
    }

    /// Loads a state_dict into the model's tensors; every name must be present with the same
    /// shape. Returns the step recorded in its metadata, if any.
    @discardableResult
    public static func loadModel(_ path: String, into state: [StateTensor]) throws -> Int? {
        let (entries, metadata) = try read(path)
        let expected = Set(state.map(\.name))
        let unexpected = entries.keys.filter { !expected.contains($0) }.sorted()
        let missing = state.map(\.name).filter { entries[$0] == nil }
        if !missing.isEmpty || !unexpected.isEmpty {
            var m = "\(path) does not match the model"
            if !missing.isEmpty { m += "; missing: \(missing.joined(separator: ", "))" }
            if !unexpected.isEmpty { m += "; unexpected: \(unexpected.joined(separator: ", "))" }
            throw TrainError.checkpoint(m)
        }
        for s in state {
            let t = s.tensor
            guard let e = entries[s.name] else { continue }
            guard e.elementCount == t.count, e.shape == t.shape || t.count == 1 else {
                throw TrainError.checkpoint("\(path): \(s.name) has shape \(e.shape), the model expects \(t.shape)")
            }
            if let v = e.int64s {
                for i in 0..<t.count { t.data[i] = Float(v[i]) }
            } else if let v = e.floats {
                for i in 0..<t.count { t.data[i] = v[i] }
            } else {
                throw TrainError.checkpoint("\(path): \(s.name) has dtype \(e.dtype.rawValue), expected F32 or I64")
            }
        }
        return metadata["regula_step"].flatMap(Int.init)
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
        /// Sums over the batches of an unfinished epoch (a mid-epoch checkpoint), so its metrics
        /// row after `--resume` is the one an uninterrupted run writes.
        var partial = PartialEpoch()
    }

    struct PartialEpoch: Equatable {
        var lossSum = 0.0, accuracySum = 0.0, seen = 0
    }

    func writeState(_ s: TrainState, optimizer: Optimizer) throws {
        var tensors: [String: SafeTensor] = [:]
        for (name, shape, values) in optimizer.stateTensors() { tensors[name] = SafeTensor(floats: values, shape: shape) }
        let history = (try? JSONSerialization.data(withJSONObject: s.history, options: [.sortedKeys]))
            .flatMap { String(data: $0, encoding: .utf8) } ?? "[]"
        let meta = ["step": String(s.step), "epoch": String(s.epoch), "seed": String(s.seed),
                    "history": history, "lr": String(s.learningRate),
                    "partial_loss_sum": "\(s.partial.lossSum)", "partial_accuracy_sum": "\(s.partial.accuracySum)",
                    "partial_seen": String(s.partial.seen)]
        do { try SafeTensors.write(tensors, metadata: meta, to: statePath) } catch {
            throw TrainError.io("cannot write \(statePath): \(error)")
        }
    }

    func readState() throws -> TrainState {
        let (entries, meta) = try CheckpointStore.read(statePath)
        guard let step = meta["step"].flatMap(Int.init), let epoch = meta["epoch"].flatMap(Int.init),
              let seed = meta["seed"].flatMap(UInt64.init) else {
            throw TrainError.checkpoint("\(statePath): metadata lacks step, epoch or seed")
        }
        let history = meta["history"].flatMap { $0.data(using: .utf8) }
            .flatMap { try? JSONSerialization.jsonObject(with: $0) as? [[String: Double]] } ?? []
        var opt: [String: [Float]] = [:]
        for (k, e) in entries { if let v = e.floats { opt[k] = v } }
        let partial = PartialEpoch(lossSum: meta["partial_loss_sum"].flatMap(Double.init) ?? 0,
                                   accuracySum: meta["partial_accuracy_sum"].flatMap(Double.init) ?? 0,
                                   seen: meta["partial_seen"].flatMap(Int.init) ?? 0)
        return TrainState(step: step, epoch: epoch, seed: seed, history: history,
                          learningRate: meta["lr"].flatMap(Double.init) ?? 0, optimizer: opt, partial: partial)
    }
}
