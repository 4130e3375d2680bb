/// Group normalization (Wu & He 2018), PyTorch `GroupNorm(num_groups, num_channels, eps)`.
///
/// Layouts: x, y, dy, dx are [N, C, S] (S = H·W, or 1); the C channels form G groups of C/G
/// consecutive channels, and each (example, group) is normalized over its (C/G)·S values with the
/// biased variance; gamma and beta are [C]; the saved mean and inverse std are [N, G]. Identical in
/// training and evaluation (no running statistics). (example, group) pairs are independent work
/// items for y and dx; dγ and dβ sum over examples in order per channel, so no sum depends on the
/// thread count.
public enum GroupNorm {
    public static func forward(batch n: Int, channels c: Int, spatial s: Int, groups g: Int, x: UnsafePointer<Float>,
                               gamma: UnsafePointer<Float>?, beta: UnsafePointer<Float>?, y: UnsafeMutablePointer<Float>,
                               saveMean: UnsafeMutablePointer<Float>?, saveInvStd: UnsafeMutablePointer<Float>?,
                               eps: Float = 1e-5, pool: ThreadPool = .default) {
        let per = c / g, size = per * s
        pool.parallelFor(n * g) { item in
            let xg = x + item * size, yg = y + item * size
            let (mean, invStd) = Reduce.meanAndInvStd(xg, count: size, eps: eps)
            saveMean?[item] = mean
            saveInvStd?[item] = invStd
            for k in 0..<per {
                let ch = (item % g) * per + k
                let a = (gamma?[ch] ?? 1) * invStd, b = (beta?[ch] ?? 0) - a * mean
                BatchNorm.affine(xg + k * s, yg + k * s, count: s, a, b)
            }
        }
    }

    /// dx = σ⁻¹(h − mean(h) − x̂·mean(h·x̂)) per (example, group) with h = dy·γ;
    /// dγ_c = Σ dy·x̂, dβ_c = Σ dy over examples and positions (overwritten, or added to with
    /// `accumulate`; nil skips them).
    public static func backward(batch n: Int, channels c: Int, spatial s: Int, groups g: Int, x: UnsafePointer<Float>,
                                dy: UnsafePointer<Float>, gamma: UnsafePointer<Float>?, saveMean: UnsafePointer<Float>,
                                saveInvStd: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>?,
                                dgamma: UnsafeMutablePointer<Float>?, dbeta: UnsafeMutablePointer<Float>?,
                                accumulate: Bool = false, pool: ThreadPool = .default) {
        let per = c / g, size = per * s
        if let dx {
            pool.parallelFor(n * g) { item in
                let xg = x + item * size, gg = dy + item * size, dg = dx + item * size
                let mean = saveMean[item], invStd = saveInvStd[item]
                // Σh and Σh·x̂ from the per-channel sums Σdy and Σdy·x (γ is constant in a channel).
                var sumH: Float = 0, sumHX: Float = 0
                for k in 0..<per {
                    let gamma = gamma?[(item % g) * per + k] ?? 1
                    let (sum, dot) = Reduce.sumAndDot(gg + k * s, xg + k * s, count: s)
                    sumH += gamma * sum
                    sumHX += gamma * (dot - mean * sum)
                }
                let mh = sumH / Float(size), mhx = sumHX * invStd / Float(size)
                // dx = a·dy + b·x + c per channel, a = σ⁻¹γ, b = −σ⁻²·mean(h·x̂), c = −σ⁻¹·mean(h) − b·μ.
                for k in 0..<per {
                    let a = (gamma?[(item % g) * per + k] ?? 1) * invStd
                    let b = -invStd * invStd * mhx, c0 = -invStd * mh - b * mean
                    BatchNorm.combine(gg + k * s, xg + k * s, dg + k * s, count: s, a, b, c0)
                }
            }
        }
        if dgamma == nil && dbeta == nil { return }
        pool.parallelFor(c) { ch in
            let group = ch / per
            var sg: Float = 0, sb: Float = 0
            for b in 0..<n {
                let off = (b * c + ch) * s, item = b * g + group
                let (sum, dot) = Reduce.sumAndDot(dy + off, x + off, count: s)
                sg += (dot - saveMean[item] * sum) * saveInvStd[item]
                sb += sum
            }
            if let dgamma { dgamma[ch] = accumulate ? dgamma[ch] + sg : sg }
            if let dbeta { dbeta[ch] = accumulate ? dbeta[ch] + sb : sb }
        }
    }
}
