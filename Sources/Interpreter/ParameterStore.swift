import Check
import Runtime

/// The model's parameters and buffers, by `state_dict` name, in the checker's order.
///
/// One store is shared by the training and the inference executor, so evaluation always sees the
/// current weights without copying. Gradients are not here: they are arena values of the training
/// graph (see `Executor.gradient`).
final class ParameterStore {
    let infos: [ParamInfo]
    let tensors: [Tensor]
    private let index: [String: Int]

    /// Allocates every tensor and initializes it per `ParamInfo.initializer` from the keyed RNG.
    init(parameters: [ParamInfo], seed: UInt64) {
        infos = parameters
        tensors = parameters.map { Tensor(shape: $0.shape) }
        var index: [String: Int] = [:]
        for (i, p) in parameters.enumerated() { index[p.name] = i }
        self.index = index
        for (i, p) in parameters.enumerated() {
            ParameterInit.fill(tensors[i].data, p, index: i, seed: seed)
        }
        ReparamInit.apply(infos: infos, tensors: tensors)
    }

    func tensor(named name: String) -> Tensor? { index[name].map { tensors[$0] } }
    func position(of name: String) -> Int? { index[name] }

    /// Trainable parameters, in order (the optimizer's view).
    var trainable: [(info: ParamInfo, tensor: Tensor)] {
        zip(infos, tensors).filter { $0.0.trainable }.map { ($0.0, $0.1) }
    }

    var bytes: Int { tensors.reduce(0) { $0 + $1.count * 4 } }

    /// A copy of every value (early stopping's best-weights snapshot).
    func snapshot() -> [[Float]] { tensors.map(\.array) }

    func restore(_ values: [[Float]]) {
        precondition(values.count == tensors.count, "snapshot does not match the parameter list")
        for (t, v) in zip(tensors, values) {
            v.withUnsafeBufferPointer { src in
                guard let base = src.baseAddress else { return }
                t.data.update(from: base, count: min(v.count, t.count))
            }
        }
    }
}
