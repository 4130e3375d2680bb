import Foundation

/// Gradient clipping, applied after backward and before the optimizer step (semantics §7.3).
public enum GradientClipping {
    /// PyTorch `clip_grad_norm_`: `total = ‖(‖g₁‖, …, ‖gₙ‖)‖_p` over all tensors,
    /// `coef = min(1, maxNorm/(total + 1e-6))`, every gradient multiplied by `coef`.
    /// `normType` may be `.infinity`. Returns the **pre-clip** total norm.
    @discardableResult
    public static func clipGlobalNorm(_ grads: [UnsafeMutableBufferPointer<Float>], maxNorm: Double,
                                      normType: Double = 2) -> Double {
        let total = globalNorm(grads, normType: normType)
        let coef = Float(min(1, maxNorm / (total + 1e-6)))
        if coef < 1 {
            for g in grads { for i in g.indices { g[i] *= coef } }
        }
        return total
    }

    /// The global p-norm of all gradients (accumulated in Double).
    public static func globalNorm(_ grads: [UnsafeMutableBufferPointer<Float>], normType: Double = 2) -> Double {
        precondition(normType > 0, "norm type must be positive, got \(normType)")
        if normType == .infinity {
            return grads.reduce(0) { m, g in g.reduce(m) { max($0, Double(abs($1))) } }
        }
        var sum: Double = 0
        for g in grads {
            if normType == 2 {
                for x in g { sum += Double(x) * Double(x) }
            } else {
                for x in g { sum += pow(Double(abs(x)), normType) }
            }
        }
        return normType == 2 ? sum.squareRoot() : pow(sum, 1 / normType)
    }

    /// Keras `clipnorm`: each tensor separately, `g ← g·c/max(‖g‖, c)` (no epsilon).
    public static func clipEachNorm(_ grads: [UnsafeMutableBufferPointer<Float>], maxNorm c: Double) {
        for g in grads {
            let n = globalNorm([g])
            if n > c {
                let k = Float(c / n)
                for i in g.indices { g[i] *= k }
            }
        }
    }

    /// PyTorch `clip_grad_value_` / Keras `clipvalue`: clamp every element to `[−c, c]`.
    public static func clipValue(_ grads: [UnsafeMutableBufferPointer<Float>], maxValue c: Float) {
        for g in grads { for i in g.indices { g[i] = min(max(g[i], -c), c) } }
    }
}
