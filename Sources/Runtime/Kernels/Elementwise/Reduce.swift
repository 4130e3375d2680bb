/// Fixed-order vector reductions.
///
/// Float sums do not vectorize by themselves (reassociation changes rounding), so these spell the
/// order out: 64-float blocks go to four `SIMD16` accumulators, the tail is added in index order,
/// then the lanes are combined in a fixed tree. The order depends only on `count`, never on the
/// thread count, so kernels that use them stay bit-reproducible.
public enum Reduce {
    /// Σ p[i].
    @inline(__always)
    public static func sum(_ p: UnsafePointer<Float>, count: Int) -> Float {
        var a0 = SIMD16<Float>(), a1 = SIMD16<Float>(), a2 = SIMD16<Float>(), a3 = SIMD16<Float>()
        let raw = UnsafeRawPointer(p)
        var i = 0
        while i + 64 <= count {
            a0 += raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
            a1 += raw.loadUnaligned(fromByteOffset: i * 4 + 64, as: SIMD16<Float>.self)
            a2 += raw.loadUnaligned(fromByteOffset: i * 4 + 128, as: SIMD16<Float>.self)
            a3 += raw.loadUnaligned(fromByteOffset: i * 4 + 192, as: SIMD16<Float>.self)
            i += 64
        }
        var tail: Float = 0
        while i < count { tail += p[i]; i += 1 }
        return ((a0 + a1) + (a2 + a3)).sum() + tail
    }

    /// Σ p[i]·q[i].
    @inline(__always)
    public static func dot(_ p: UnsafePointer<Float>, _ q: UnsafePointer<Float>, count: Int) -> Float {
        var a0 = SIMD16<Float>(), a1 = SIMD16<Float>()
        let rp = UnsafeRawPointer(p), rq = UnsafeRawPointer(q)
        var i = 0
        while i + 32 <= count {
            // stdlib `addingProduct` (not the micro-kernel's helper) so it inlines across files in debug builds
            a0 = a0.addingProduct(rp.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self),
                                  rq.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self))
            a1 = a1.addingProduct(rp.loadUnaligned(fromByteOffset: i * 4 + 64, as: SIMD16<Float>.self),
                                  rq.loadUnaligned(fromByteOffset: i * 4 + 64, as: SIMD16<Float>.self))
            i += 32
        }
        var tail: Float = 0
        while i < count { tail += p[i] * q[i]; i += 1 }
        return (a0 + a1).sum() + tail
    }

    /// (Σ p[i], Σ p[i]·q[i]) in one pass over both arrays (batch-norm backward).
    @inline(__always)
    public static func sumAndDot(_ p: UnsafePointer<Float>, _ q: UnsafePointer<Float>, count: Int) -> (sum: Float, dot: Float) {
        var s0 = SIMD16<Float>(), s1 = SIMD16<Float>(), d0 = SIMD16<Float>(), d1 = SIMD16<Float>()
        let rp = UnsafeRawPointer(p), rq = UnsafeRawPointer(q)
        var i = 0
        while i + 32 <= count {
            let p0 = rp.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
            let p1 = rp.loadUnaligned(fromByteOffset: i * 4 + 64, as: SIMD16<Float>.self)
            s0 += p0
            s1 += p1
            d0 = d0.addingProduct(p0, rq.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self))
            d1 = d1.addingProduct(p1, rq.loadUnaligned(fromByteOffset: i * 4 + 64, as: SIMD16<Float>.self))
            i += 32
        }
        var sumTail: Float = 0, dotTail: Float = 0
        while i < count { sumTail += p[i]; dotTail += p[i] * q[i]; i += 1 }
        return ((s0 + s1).sum() + sumTail, (d0 + d1).sum() + dotTail)
    }

    /// Mean and 1/√(biased variance + eps) of `count` values, in two passes (layer and group norm).
    @inline(__always)
    public static func meanAndInvStd(_ p: UnsafePointer<Float>, count: Int, eps: Float) -> (mean: Float, invStd: Float) {
        let mean = sum(p, count: count) / Float(count)
        let variance = squaredDeviation(p, count: count, mean: mean) / Float(count)
        return (mean, 1 / (variance + eps).squareRoot())
    }

    /// Σ (p[i] − mean)², the second pass of a two-pass variance.
    @inline(__always)
    public static func squaredDeviation(_ p: UnsafePointer<Float>, count: Int, mean: Float) -> Float {
        var a0 = SIMD16<Float>(), a1 = SIMD16<Float>()
        let m = SIMD16<Float>(repeating: mean)
        let raw = UnsafeRawPointer(p)
        var i = 0
        while i + 32 <= count {
            let d0 = raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self) - m
            let d1 = raw.loadUnaligned(fromByteOffset: i * 4 + 64, as: SIMD16<Float>.self) - m
            a0 = a0.addingProduct(d0, d0)
            a1 = a1.addingProduct(d1, d1)
            i += 32
        }
        var tail: Float = 0
        while i < count { let d = p[i] - mean; tail += d * d; i += 1 }
        return (a0 + a1).sum() + tail
    }
}
