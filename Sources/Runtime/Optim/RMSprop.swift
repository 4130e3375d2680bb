import Foundation

/// RMSprop (Tieleman & Hinton 2012) in the two conventions users port from, chosen explicitly:
///
///     PyTorch `torch/optim/rmsprop.py`:                Keras `keras/src/optimizers/rmsprop.py`:
///     g ← g + λθ (coupled decay)                        θ ← θ·(1 − lr·λ) (decoupled decay, first)
///     v ← αv + (1 − α)g²                                v ← ρv + (1 − ρ)g²
///     centered: a ← αa + (1 − α)g, v̄ = v − a²           centered: a ← ρa + (1 − ρ)g, v̄ = v − a²
///     d = √v̄ + ε          (ε outside the root)          d = √(v̄ + ε)         (ε inside the root)
///     momentum μ: b ← μb + g/d, θ ← θ − lr·b            momentum μ: b ← μb + lr·g/d, θ ← θ − b
///     otherwise θ ← θ − lr·g/d                          otherwise θ ← θ − lr·g/d
///
/// Defaults differ too (PyTorch α 0.99, ε 1e-8, lr 1e-2; Keras ρ 0.9, ε 1e-7, lr 1e-3); the spec's
/// resolver fills them per convention. Decay follows the `WeightDecay` passed in.
public enum RMSprop {
    public enum Convention: String, Sendable, Hashable { case pytorch, keras }

    public struct Hyper: Sendable, Hashable {
        public var lr: Double
        public var alpha: Double
        public var eps: Double
        public var momentum: Double
        public var centered: Bool
        public var convention: Convention

        public init(lr: Double, alpha: Double, eps: Double, momentum: Double = 0, centered: Bool = false,
                    convention: Convention = .pytorch) {
            self.lr = lr; self.alpha = alpha; self.eps = eps; self.momentum = momentum
            self.centered = centered; self.convention = convention
        }
    }

    public struct State: Sendable, Equatable {
        /// Running mean of g² (`square_avg` in PyTorch's state).
        public var squareAverage: [Float]
        /// Running mean of g, centered variant only (`grad_avg`).
        public var gradAverage: [Float]
        /// Momentum buffer (`momentum_buffer`).
        public var buffer: [Float]
        public var steps: Int

        public init(squareAverage: [Float], gradAverage: [Float], buffer: [Float], steps: Int) {
            self.squareAverage = squareAverage; self.gradAverage = gradAverage; self.buffer = buffer; self.steps = steps
        }
    }

    public static func makeState(count: Int) -> State {
        let zeros = [Float](repeating: 0, count: count)
        return State(squareAverage: zeros, gradAverage: zeros, buffer: zeros, steps: 0)
    }

    /// One step on `param[0..<count]` with gradient `grad`.
    public static func step(_ param: UnsafeMutablePointer<Float>, _ grad: UnsafePointer<Float>, count: Int,
                            state: inout State, hyper h: Hyper, decay: WeightDecay = .none) {
        precondition(state.squareAverage.count == count, "RMSprop state has \(state.squareAverage.count) elements, parameter has \(count)")
        decay.applyDecoupled(param, count: count, lr: h.lr)
        state.steps += 1
        let wd = decay.coupledRate, a = Float(h.alpha), c = Float(1 - h.alpha), eps = Float(h.eps)
        let lr = Float(h.lr), mu = Float(h.momentum), keras = h.convention == .keras
        for i in 0..<count {
            let g = grad[i] + wd * param[i]
            state.squareAverage[i] = a * state.squareAverage[i] + c * g * g
            var v = state.squareAverage[i]
            if h.centered {
                state.gradAverage[i] = a * state.gradAverage[i] + c * g
                v -= state.gradAverage[i] * state.gradAverage[i]
            }
            let d = keras ? (v + eps).squareRoot() : v.squareRoot() + eps
            if mu > 0 {
                state.buffer[i] = mu * state.buffer[i] + (keras ? lr * g / d : g / d)
                param[i] -= keras ? state.buffer[i] : lr * state.buffer[i]
            } else {
                param[i] -= lr * g / d
            }
        }
    }
}
