import Runtime

/// Mean data loss and accuracy of a model over a dataset, in evaluation mode, in the model's
/// evaluation batches (results do not depend on the batch: each example's loss is its own).
public enum Evaluation {
    public static func run(_ model: EvaluableModel, _ data: Dataset, normalization: Normalization, seed: UInt64) -> EvalResult {
        let loader = BatchLoader(dataset: data, batchSize: model.evaluationBatchSize, shuffle: false, seed: seed,
                                 normalization: normalization)
        loader.pool = model.pool
        var lossSum = 0.0, correct = 0.0, seen = 0
        for b in 0..<loader.batchesPerEpoch {
            let n = model.fillEvaluation(loader, batch: b)
            let r = model.evaluate(n: n)
            lossSum += r.loss * Double(n)
            // The batch's accuracy is a Float c/n: rounding its product with n recovers the count c
            // exactly (its error is below n·2⁻²⁴, far below ½ for any evaluation batch), so accuracy
            // is independent of the batch.
            correct += (r.accuracy * Double(n)).rounded()
            seen += n
        }
        return EvalResult(loss: lossSum / Double(max(seen, 1)), accuracy: correct / Double(max(seen, 1)), count: seen)
    }
}
