/// Gaussian noise regularizers (Keras `GaussianNoise`, `GaussianDropout`), for the interpreter and
/// generated code alike. Element `i` of a step draws `n_i ~ N(0, 1)` from `stream.normal(at: i)`,
/// so the backward regenerates the forward's noise from the same key.
///
///     additive (GaussianNoise(σ)):          y = x + σ·n;       dx = dy
///     multiplicative (GaussianDropout(p)):  y = x·(1 + σ·n);   dx = dy·(1 + σ·n),  σ = √(p/(1 − p))
///
/// Both are the identity at evaluation (the noise has mean 0, the factor mean 1). Multiplicative
/// noise with that σ has the mean and variance of inverted dropout with drop probability p
/// (Srivastava et al. 2014, §10).
public enum GaussianNoise {
    /// Standard deviation of the multiplicative noise equivalent to dropout with drop rate `p`.
    public static func dropoutStd(_ p: Double) -> Double { (p / (1 - p)).squareRoot() }

    /// `y = x + std·n` (additive) or `y = x·(1 + std·n)` (multiplicative); x and y may alias.
    ///
    /// Element i uses `stream.normal(at: i)`; whole Philox blocks give four normals from one draw
    /// (two Box–Muller pairs), and fixed chunks of the elements run on `pool`, so the
    /// values do not depend on the thread count.
    public static func apply(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int, std: Float,
                             multiplicative: Bool, stream: RandomStream, pool: ThreadPool? = nil) {
        @inline(__always) func put(_ i: Int, _ z: Float) {
            let n = std * z
            y[i] = multiplicative ? x[i] * (1 + n) : x[i] + n
        }
        stream.parallelChunks(offset: 0, count: count, pool: pool) { start, n in
            var i = start
            let end = start + n
            while i < end {
                if i & 3 == 0 && i + 4 <= end {
                    let b = stream.block(i >> 2)
                    let (z0, z1) = RandomStream.boxMuller(b[0], b[1]), (z2, z3) = RandomStream.boxMuller(b[2], b[3])
                    put(i, z0); put(i + 1, z1); put(i + 2, z2); put(i + 3, z3)
                    i += 4
                } else {
                    put(i, stream.normal(at: i))
                    i += 1
                }
            }
        }
    }
}
