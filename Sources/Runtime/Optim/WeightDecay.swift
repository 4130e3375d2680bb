/// Weight decay of one parameter, with the meaning chosen explicitly (semantics §1.2).
///
/// The word `weight_decay` means coupled L2 in PyTorch `SGD`/`Adam` but decoupled decay in PyTorch
/// `AdamW` and in every Keras optimizer; Regula never infers the meaning from the optimizer.
public struct WeightDecay: Sendable, Hashable {
    public enum Mode: String, Sendable, Hashable {
        /// `g ← g + λθ` before the optimizer's own math (PyTorch `SGD`/`Adam` `weight_decay`);
        /// equals adding `(λ/2)‖θ‖²` to the loss. With momentum the term enters the buffer; with
        /// Adam it is divided by `√v̂ + ε`.
        case coupled
        /// `θ ← θ·(1 − lr·λ)` before the update (Loshchilov & Hutter 2019, "Decoupled Weight Decay
        /// Regularization"; PyTorch `AdamW` multiplies by the full learning rate). With SGD this is SGDW.
        case decoupled
    }

    public var rate: Double
    public var mode: Mode

    public init(_ rate: Double, _ mode: Mode) {
        precondition(rate >= 0, "weight decay must be non-negative, got \(rate)")
        self.rate = rate
        self.mode = mode
    }

    /// No decay (biases and normalization parameters by default, semantics §1.3).
    public static let none = WeightDecay(0, .coupled)

    /// Decoupled step: `θ ← θ·(1 − lr·λ)`, computed like PyTorch (factor rounded to Float once).
    @inline(__always)
    func applyDecoupled(_ p: UnsafeMutablePointer<Float>, count: Int, lr: Double) {
        guard mode == .decoupled, rate != 0 else { return }
        let f = Float(1 - lr * rate)
        for i in 0..<count { p[i] *= f }
    }

    /// The decoupled step's factor `1 − lr·λ` (rounded to Float once, as `applyDecoupled`), or 1,
    /// for optimizers that fold it into their own pass (θ·1 is θ exactly).
    @inline(__always)
    func decoupledFactor(lr: Double) -> Float {
        mode == .decoupled && rate != 0 ? Float(1 - lr * rate) : 1
    }

    /// The coupled decay coefficient added to the gradient (0 when decoupled).
    @inline(__always) var coupledRate: Float { mode == .coupled ? Float(rate) : 0 }
}
