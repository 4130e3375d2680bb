/// Naive twins of the normalization kernels in Float64, written from the definitions
/// (x̂ = (x − μ)/√(σ² + ε), y = γx̂ + β), used as oracles and for finite differences.
public enum NormReference {
    /// BatchNorm training forward over [n, c, s]; returns y, batch mean and biased variance.
    public static func batchNorm(n: Int, c: Int, s: Int, x: [Double], gamma: [Double], beta: [Double],
                                 eps: Double) -> (y: [Double], mean: [Double], variance: [Double]) {
        var y = x, means = [Double](repeating: 0, count: c), vars = means
        let m = Double(n * s)
        for ch in 0..<c {
            var mean = 0.0
            for b in 0..<n { for i in 0..<s { mean += x[(b * c + ch) * s + i] } }
            mean /= m
            var v = 0.0
            for b in 0..<n { for i in 0..<s { v += (x[(b * c + ch) * s + i] - mean) * (x[(b * c + ch) * s + i] - mean) } }
            v /= m
            means[ch] = mean; vars[ch] = v
            for b in 0..<n { for i in 0..<s {
                let k = (b * c + ch) * s + i
                y[k] = gamma[ch] * (x[k] - mean) / (v + eps).squareRoot() + beta[ch]
            } }
        }
        return (y, means, vars)
    }

    /// LayerNorm over rows of length d.
    public static func layerNorm(rows: Int, d: Int, x: [Double], gamma: [Double], beta: [Double], eps: Double) -> [Double] {
        var y = x
        for r in 0..<rows {
            let row = x[(r * d)..<(r * d + d)]
            let mean = row.reduce(0, +) / Double(d)
            let v = row.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(d)
            for j in 0..<d { y[r * d + j] = gamma[j] * (x[r * d + j] - mean) / (v + eps).squareRoot() + beta[j] }
        }
        return y
    }

    /// GroupNorm over [n, c, s] with `g` groups of c/g consecutive channels.
    public static func groupNorm(n: Int, c: Int, s: Int, groups g: Int, x: [Double], gamma: [Double], beta: [Double],
                                 eps: Double) -> [Double] {
        var y = x
        let per = c / g
        for b in 0..<n {
            for grp in 0..<g {
                let idx = (grp * per..<(grp + 1) * per).flatMap { ch in (0..<s).map { (b * c + ch) * s + $0 } }
                let mean = idx.reduce(0) { $0 + x[$1] } / Double(idx.count)
                let v = idx.reduce(0) { $0 + (x[$1] - mean) * (x[$1] - mean) } / Double(idx.count)
                for k in idx { y[k] = gamma[(k / s) % c] * (x[k] - mean) / (v + eps).squareRoot() + beta[(k / s) % c] }
            }
        }
        return y
    }
}
