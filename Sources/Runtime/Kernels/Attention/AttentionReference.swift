import Foundation

/// Naive twin of `Attention.forward` in Float64: per query, explicit scores, masked softmax,
/// dropout mask, weighted sum of values.
public enum AttentionReference {
    public static func forward(_ s: Attention.Shape, q: [Double], k: [Double], v: [Double], mask: [Double]?) -> [Double] {
        let (tq, tk, d, dv) = (s.queries, s.keys, s.dim, s.valueDim)
        var out = [Double](repeating: 0, count: s.pairs * tq * dv)
        for p in 0..<s.pairs { for i in 0..<tq {
            var scores = [Double](repeating: -.infinity, count: tk)
            for j in 0..<tk where !(s.causal && j > i) {
                var dot = 0.0
                for c in 0..<d { dot += q[(p * tq + i) * d + c] * k[(p * tk + j) * d + c] }
                scores[j] = dot / Double(d).squareRoot()
            }
            let mx = scores.max() ?? 0
            let e = scores.map { exp($0 - mx) }
            let sum = e.reduce(0, +)
            for j in 0..<tk {
                let w = e[j] / sum * (mask?[(p * tq + i) * tk + j] ?? 1)
                for c in 0..<dv { out[(p * tq + i) * dv + c] += w * v[(p * tk + j) * dv + c] }
            }
        } }
        return out
    }
}
