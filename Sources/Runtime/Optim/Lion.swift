/// Lion (Chen et al. 2023, "Symbolic Discovery of Optimization Algorithms"), as the authors'
/// reference and `lion-pytorch`:
///
///     θ ← θ·(1 − lr·λ)                 (decoupled decay, applied first)
///     c ← β₁m + (1 − β₁)g
///     θ ← θ − lr·sign(c)               (sign(0) = 0)
///     m ← β₂m + (1 − β₂)g
///
/// Every coordinate moves by exactly lr (or not at all), so Lion wants a learning rate 3–10×
/// smaller than AdamW's and a larger decay (the paper's defaults: lr 1e-4, β (0.9, 0.99)).
public enum Lion {
    public struct Hyper: Sendable, Hashable {
        public var lr: Double
        public var beta1: Double
        public var beta2: Double

        public init(lr: Double = 1e-4, beta1: Double = 0.9, beta2: Double = 0.99) {
            self.lr = lr; self.beta1 = beta1; self.beta2 = beta2
        }
    }

    public struct State: Sendable, Equatable {
        /// The momentum (`exp_avg` in lion-pytorch's state).
        public var m: [Float]
        public var steps: Int

        public init(m: [Float], steps: Int) { self.m = m; self.steps = steps }
    }

    public static func makeState(count: Int) -> State {
        State(m: [Float](repeating: 0, count: count), steps: 0)
    }

    /// One step on `param[0..<count]` with gradient `grad`; coupled decay is added to the gradient.
    public static func step(_ param: UnsafeMutablePointer<Float>, _ grad: UnsafePointer<Float>, count: Int,
                            state: inout State, hyper h: Hyper, decay: WeightDecay = .none) {
        precondition(state.m.count == count, "Lion state has \(state.m.count) elements, parameter has \(count)")
        decay.applyDecoupled(param, count: count, lr: h.lr)
        state.steps += 1
        let wd = decay.coupledRate, b1 = Float(h.beta1), b2 = Float(h.beta2), lr = Float(h.lr)
        for i in 0..<count {
            let g = grad[i] + wd * param[i]
            let c = b1 * state.m[i] + (1 - b1) * g
            param[i] -= c > 0 ? lr : (c < 0 ? -lr : 0)
            state.m[i] = b2 * state.m[i] + (1 - b2) * g
        }
    }
}
