import Check
import Runtime

/// Parameter initialization from the keyed RNG.
///
/// Parameter `k` (its index in `CheckedModel.parameters`) draws from
/// `RandomStream(seed: seed, step: initStep, stream: k)`, so a tensor's initial values depend only
/// on the seed and its position, never on thread count or on the other tensors' sizes.
enum ParameterInit {
    /// A step number no training step uses, reserved for initialization.
    static let initStep: UInt64 = .max

    /// Fills `out` (`info.count` floats) according to `info.initializer` (PyTorch's defaults).
    static func fill(_ out: UnsafeMutablePointer<Float>, _ info: ParamInfo, index: Int, seed: UInt64) {
        let stream = RandomStream(seed: seed, step: initStep, stream: UInt32(index))
        let n = info.count
        switch info.initializer {
        case .uniformFanIn(let fanIn):
            // kaiming_uniform_(a=√5) on weights and PyTorch's bias rule both reduce to U(−1/√fanIn, 1/√fanIn).
            let bound = Float(1 / Double(max(fanIn, 1)).squareRoot())
            stream.fillUniform(out, count: n, low: -bound, high: bound)
        case .normal(let std):
            stream.fillNormal(out, count: n, mean: 0, std: Float(std))
        case .xavierUniform(let fanIn, let fanOut):
            // xavier_uniform_: U(−a, a), a = √(6/(fanIn+fanOut)) (MultiheadAttention.in_proj_weight).
            let bound = Float((6 / Double(max(fanIn + fanOut, 1))).squareRoot())
            stream.fillUniform(out, count: n, low: -bound, high: bound)
        case .zeros:
            out.update(repeating: 0, count: n)
        case .ones:
            out.update(repeating: 1, count: n)
        }
    }
}
