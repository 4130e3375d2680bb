/// Stochastic gradient descent with momentum, dampening and Nesterov momentum, exactly as
/// PyTorch `torch/optim/sgd.py` (`_single_tensor_sgd`):
///
///     g ← g + λθ                          (coupled decay)
///     b ← g                               (first step)
///     b ← μ·b + (1 − dampening)·g         (later steps)
///     g ← g + μ·b  (Nesterov)   or   g ← b
///     θ ← θ − lr·g
///
/// With `WeightDecay(λ, .decoupled)` the decay is `θ ← θ·(1 − lr·λ)` before the update (SGDW).
/// Two functions in the mlx-swift style: `makeState` and `step`, over one flat parameter buffer.
public enum SGD {
    public struct Hyper: Sendable, Hashable {
        public var lr: Double
        public var momentum: Double
        public var dampening: Double
        public var nesterov: Bool

        public init(lr: Double, momentum: Double = 0, dampening: Double = 0, nesterov: Bool = false) {
            precondition(!nesterov || (momentum > 0 && dampening == 0),
                         "Nesterov momentum requires a momentum and zero dampening")
            self.lr = lr; self.momentum = momentum; self.dampening = dampening; self.nesterov = nesterov
        }
    }

    public struct State: Sendable, Equatable {
        /// The momentum buffer (`momentum_buffer` in PyTorch); meaningful once `steps > 0`.
        public var buffer: [Float]
        public var steps: Int

        public init(buffer: [Float], steps: Int) { self.buffer = buffer; self.steps = steps }
    }

    public static func makeState(count: Int) -> State {
        State(buffer: [Float](repeating: 0, count: count), steps: 0)
    }

    /// One SGD step on `param[0..<count]` with gradient `grad`.
    public static func step(_ param: UnsafeMutablePointer<Float>, _ grad: UnsafePointer<Float>, count: Int,
                            state: inout State, hyper h: Hyper, decay: WeightDecay = .none) {
        precondition(state.buffer.count == count, "SGD state has \(state.buffer.count) elements, parameter has \(count)")
        decay.applyDecoupled(param, count: count, lr: h.lr)
        let wd = decay.coupledRate, lr = Float(h.lr), mu = Float(h.momentum), damp = Float(1 - h.dampening)
        let first = state.steps == 0
        state.steps += 1
        guard count > 0 else { return }
        if h.momentum == 0 {
            for i in 0..<count { param[i] -= lr * (grad[i] + wd * param[i]) }
            return
        }
        state.buffer.withUnsafeMutableBufferPointer { bp in
            guard let b = bp.baseAddress else { return }
            if first {
                for i in 0..<count { b[i] = grad[i] + wd * param[i] }
            } else {
                for i in 0..<count { b[i] = mu * b[i] + damp * (grad[i] + wd * param[i]) }
            }
            if h.nesterov {
                for i in 0..<count { param[i] -= lr * ((grad[i] + wd * param[i]) + mu * b[i]) }
            } else {
                for i in 0..<count { param[i] -= lr * b[i] }
            }
        }
    }
}
