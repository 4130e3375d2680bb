/// Spectral normalization (Miyato et al. 2018, semantics reference §4.4), PyTorch `spectral_norm`:
/// W_SN = W/σ with σ = uᵀWv estimated by power iteration on persistent vectors u, v.
///
/// Layouts: W is [rows, cols] (a conv weight [OC, C, KH, KW] is [OC, C·KH·KW]); u is [rows],
/// v is [cols]. Training runs `iterations` steps v ← normalize(Wᵀu), u ← normalize(Wv) (F.normalize,
/// ε = 1e-12) and updates u, v in place; eval does no iteration and leaves u, v unchanged.
/// Backward treats u, v as constants and differentiates through σ (∂σ/∂W = u vᵀ):
/// dW = dW_SN/σ − (Σ dW_SN ⊙ W)/σ² · u vᵀ.
public enum SpectralNorm {
    static let eps: Float = 1e-12

    /// Power iteration steps on u, v (training mode).
    public static func powerIteration(rows: Int, cols: Int, w: UnsafePointer<Float>, u: UnsafeMutablePointer<Float>,
                                      v: UnsafeMutablePointer<Float>, iterations: Int = 1) {
        for _ in 0..<iterations {
            // v = Wᵀu
            v.update(repeating: 0, count: cols)
            for r in 0..<rows { let ur = u[r], wr = w + r * cols; for j in 0..<cols { v[j] += wr[j] * ur } }
            normalize(v, count: cols)
            // u = Wv
            for r in 0..<rows { u[r] = Reduce.dot(w + r * cols, v, count: cols) }
            normalize(u, count: rows)
        }
    }

    /// σ = uᵀWv, and W_SN = W/σ written to `out`. Returns σ.
    @discardableResult
    public static func forward(rows: Int, cols: Int, w: UnsafePointer<Float>, u: UnsafePointer<Float>, v: UnsafePointer<Float>,
                               out: UnsafeMutablePointer<Float>) -> Float {
        let sigma = self.sigma(rows: rows, cols: cols, w: w, u: u, v: v)
        let inv = 1 / sigma
        for i in 0..<(rows * cols) { out[i] = w[i] * inv }
        return sigma
    }

    public static func sigma(rows: Int, cols: Int, w: UnsafePointer<Float>, u: UnsafePointer<Float>, v: UnsafePointer<Float>) -> Float {
        var s: Float = 0
        for r in 0..<rows { s += u[r] * Reduce.dot(w + r * cols, v, count: cols) }
        return s
    }

    /// dW from dW_SN with u, v frozen (dW overwritten, or added to with `accumulate`).
    public static func backward(rows: Int, cols: Int, w: UnsafePointer<Float>, u: UnsafePointer<Float>, v: UnsafePointer<Float>,
                                sigma: Float, dOut: UnsafePointer<Float>, dw: UnsafeMutablePointer<Float>, accumulate: Bool = false) {
        let total = rows * cols
        let dot = Reduce.dot(dOut, w, count: total)
        let a = 1 / sigma, b = dot / (sigma * sigma)
        for r in 0..<rows {
            let bu = b * u[r]
            for j in 0..<cols {
                let i = r * cols + j
                let value = a * dOut[i] - bu * v[j]
                dw[i] = accumulate ? dw[i] + value : value
            }
        }
    }

    static func normalize(_ x: UnsafeMutablePointer<Float>, count: Int) {
        let norm = max(Reduce.dot(x, x, count: count).squareRoot(), eps)
        for i in 0..<count { x[i] /= norm }
    }
}
