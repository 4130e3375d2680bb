/// Alpha dropout (Klambauer et al. 2017, "Self-Normalizing Neural Networks"), for SELU networks:
/// dropped units take SELU's negative saturation value α' = −λα instead of 0, and an affine map
/// restores mean 0 and variance 1 for standard-normal input (PyTorch `AlphaDropout`, Keras
/// `AlphaDropout`):
///
///     m ~ Bernoulli(1 − p) per element (the same draw as dropout's mask for the same key)
///     y = a·(x·m + α'·(1 − m)) + b,   a = ((1 − p)(1 + p·α'²))^(−½),   b = −a·α'·p
///     dx = a·m·dy;   evaluation: identity
public enum AlphaDropout {
    /// −λα of SELU (PyTorch's `alpha` in `Dropout.cpp`).
    public static let saturation: Double = -1.7580993408473766

    /// The affine map's (a, b) for drop probability `p`.
    public static func affine(_ p: Double) -> (a: Double, b: Double) {
        let s = saturation
        let a = 1 / ((1 - p) * (1 + p * s * s)).squareRoot()
        return (a, -a * s * p)
    }

    /// Forward (`backward == false`: y from x) or backward (dx from dy) with the mask of
    /// `stream`; x and y may alias. Values do not depend on the pool's threads.
    public static func apply(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int, p: Double,
                             backward: Bool, stream: RandomStream, pool: ThreadPool? = nil) {
        let (a, b) = affine(p)
        let fa = Float(a), dropped = Float(a * saturation + b), shift = Float(b)
        let t = RandomStream.threshold(Float(1 - p))
        stream.parallelChunks(offset: 0, count: count, pool: pool) { start, n in
            stream.forEachBits(offset: start, count: n) { i, w in
                let kept = (w >> 8) < t
                y[i] = backward ? (kept ? fa * x[i] : 0) : (kept ? fa * x[i] + shift : dropped)
            }
        }
    }
}
