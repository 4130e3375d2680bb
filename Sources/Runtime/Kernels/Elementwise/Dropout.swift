/// Inverted dropout applied from a mask produced elsewhere (the RNG lives in `Runtime/Random`).
///
/// Layouts: x, y, mask are flat buffers of `count` elements. Three mask forms, all giving
/// `y = x ⊙ m / q` with q the keep probability (semantics reference §2.1):
/// * `Float` mask already holding `0` or `1/q` (what `RandomStream.fillBernoulli` can produce),
/// * `UInt8` keep flags (1 = keep), scaled here by `1/q`,
/// * uniform draws `u` in [0, 1): an element is kept when `u < q`, so the backward pass can
///   regenerate the same decisions from the same counter-based stream instead of storing them.
/// All forms multiply (`x·0` keeps the sign of zero), so they agree bit for bit.
/// Backward is the same operation applied to dy (same mask); p = 0 is the identity, p = 1 gives zeros.
public enum Dropout {
    /// y = x ⊙ mask (mask already scaled).
    public static func apply(_ x: UnsafePointer<Float>, mask: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { y[i] = x[i] * mask[i] }
    }

    /// y = x ⊙ keep / q.
    public static func apply(_ x: UnsafePointer<Float>, keepFlags: UnsafePointer<UInt8>, keep q: Float,
                             _ y: UnsafeMutablePointer<Float>, count: Int) {
        let scale: Float = q > 0 ? 1 / q : 0
        for i in 0..<count { y[i] = x[i] * (keepFlags[i] != 0 ? scale : 0) }
    }

    /// y = x·[u < q]/q from uniform draws u.
    public static func apply(_ x: UnsafePointer<Float>, uniforms u: UnsafePointer<Float>, keep q: Float,
                             _ y: UnsafeMutablePointer<Float>, count: Int) {
        let scale: Float = q > 0 ? 1 / q : 0
        for i in 0..<count { y[i] = x[i] * (u[i] < q ? scale : 0) }
    }
}
