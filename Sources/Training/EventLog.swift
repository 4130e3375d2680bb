import Foundation
import Runtime

/// The loop's TensorBoard tags: the data loss at every step, every metrics row at each epoch
/// end, and a histogram of each trainable tensor's values per epoch.
///
/// Steps are optimizer steps, so the per-step and per-epoch curves share TensorBoard's x axis.
final class EventLog {
    let writer: TensorBoardWriter

    init(folder: String, resumingAt: Int?) throws {
        do { writer = try TensorBoardWriter(folder: folder, resumingAt: resumingAt) } catch {
            throw TrainError.io("cannot write a TensorBoard event file in \(folder): \(error)")
        }
    }

    static let stepLoss = "step/train_loss"

    func step(_ step: Int, loss: Double) { writer.scalar(Self.stepLoss, loss, step: step) }

    /// Writes the epoch's row and weight histograms and flushes the file.
    func epoch(_ row: EpochMetrics, weights: [TrainableTensor]) {
        let s = row.step
        writer.scalar("epoch/train_loss", row.trainLoss, step: s)
        writer.scalar("epoch/train_acc", row.trainAccuracy, step: s)
        if let v = row.valLoss { writer.scalar("epoch/val_loss", v, step: s) }
        if let v = row.valAccuracy { writer.scalar("epoch/val_acc", v, step: s) }
        writer.scalar("epoch/lr", row.lr, step: s)
        writer.scalar("epoch/samples_per_sec", row.samplesPerSecond, step: s)
        for w in weights { writer.histogram("weights/" + w.name, w.tensor.array, step: s) }
        writer.flush()
    }
}
