/// One coefficient per sample of a batch: the arithmetic of Shake-Shake (Gastaldi 2017),
/// ShakeDrop (Yamada et al. 2019) and stochastic depth (Huang et al. 2016), shared by the
/// interpreter and generated code. Samples are independent work items, so results do not depend
/// on the thread count; small tensors stay on the calling thread.
public enum SampleScale {
    /// Below this many elements the work stays on the calling thread.
    static let parallelThreshold = 1 << 15

    /// y[s, j] = c · x[s, j] with c = coefficients[s·stride + offset] (`y` may alias `x`).
    public static func scale(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, batch: Int, length: Int,
                             coefficients: [Float], stride: Int = 1, offset: Int = 0, pool: ThreadPool = .default) {
        precondition(coefficients.count >= (batch - 1) * stride + offset + 1 || batch == 0, "one coefficient per sample")
        coefficients.withUnsafeBufferPointer { c in
            run(batch: batch, length: length, pool: pool) { s in
                let v = c[s * stride + offset], xs = x + s * length, ys = y + s * length
                for j in 0..<length { ys[j] = v * xs[j] }
            }
        }
    }

    /// y[s, j] = Σ_b c[s·B + b] · x_b[s, j], summed from 0 in branch order.
    public static func mix(_ xs: [UnsafePointer<Float>], into y: UnsafeMutablePointer<Float>, batch: Int, length: Int,
                           coefficients: [Float], pool: ThreadPool = .default) {
        let branches = xs.count
        precondition(coefficients.count == batch * branches, "one coefficient per sample and branch")
        coefficients.withUnsafeBufferPointer { c in
            run(batch: batch, length: length, pool: pool) { s in
                let ys = y + s * length
                for (b, x) in xs.enumerated() {
                    let v = c[s * branches + b], xb = x + s * length
                    if b == 0 {
                        for j in 0..<length { ys[j] = 0 + v * xb[j] }
                    } else {
                        for j in 0..<length { ys[j] += v * xb[j] }
                    }
                }
            }
        }
    }

    private static func run(batch: Int, length: Int, pool: ThreadPool, _ body: (Int) -> Void) {
        if batch * length < parallelThreshold {
            for s in 0..<batch { body(s) }
        } else {
            pool.parallelFor(batch, body)
        }
    }
}
