import IR
import Runtime

extension Executor {
    /// Loads batch `b` of `loader` into the data and labels inputs and returns its size. The data
    /// holds one class id per example: an int32 labels input (cross-entropy) takes the ids as
    /// they are; a float one (`loss: {targets: one_hot}` for MSE and BCE) takes one-hot rows over
    /// the output's K units, or the id itself as 0/1 when K is 1, which the batch mixes (mixup,
    /// CutMix) then mix; a cross-entropy graph takes such rows when the spec has a mix.
    ///
    /// With `deferInputs` (evaluation), an int32-labels graph whose data input has a single
    /// reader, a dense layer, gets only the labels now: the layer writes the inputs a block of
    /// rows at a time into its core's cache (`pendingInputRows`).
    func fill(_ loader: BatchLoader, batch b: Int, deferInputs: Bool = false) -> Int {
        guard let labels = labelInput, let v = graph.input(.labels) else { preconditionFailure("graph has no labels input") }
        if deferInputs, deferrableInput != nil, graph[v].dtype == .int32,
           let (n, rows) = loader.fillDeferred(batch: b, labels: labels) {
            pendingInputRows = rows
            return n
        }
        pendingInputRows = nil
        guard graph[v].dtype == .float32 else { return loader.fill(batch: b, inputs: dataInput, labels: labels) }
        return loader.fill(batch: b, inputs: dataInput, targetRows: UnsafeMutableRawPointer(labels), classes: unitCount[v.raw])
    }
}
