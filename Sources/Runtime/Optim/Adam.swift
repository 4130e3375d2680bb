import Foundation
import RuntimeIntrinsics

/// Adam (Kingma & Ba 2015) with bias correction, exactly as PyTorch `torch/optim/adam.py`
/// (`_single_tensor_adam`):
///
///     g ← g + λθ                               (coupled decay, PyTorch `Adam(weight_decay=λ)`)
///     θ ← θ·(1 − lr·λ)                         (decoupled decay, PyTorch `AdamW`, applied first)
///     m ← m + (1 − β₁)(g − m);  v ← β₂v + (1 − β₂)g²
///     θ ← θ − (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)
///
/// AdamW is `step` with `WeightDecay(λ, .decoupled)` (PyTorch defaults lr 1e-3, λ 1e-2).
/// `hyper.beta1` may change between steps (one-cycle momentum cycling); the bias correction uses the
/// current β₁, as PyTorch does.
public enum Adam {
    public struct Hyper: Sendable, Hashable {
        public var lr: Double
        public var beta1: Double
        public var beta2: Double
        public var eps: Double

        public init(lr: Double = 1e-3, beta1: Double = 0.9, beta2: Double = 0.999, eps: Double = 1e-8) {
            self.lr = lr; self.beta1 = beta1; self.beta2 = beta2; self.eps = eps
        }
    }

    public struct State: Sendable, Equatable {
        public var m: [Float]
        public var v: [Float]
        public var steps: Int

        public init(m: [Float], v: [Float], steps: Int) { self.m = m; self.v = v; self.steps = steps }
    }

    public static func makeState(count: Int) -> State {
        State(m: [Float](repeating: 0, count: count), v: [Float](repeating: 0, count: count), steps: 0)
    }

    /// One Adam/AdamW step on `param[0..<count]` with gradient `grad`.
    public static func step(_ param: UnsafeMutablePointer<Float>, _ grad: UnsafePointer<Float>, count: Int,
                            state: inout State, hyper h: Hyper, decay: WeightDecay = .none) {
        precondition(state.m.count == count && state.v.count == count,
                     "Adam state has \(state.m.count) elements, parameter has \(count)")
        state.steps += 1
        guard count > 0 else { return }
        let t = Double(state.steps)
        let stepSize = Float(h.lr / (1 - pow(h.beta1, t)))
        let bc2Sqrt = Float((1 - pow(h.beta2, t)).squareRoot())
        let wd = decay.coupledRate, b1 = Float(1 - h.beta1), b2 = Float(h.beta2), c2 = Float(1 - h.beta2)
        let eps = Float(h.eps)
        // The decoupled decay θ·(1 − lr·λ) comes first, folded into the same pass.
        let shrink = decay.decoupledFactor(lr: h.lr)
        state.m.withUnsafeMutableBufferPointer { mp in
            state.v.withUnsafeMutableBufferPointer { vp in
                guard let m = mp.baseAddress, let v = vp.baseAddress else { return }
                // 16 lanes at a time (the compiler does not vectorize the scalar loop because the four
                // buffers might alias); same operations in the same order as the tail. The square
                // root is one `vsqrtps` (`regula_sqrt16`: correctly rounded, the tail's bits), not
                // `SIMD16.squareRoot()`, which is sixteen `sqrtf` calls with errno checks on Linux.
                typealias V = SIMD16<Float>
                var i = 0
                while i + 16 <= count {
                    let pp = UnsafeMutableRawPointer(param + i), gp = UnsafeRawPointer(grad + i)
                    let mr = UnsafeMutableRawPointer(m + i), vr = UnsafeMutableRawPointer(v + i)
                    var p = pp.loadUnaligned(as: V.self) * shrink
                    let g = gp.loadUnaligned(as: V.self) + wd * p
                    var mv = mr.loadUnaligned(as: V.self)
                    var vv = vr.loadUnaligned(as: V.self)
                    mv += b1 * (g - mv)
                    vv = b2 * vv + c2 * g * g
                    let denom = regula_sqrt16(vv) / bc2Sqrt + eps
                    p -= stepSize * (mv / denom)
                    pp.storeBytes(of: p, as: V.self)
                    mr.storeBytes(of: mv, as: V.self)
                    vr.storeBytes(of: vv, as: V.self)
                    i += 16
                }
                while i < count {
                    param[i] *= shrink
                    let g = grad[i] + wd * param[i]
                    m[i] += b1 * (g - m[i])
                    v[i] = b2 * v[i] + c2 * g * g
                    let denom = regula_sqrtf(v[i]) / bc2Sqrt + eps
                    param[i] -= stepSize * (m[i] / denom)
                    i += 1
                }
            }
        }
    }
}
