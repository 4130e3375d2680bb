#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Mean squared error between predictions and float targets (PyTorch `MSELoss`, mean reduction).
///
/// Layouts: predictions, targets and dpredictions are `count` floats (a batch of [N, K] rows
/// flattened, so the mean is over N·K elements, as PyTorch's). The loss sums (p − t)² in Float64
/// in index order, so it is the same for every caller and thread count; `regula train` and
/// generated trainers both call these functions.
public enum MeanSquaredError {
    /// mean (p − t)²; 0 for an empty batch.
    public static func loss(count n: Int, predictions p: UnsafePointer<Float>, targets t: UnsafePointer<Float>) -> Float {
        var s = 0.0
        for j in 0..<n { let d = Double(p[j] - t[j]); s += d * d }
        return Float(n > 0 ? s / Double(n) : 0)
    }

    /// d/dp mean (p − t)² = 2(p − t)/count.
    public static func backward(count n: Int, predictions p: UnsafePointer<Float>, targets t: UnsafePointer<Float>,
                                dpredictions d: UnsafeMutablePointer<Float>) {
        let c = Float(2) / Float(max(n, 1))
        for j in 0..<n { d[j] = c * (p[j] - t[j]) }
    }
}

/// Binary cross-entropy of probabilities against float targets in [0, 1] (PyTorch `BCELoss`,
/// mean reduction): each log is clamped at −100 as PyTorch does, so p = 0 or 1 gives a finite loss.
///
/// Layouts as `MeanSquaredError`: `count` probabilities (the output of a sigmoid), targets and
/// gradient. The loss sums in Float64 in index order.
public enum BinaryCrossEntropy {
    /// mean −(t·log p + (1 − t)·log(1 − p)), logs ≥ −100.
    public static func loss(count n: Int, probabilities p: UnsafePointer<Float>, targets t: UnsafePointer<Float>) -> Float {
        var s = 0.0
        for j in 0..<n {
            let lp = max(log(Double(p[j])), -100), lq = max(log(1 - Double(p[j])), -100)
            s -= Double(t[j]) * lp + (1 - Double(t[j])) * lq
        }
        return Float(n > 0 ? s / Double(n) : 0)
    }

    /// d/dp = (p − t)/(p(1 − p))/count, the denominator at least 1e-12 (p at 0 or 1 stays finite).
    public static func backward(count n: Int, probabilities p: UnsafePointer<Float>, targets t: UnsafePointer<Float>,
                                dprobabilities d: UnsafeMutablePointer<Float>) {
        for j in 0..<n { d[j] = (p[j] - t[j]) / max(p[j] * (1 - p[j]), 1e-12) / Float(max(n, 1)) }
    }
}

/// Naive twins in Float64 over arrays: the textbook formulas, for tests.
public enum ElementwiseLossReference {
    public static func meanSquaredError(_ p: [Double], _ t: [Double]) -> Double {
        zip(p, t).map { ($0 - $1) * ($0 - $1) }.reduce(0, +) / Double(max(p.count, 1))
    }

    public static func binaryCrossEntropy(_ p: [Double], _ t: [Double]) -> Double {
        zip(p, t).map { p, t in -(t * max(log(p), -100) + (1 - t) * max(log(1 - p), -100)) }.reduce(0, +) / Double(max(p.count, 1))
    }
}
