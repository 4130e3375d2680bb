import Runtime

/// The exponential moving average of a model's weights (Polyak averaging; timm `ModelEmaV2`):
/// a copy of the model's state when training starts, then after every optimizer step
/// `ema ← decay·ema + (1 − decay)·θ` for every float tensor, batch-norm statistics included;
/// counters (`num_batches_tracked`) are copied. Validation, the test set and
/// `model_ema.safetensors` use it; training and `model.safetensors` keep the raw weights.
final class WeightAverage {
    let decay: Float
    /// The average, in the model's `state` order and names.
    let state: [StateTensor]

    init(_ model: [StateTensor], decay: Double) {
        self.decay = Float(decay)
        state = model.map { s in
            let copy = Tensor(shape: s.tensor.shape)
            copy.data.update(from: s.tensor.data, count: s.tensor.count)
            return StateTensor(s.name, copy, counter: s.counter)
        }
    }

    /// One update from the model's current weights.
    func update(from model: [StateTensor]) {
        let d = decay, r = 1 - decay
        for (e, w) in zip(state, model) {
            let ev = e.tensor.data, wv = w.tensor.data
            if e.counter {
                ev.update(from: wv, count: e.tensor.count)
            } else {
                for i in 0..<e.tensor.count { ev[i] = d * ev[i] + r * wv[i] }
            }
        }
    }

    /// Runs `body` with the average in the model's tensors, then puts the weights back.
    func applied<T>(to model: [StateTensor], _ body: () throws -> T) rethrows -> T {
        swap(model)
        defer { swap(model) }
        return try body()
    }

    private func swap(_ model: [StateTensor]) {
        for (e, w) in zip(state, model) { Self.exchange(e.tensor, w.tensor) }
    }

    private static func exchange(_ a: Tensor, _ b: Tensor) {
        for i in 0..<a.count { (a.data[i], b.data[i]) = (b.data[i], a.data[i]) }
    }
}
