#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The consistency term of the Π-model (Laine & Aila 2017, "Temporal Ensembling for
/// Semi-Supervised Learning") and Mean Teacher (Tarvainen & Valpola 2017, "Mean teachers are
/// better role models"): the mean squared distance between the softmax of the logits and a
/// target distribution p that is a constant (the other pass's softmax), times a weight w:
///
///     C = w/(N·K) · Σ_rows Σ_k (softmax(z)_k − p_k)²
///
/// as the reference code's `softmax_mse_loss` (sum over classes, then the mean over the batch,
/// divided by K). Layouts: logits, target and dlogits are [N, K] rows; `weight` one float.
/// Rows are independent; the loss sums row terms in Float64 in row order, so it is the same for
/// every caller and thread count.
public enum SoftmaxConsistency {
    /// C, and dC/dz into `dlogits` when given: with s = softmax(z) and g = 2w(s − p)/(N·K),
    /// dz_k = s_k·(g_k − Σ_j g_j s_j) (the softmax's backward).
    public static func forwardBackward(rows n: Int, classes k: Int, logits: UnsafePointer<Float>, target: UnsafePointer<Float>,
                                       weight: Float, dlogits: UnsafeMutablePointer<Float>?) -> Double {
        guard n > 0, k > 0 else { return 0 }
        let scale = weight / Float(n * k)
        var total = 0.0
        let s = UnsafeMutablePointer<Float>.allocate(capacity: k)
        defer { s.deallocate() }
        for r in 0..<n {
            let z = logits + r * k, p = target + r * k
            var mx = z[0]
            for j in 1..<k where z[j] > mx { mx = z[j] }
            var sum: Float = 0
            for j in 0..<k { s[j] = expf(z[j] - mx); sum += s[j] }
            var row = 0.0, dot: Float = 0
            for j in 0..<k {
                s[j] /= sum
                let d = s[j] - p[j]
                row += Double(d) * Double(d)
                dot += 2 * scale * d * s[j]
            }
            total += row
            if let dlogits {
                let g = dlogits + r * k
                for j in 0..<k { g[j] = s[j] * (2 * scale * (s[j] - p[j]) - dot) }
            }
        }
        return Double(weight) * total / Double(n * k)
    }
}

/// Naive twin in Float64: softmax, squared distance, mean over N·K, times w.
public enum SoftmaxConsistencyReference {
    public static func loss(rows n: Int, classes k: Int, logits: [Double], target: [Double], weight: Double) -> Double {
        let s = SoftmaxReference.forward(rows: n, n: k, logits)
        return weight * zip(s, target).map { ($0 - $1) * ($0 - $1) }.reduce(0, +) / Double(n * k)
    }
}
