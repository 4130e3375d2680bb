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

/// The spectral-norm penalty of Yoshida & Miyato 2017 ("Spectral Norm Regularization for
/// Improving the Generalizability of Deep Learning"): P = (λ/2)·σ(W)², σ the largest singular
/// value of W as the matrix [rows, cols] (a conv kernel [out, in, kh, kw] is [out, in·kh·kw], as
/// the paper does), estimated as σ = uᵀWv from the power iteration's u, v (one step per training
/// step from the stored vectors, as the paper; `SpectralNorm.powerIteration` runs it), and
/// dP/dW = λ·σ·u·vᵀ with u, v held constant.
public enum SpectralPenalty {
    /// σ = uᵀWv, in Float64.
    public static func sigma(rows m: Int, cols n: Int, w: UnsafePointer<Float>, u: UnsafePointer<Float>, v: UnsafePointer<Float>) -> Double {
        var s = 0.0
        for i in 0..<m {
            var r = 0.0
            for j in 0..<n { r += Double(w[i * n + j]) * Double(v[j]) }
            s += Double(u[i]) * r
        }
        return s
    }

    /// (λ/2)·σ².
    public static func penalty(lambda: Double, rows: Int, cols: Int, w: UnsafePointer<Float>,
                               u: UnsafePointer<Float>, v: UnsafePointer<Float>) -> Float {
        let s = sigma(rows: rows, cols: cols, w: w, u: u, v: v)
        return Float(lambda / 2 * s * s)
    }

    /// dW = λ·σ·u·vᵀ.
    public static func gradient(lambda: Double, rows: Int, cols: Int, w: UnsafePointer<Float>,
                                u: UnsafePointer<Float>, v: UnsafePointer<Float>, dw: UnsafeMutablePointer<Float>) {
        let c = lambda * sigma(rows: rows, cols: cols, w: w, u: u, v: v)
        for i in 0..<rows {
            let ci = c * Double(u[i])
            for j in 0..<cols { dw[i * cols + j] = Float(ci * Double(v[j])) }
        }
    }
}

/// The naive twin: σ, u and v of W by power iteration to convergence in Float64 from a fixed
/// start, for tests.
public enum SpectralPenaltyReference {
    public static func singular(rows m: Int, cols n: Int, w: [Double], iterations: Int = 500) -> (sigma: Double, u: [Double], v: [Double]) {
        var u = [Double](repeating: 1 / Double(max(m, 1)).squareRoot(), count: m)
        var v = [Double](repeating: 0, count: n)
        func normalize(_ x: inout [Double]) -> Double {
            let norm = x.reduce(0) { $0 + $1 * $1 }.squareRoot()
            if norm > 0 { for i in x.indices { x[i] /= norm } }
            return norm
        }
        var sigma = 0.0
        for _ in 0..<max(iterations, 1) {
            for j in 0..<n { v[j] = 0 }
            for i in 0..<m { for j in 0..<n { v[j] += w[i * n + j] * u[i] } }
            _ = normalize(&v)
            for i in 0..<m { u[i] = (0..<n).reduce(0.0) { $0 + w[i * n + $1] * v[$1] } }
            sigma = normalize(&u)
        }
        return (sigma, u, v)
    }
}
