/// Parameter penalties added to the loss (semantics §1.1), each returning its value and adding its
/// gradient into `grad` (which holds the data-loss gradient).
///
/// Conventions are explicit because frameworks disagree by a factor of two:
/// Keras `L2(λ)` is `λΣw²` (gradient `2λw`); the textbook / PyTorch-SGD-equivalent form is
/// `(λ/2)Σw²` (gradient `λw`). L1 uses PyTorch's `abs` subgradient, `sign(0) = 0`.
public enum Penalty {
    public enum L2Convention: String, Sendable, Hashable {
        /// `λΣw²`, gradient `2λw` (Keras `L2`, the default).
        case sumOfSquares
        /// `(λ/2)Σw²`, gradient `λw` (equals coupled `weight_decay=λ` in PyTorch SGD).
        case half
    }

    /// `λΣ|w|`; adds `λ·sign(w)` to `grad` (sign(0) = 0). Returns the penalty.
    @discardableResult
    public static func l1(_ w: UnsafePointer<Float>, count: Int, lambda: Float,
                          grad: UnsafeMutablePointer<Float>?) -> Double {
        var sum: Double = 0
        for i in 0..<count { sum += Double(abs(w[i])) }
        if let grad {
            for i in 0..<count {
                let x = w[i]
                grad[i] += x > 0 ? lambda : (x < 0 ? -lambda : 0)
            }
        }
        return Double(lambda) * sum
    }

    /// `λΣw²` (or `(λ/2)Σw²`); adds `2λw` (or `λw`) to `grad`. Returns the penalty.
    @discardableResult
    public static func l2(_ w: UnsafePointer<Float>, count: Int, lambda: Float,
                          convention: L2Convention = .sumOfSquares, grad: UnsafeMutablePointer<Float>?) -> Double {
        var sum: Double = 0
        for i in 0..<count { sum += Double(w[i]) * Double(w[i]) }
        let k: Float = convention == .sumOfSquares ? 2 * lambda : lambda
        if let grad { for i in 0..<count { grad[i] += k * w[i] } }
        return (convention == .sumOfSquares ? Double(lambda) : Double(lambda) / 2) * sum
    }

    /// Elastic net (Zou & Hastie 2005) in Keras `L1L2` form: `λ₁Σ|w| + λ₂Σw²`.
    @discardableResult
    public static func elasticNet(_ w: UnsafePointer<Float>, count: Int, l1 lambda1: Float, l2 lambda2: Float,
                                  grad: UnsafeMutablePointer<Float>?) -> Double {
        l1(w, count: count, lambda: lambda1, grad: grad) + l2(w, count: count, lambda: lambda2, grad: grad)
    }

    /// Proximal L1 step (soft thresholding) `w ← sign(w)·max(|w| − t, 0)` with `t = lr·λ`; the option
    /// that produces exact zeros, which subgradient steps do not (semantics §1.1).
    public static func softThreshold(_ w: UnsafeMutablePointer<Float>, count: Int, threshold t: Float) {
        for i in 0..<count {
            let a = abs(w[i]) - t
            w[i] = a > 0 ? (w[i] < 0 ? -a : a) : 0
        }
    }
}

/// Max-norm constraint (Srivastava et al. 2014 §5.1): after each optimizer step, every output unit's
/// incoming weight vector is projected onto the ball `‖w‖₂ ≤ c`.
///
/// Layout: `w` is `[rows, cols]` with one row per output unit (PyTorch `Linear.weight` `[out, in]`;
/// a conv weight `[out, in, kh, kw]` is `rows = out`, `cols = in·kh·kw`).
public enum MaxNorm {
    public enum Convention: String, Sendable, Hashable {
        /// `torch.renorm(W, 2, 0, c)`: rows with norm > c are scaled by `c/(‖w‖ + 1e-7)`, others untouched.
        case pytorch
        /// Keras `MaxNorm`: every row scaled by `clip(‖w‖, 0, c)/(1e-7 + ‖w‖)` (tiny shrink below c).
        case keras
    }

    public static func project(_ w: UnsafeMutablePointer<Float>, rows: Int, cols: Int, maxNorm c: Float,
                               convention: Convention = .pytorch) {
        precondition(c > 0, "max-norm bound must be positive, got \(c)")
        for r in 0..<rows {
            let row = w + r * cols
            var ss: Double = 0
            for j in 0..<cols { ss += Double(row[j]) * Double(row[j]) }
            let norm = Float(ss.squareRoot())
            let scale: Float
            switch convention {
            case .pytorch: scale = norm > c ? c / (norm + 1e-7) : 1
            case .keras: scale = min(norm, c) / (1e-7 + norm)
            }
            if scale != 1 { for j in 0..<cols { row[j] *= scale } }
        }
    }
}
