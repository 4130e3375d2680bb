/// Layer normalization (Ba et al. 2016), PyTorch `LayerNorm` semantics (semantics reference §4.2).
///
/// Layouts: x, y, dy, dx are [rows, d] where d is the product of the normalized trailing dims;
/// gamma and beta are [d]; the saved mean and inverse std are [rows]. Identical in train and eval.
/// Rows are independent work items for x/y/dx. dγ and dβ reduce over rows: they are computed in a
/// second pass over column strips, each summing rows in order, so no sum depends on the thread count.
public enum LayerNorm {
    public static func forward(rows: Int, d: Int, x: UnsafePointer<Float>, gamma: UnsafePointer<Float>?,
                               beta: UnsafePointer<Float>?, y: UnsafeMutablePointer<Float>,
                               saveMean: UnsafeMutablePointer<Float>?, saveInvStd: UnsafeMutablePointer<Float>?,
                               eps: Float = 1e-5, pool: ThreadPool = .default) {
        pool.parallelFor(rows) { r in
            let xr = x + r * d, yr = y + r * d
            let (mean, invStd) = Reduce.meanAndInvStd(xr, count: d, eps: eps)
            saveMean?[r] = mean
            saveInvStd?[r] = invStd
            for j in 0..<d {
                let xhat = (xr[j] - mean) * invStd
                yr[j] = (gamma?[j] ?? 1) * xhat + (beta?[j] ?? 0)
            }
        }
    }

    /// dx_j = σ⁻¹(g_j − mean(g) − x̂_j·mean(g·x̂)) with g = dy·γ; dγ = Σ_rows dy·x̂, dβ = Σ_rows dy
    /// (overwritten, or added to with `accumulate`; nil skips them).
    public static func backward(rows: Int, d: Int, x: UnsafePointer<Float>, dy: UnsafePointer<Float>,
                                gamma: UnsafePointer<Float>?, saveMean: UnsafePointer<Float>, saveInvStd: UnsafePointer<Float>,
                                dx: UnsafeMutablePointer<Float>?, dgamma: UnsafeMutablePointer<Float>?,
                                dbeta: UnsafeMutablePointer<Float>?, accumulate: Bool = false, pool: ThreadPool = .default) {
        if let dx {
            pool.parallelFor(rows) { r in
                let xr = x + r * d, gr = dy + r * d, dr = dx + r * d
                let mean = saveMean[r], invStd = saveInvStd[r]
                var sumG: Float = 0, sumGX: Float = 0
                for j in 0..<d {
                    let g = gr[j] * (gamma?[j] ?? 1)
                    sumG += g
                    sumGX += g * (xr[j] - mean) * invStd
                }
                let mg = sumG / Float(d), mgx = sumGX / Float(d)
                for j in 0..<d {
                    let g = gr[j] * (gamma?[j] ?? 1)
                    dr[j] = invStd * (g - mg - (xr[j] - mean) * invStd * mgx)
                }
            }
        }
        if dgamma == nil && dbeta == nil { return }
        let strip = 64
        pool.parallelFor((d + strip - 1) / strip) { t in
            let j0 = t * strip, j1 = min(d, j0 + strip)
            for j in j0..<j1 {
                var sg: Float = 0, sb: Float = 0
                for r in 0..<rows {
                    let g = dy[r * d + j]
                    sg += g * (x[r * d + j] - saveMean[r]) * saveInvStd[r]
                    sb += g
                }
                if let dgamma { dgamma[j] = accumulate ? dgamma[j] + sg : sg }
                if let dbeta { dbeta[j] = accumulate ? dbeta[j] + sb : sb }
            }
        }
    }
}
