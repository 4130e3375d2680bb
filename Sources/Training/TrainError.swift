/// Why training, evaluation or a benchmark could not run. Every case carries a message a user
/// can act on; the CLI prints `description` and exits non-zero.
public enum TrainError: Error, CustomStringConvertible, Equatable {
    /// Data files missing, truncated, or not matching the spec's `input:`; raised before training.
    case data(String)
    /// The planned buffers, parameters and dataset would not fit; raised before allocating.
    case memory(requiredBytes: Int, availableBytes: Int, detail: String)
    /// The loss became NaN or infinite. `node` names the first layer whose output went non-finite.
    case nonFinite(step: Int, epoch: Int, loss: Double, node: String, checkpoint: String?)
    /// A checkpoint could not be read or does not fit the model.
    case checkpoint(String)
    /// The model uses something this trainer cannot run.
    case unsupported(String)
    /// Writing the run folder failed.
    case io(String)

    public var description: String {
        switch self {
        case .data(let m): return "error: data: \(m)"
        case .memory(let need, let have, let detail):
            return "error: the model needs \(mib(need)) but only \(mib(have)) of memory is available (\(detail)); reduce the batch size or the model"
        case .nonFinite(let step, let epoch, let loss, let node, let ckpt):
            var s = "error: the loss became \(loss) at step \(step) (epoch \(epoch)); first non-finite output: \(node)"
            if let ckpt { s += "; last good checkpoint kept at \(ckpt)" } else { s += "; no checkpoint was written yet" }
            return s
        case .checkpoint(let m): return "error: checkpoint: \(m)"
        case .unsupported(let m): return "error: not supported: \(m)"
        case .io(let m): return "error: \(m)"
        }
    }
}

/// `12.3 MiB`.
public func mib(_ bytes: Int) -> String { "\(fmt(Double(bytes) / 1_048_576, 1)) MiB" }

