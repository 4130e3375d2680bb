/// Weight normalization (Salimans & Kingma 2016, semantics reference §4.3), PyTorch `weight_norm`
/// with `dim=0`: w = g·v/‖v‖ per output row.
///
/// Layouts: v and w are [rows, cols] (a conv weight [OC, C, KH, KW] is [OC, C·KH·KW]); g and the
/// saved norms are [rows]. Gradients: ∇g = (∇w·v)/‖v‖ and ∇v = (g/‖v‖)(∇w − (∇w·v)v/‖v‖²),
/// which equals (g/‖v‖)(I − wwᵀ/‖w‖²)∇w.
public enum WeightNorm {
    /// The PyTorch initialization g = ‖v‖ per row (the layer output is unchanged at wrapping).
    public static func initialGain(rows: Int, cols: Int, v: UnsafePointer<Float>, g: UnsafeMutablePointer<Float>) {
        for r in 0..<rows { g[r] = Reduce.dot(v + r * cols, v + r * cols, count: cols).squareRoot() }
    }

    /// w = g·v/‖v‖; `norms` receives ‖v‖ per row for the backward pass.
    public static func forward(rows: Int, cols: Int, v: UnsafePointer<Float>, g: UnsafePointer<Float>,
                               w: UnsafeMutablePointer<Float>, norms: UnsafeMutablePointer<Float>) {
        for r in 0..<rows {
            let vr = v + r * cols, wr = w + r * cols
            let norm = Reduce.dot(vr, vr, count: cols).squareRoot()
            norms[r] = norm
            let scale = g[r] / norm
            for j in 0..<cols { wr[j] = scale * vr[j] }
        }
    }

    /// dv, dg from dw (overwritten, or added to with `accumulate`).
    public static func backward(rows: Int, cols: Int, v: UnsafePointer<Float>, g: UnsafePointer<Float>,
                                norms: UnsafePointer<Float>, dw: UnsafePointer<Float>,
                                dv: UnsafeMutablePointer<Float>, dg: UnsafeMutablePointer<Float>, accumulate: Bool = false) {
        for r in 0..<rows {
            let vr = v + r * cols, gr = dw + r * cols, out = dv + r * cols
            let norm = norms[r]
            let dot = Reduce.dot(gr, vr, count: cols)          // ∇w·v
            let gradG = dot / norm
            dg[r] = accumulate ? dg[r] + gradG : gradG
            let a = g[r] / norm, b = a * dot / (norm * norm)
            for j in 0..<cols {
                let value = a * gr[j] - b * vr[j]
                out[j] = accumulate ? out[j] + value : value
            }
        }
    }
}
