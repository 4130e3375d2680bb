#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How hard labels become soft targets (semantics reference §5.1).
public enum LabelSmoothing: Hashable, Sendable {
    /// q_k = (1 − ε)·[k = y] + ε/K (Szegedy et al. 2016; PyTorch `label_smoothing`, Keras).
    case uniform(Float)
    /// q_y = 1 − ε, q_k = ε/(K − 1) for k ≠ y (the tutorial's variant; = uniform with ε·K/(K−1)).
    case offTarget(Float)

    public static let none = LabelSmoothing.uniform(0)

    /// (target weight, weight of every other class) for K classes.
    public func targets(classes k: Int) -> (on: Float, off: Float) {
        switch self {
        case .uniform(let e): return (1 - e + e / Float(k), e / Float(k))
        case .offTarget(let e): return k > 1 ? (1 - e, e / Float(k - 1)) : (1, 0)
        }
    }

    /// How a probability target row t is smoothed: q = t·keep + spread for every class (PyTorch's
    /// rule for probability targets, `t(1−ε) + ε/K`; the off-target variant through its uniform
    /// equivalent ε·K/(K−1), so a one-hot row gets exactly `targets(classes:)`).
    public func softTargets(classes k: Int) -> (keep: Float, spread: Float) {
        let (on, off) = targets(classes: k)
        return (on - off, off)
    }
}

/// Softmax cross-entropy with integer labels, mean over the batch, fused with its gradient.
///
/// Layouts: logits and dlogits are [N, K]; labels are N class indices in 0..<K.
/// Per row: loss = logsumexp(z) − Σ_k q_k z_k (= −Σ q_k log softmax(z)_k because Σ q = 1) and
/// dlogits = (softmax(z) − q)·gradScale, gradScale defaulting to 1/N (the mean).
/// Rows are parallel work items; per-row losses are summed afterwards in row order (Float64),
/// so the loss is bit-identical for any thread count.
public enum SoftmaxCrossEntropy {
    public struct Result: Equatable {
        /// Mean loss over the batch.
        public var loss: Double
        /// Rows whose arg-max logit (first one on ties) equals the label.
        public var correct: Int
    }

    public static func forwardBackward(batch n: Int, classes k: Int, logits: UnsafePointer<Float>,
                                       labels: UnsafePointer<Int32>, smoothing: LabelSmoothing = .none,
                                       dlogits: UnsafeMutablePointer<Float>?, gradScale: Float? = nil,
                                       pool: ThreadPool = .default) -> Result {
        precondition(k >= 1, "cross-entropy needs at least one class")
        let (on, off) = smoothing.targets(classes: k)
        let scale = gradScale ?? (n > 0 ? 1 / Float(n) : 0)
        let rowLoss = UnsafeMutablePointer<Double>.allocate(capacity: max(n, 1))
        let hit = UnsafeMutablePointer<Bool>.allocate(capacity: max(n, 1))
        defer { rowLoss.deallocate(); hit.deallocate() }
        pool.parallelFor(n) { r in
            let z = logits + r * k
            let y = Int(labels[r])
            precondition(y >= 0 && y < k, "label \(y) out of range 0..<\(k) in row \(r)")
            var mx = z[0], arg = 0
            for j in 1..<max(k, 1) where z[j] > mx { mx = z[j]; arg = j }
            var sum: Float = 0, dot: Float = 0
            for j in 0..<k { sum += expf(z[j] - mx); dot += z[j] }
            let lse = mx + logf(sum)
            // Σ q_k z_k = off·Σ z + (on − off)·z_y
            rowLoss[r] = Double(lse) - Double(off * dot + (on - off) * z[y])
            hit[r] = arg == y
            if let dlogits {
                let g = dlogits + r * k, inv = 1 / sum
                for j in 0..<k {
                    let q = j == y ? on : off
                    g[j] = (expf(z[j] - mx) * inv - q) * scale
                }
            }
        }
        var total = 0.0, correct = 0
        for r in 0..<n { total += rowLoss[r]; if hit[r] { correct += 1 } }
        return Result(loss: n > 0 ? total / Double(n) : 0, correct: correct)
    }

    /// Cross-entropy with probability targets: `targets` is [N, K], each row summing to 1 (mixup
    /// and CutMix mix one-hot rows). Per row, with q = t·keep + spread (`softTargets`):
    /// loss = logsumexp(z) − Σ_k q_k z_k and dlogits = (softmax(z) − q)·gradScale. A row is correct
    /// when its arg-max logit is its target's arg-max (first one on ties): the class with the
    /// larger weight in a mixed row.
    public static func forwardBackward(batch n: Int, classes k: Int, logits: UnsafePointer<Float>,
                                       targets: UnsafePointer<Float>, smoothing: LabelSmoothing = .none,
                                       dlogits: UnsafeMutablePointer<Float>?, gradScale: Float? = nil,
                                       pool: ThreadPool = .default) -> Result {
        precondition(k >= 1, "cross-entropy needs at least one class")
        let (keep, spread) = smoothing.softTargets(classes: k)
        let scale = gradScale ?? (n > 0 ? 1 / Float(n) : 0)
        let rowLoss = UnsafeMutablePointer<Double>.allocate(capacity: max(n, 1))
        let hit = UnsafeMutablePointer<Bool>.allocate(capacity: max(n, 1))
        defer { rowLoss.deallocate(); hit.deallocate() }
        pool.parallelFor(n) { r in
            let z = logits + r * k, t = targets + r * k
            var mx = z[0], arg = 0, targetArg = 0
            for j in 1..<max(k, 1) {
                if z[j] > mx { mx = z[j]; arg = j }
                if t[j] > t[targetArg] { targetArg = j }
            }
            var sum: Float = 0, dot: Float = 0
            for j in 0..<k { sum += expf(z[j] - mx); dot += (t[j] * keep + spread) * z[j] }
            rowLoss[r] = Double(mx + logf(sum)) - Double(dot)
            hit[r] = arg == targetArg
            if let dlogits {
                let g = dlogits + r * k, inv = 1 / sum
                for j in 0..<k { g[j] = (expf(z[j] - mx) * inv - (t[j] * keep + spread)) * scale }
            }
        }
        var total = 0.0, correct = 0
        for r in 0..<n { total += rowLoss[r]; if hit[r] { correct += 1 } }
        return Result(loss: n > 0 ? total / Double(n) : 0, correct: correct)
    }

    /// Rows whose arg-max logit is the arg-max of their target row (first one on ties).
    public static func correctCount(batch n: Int, classes k: Int, logits: UnsafePointer<Float>, targets: UnsafePointer<Float>) -> Int {
        var correct = 0
        for r in 0..<n {
            let z = logits + r * k, t = targets + r * k
            var arg = 0, targetArg = 0
            for j in 1..<max(k, 1) {
                if z[j] > z[arg] { arg = j }
                if t[j] > t[targetArg] { targetArg = j }
            }
            if arg == targetArg { correct += 1 }
        }
        return correct
    }

    /// Count of rows whose arg-max logit equals the label (evaluation without a loss).
    public static func correctCount(batch n: Int, classes k: Int, logits: UnsafePointer<Float>, labels: UnsafePointer<Int32>) -> Int {
        var correct = 0
        for r in 0..<n {
            let z = logits + r * k
            var arg = 0
            for j in 1..<max(k, 1) where z[j] > z[arg] { arg = j }
            if arg == Int(labels[r]) { correct += 1 }
        }
        return correct
    }
}

/// Naive twin in Float64: explicit soft targets and log-softmax, mean over rows.
public enum SoftmaxCrossEntropyReference {
    public static func loss(batch n: Int, classes k: Int, logits: [Double], labels: [Int], smoothing: LabelSmoothing) -> Double {
        let (on, off) = smoothing.targets(classes: k)
        let logp = SoftmaxReference.forward(rows: n, n: k, logits, log: true)
        var total = 0.0
        for r in 0..<n {
            for j in 0..<k { total -= Double(j == labels[r] ? on : off) * logp[r * k + j] }
        }
        return total / Double(n)
    }

    /// With probability target rows: −Σ q_k log softmax(z)_k, q = t·keep + spread, mean over rows.
    public static func loss(batch n: Int, classes k: Int, logits: [Double], targets: [Double], smoothing: LabelSmoothing) -> Double {
        let (keep, spread) = smoothing.softTargets(classes: k)
        let logp = SoftmaxReference.forward(rows: n, n: k, logits, log: true)
        var total = 0.0
        for i in 0..<(n * k) { total -= (targets[i] * Double(keep) + Double(spread)) * logp[i] }
        return total / Double(n)
    }
}
