import Foundation

/// A random stream keyed by `(seed, step, stream)` with random access by element index.
///
/// Layout of the Philox input (see `Philox`):
/// - key     = (seed low 32 bits, seed high 32 bits)
/// - counter = (element index / 4, stream id, step low 32 bits, step high 32 bits)
///
/// Element `i` of the stream is word `i % 4` of block `i / 4`. A value therefore depends only on
/// `(seed, step, stream, i)`: not on thread count, chunking or evaluation order (semantics §0,
/// RNG contract item 4). Give every stochastic op its own `stream` id and pass the optimizer step;
/// the backward pass rebuilds the same stream and regenerates the mask.
///
/// Conversions: uniform floats use the top 24 bits (`(w >> 8)·2⁻²⁴ ∈ [0, 1)`), so every value is
/// exactly representable; Bernoulli masks compare those 24 bits with an integer threshold, which
/// gives the same decision as `uniform(at: i) < keep`.
public struct RandomStream: Sendable, Hashable {
    public let seed: UInt64
    public let step: UInt64
    public let stream: UInt32

    /// Reserved stream ids for the data pipeline; ops should use ids below `reservedBase`.
    public static let reservedBase: UInt32 = 0xFFFF_0000
    /// Per-epoch shuffling of the training set (`step` = epoch).
    public static let shuffle: UInt32 = 0xFFFF_0001
    /// Train/validation split permutation, when a shuffled split is requested.
    public static let split: UInt32 = 0xFFFF_0002
    /// Annealed gradient noise (`step` = optimizer step, elements numbered across all parameters).
    public static let gradientNoise: UInt32 = 0xFFFF_0004

    /// Largest element count addressable by one stream (2³² blocks of 4 words).
    public static let maxElements = 1 << 34

    public init(seed: UInt64, step: UInt64 = 0, stream: UInt32 = 0) {
        self.seed = seed
        self.step = step
        self.stream = stream
    }

    @inline(__always) var key: SIMD2<UInt32> {
        SIMD2(UInt32(truncatingIfNeeded: seed), UInt32(truncatingIfNeeded: seed >> 32))
    }

    /// The four 32-bit words of block `index` (elements `4·index ..< 4·index + 4`).
    @inline(__always)
    public func block(_ index: Int) -> SIMD4<UInt32> {
        Philox.block(SIMD4(UInt32(truncatingIfNeeded: index), stream,
                           UInt32(truncatingIfNeeded: step), UInt32(truncatingIfNeeded: step >> 32)),
                     key: key)
    }

    /// The raw 32 bits of element `i`.
    @inline(__always)
    public func bits(at i: Int) -> UInt32 { block(i >> 2)[i & 3] }

    /// Uniform in [0, 1) with a 24-bit mantissa.
    @inline(__always)
    public func uniform(at i: Int) -> Float { Self.unit(bits(at: i)) }

    @inline(__always) static func unit(_ w: UInt32) -> Float { Float(w >> 8) * 0x1p-24 }

    /// Integer threshold `t` such that `(w >> 8) < t` ⇔ `unit(w) < keep`.
    @inline(__always) static func threshold(_ keep: Float) -> UInt32 {
        if !(keep > 0) { return 0 }
        if keep >= 1 { return 1 << 24 }
        return UInt32((Double(keep) * 0x1p24).rounded(.up))
    }

    /// Calls `body(i, bits(at: i))` for `i` in `offset ..< offset + count`, one Philox block per
    /// four elements (the partial blocks at both ends are handled separately).
    @inline(__always)
    func forEachBits(offset: Int, count: Int, _ body: (Int, UInt32) -> Void) {
        forEachBits(offset: offset, count: count, body) { i, w0, w1, w2, w3 in
            for b in 0..<8 {
                body(i + 4 * b, w0[b]); body(i + 4 * b + 1, w1[b]); body(i + 4 * b + 2, w2[b]); body(i + 4 * b + 3, w3[b])
            }
        }
    }

    /// Like `forEachBits(offset:count:_:)`, but full groups of 32 elements (8 blocks starting at a
    /// block boundary) go to `body8(i, w0, w1, w2, w3)`, where word `w` of block `b` is element
    /// `i + 4b + w`; the vectorized Philox (`Philox.blocks8`) computes them.
    @inline(__always)
    func forEachBits(offset: Int, count: Int, _ body: (Int, UInt32) -> Void,
                     _ body8: (Int, SIMD8<UInt32>, SIMD8<UInt32>, SIMD8<UInt32>, SIMD8<UInt32>) -> Void) {
        precondition(offset >= 0 && count >= 0 && offset + count <= Self.maxElements,
                     "random stream range \(offset)..<\(offset + count) is out of bounds")
        var i = offset
        let end = offset + count
        while i < end && i & 3 != 0 { body(i, bits(at: i)); i += 1 }
        let k = key, lo = UInt32(truncatingIfNeeded: step), hi = UInt32(truncatingIfNeeded: step >> 32)
        while i + 32 <= end {
            let (w0, w1, w2, w3) = Philox.blocks8(first: UInt32(truncatingIfNeeded: i >> 2), c1: stream, c2: lo, c3: hi, key: k)
            body8(i, w0, w1, w2, w3)
            i += 32
        }
        while i + 4 <= end {
            let b = block(i >> 2)
            body(i, b[0]); body(i + 1, b[1]); body(i + 2, b[2]); body(i + 3, b[3])
            i += 4
        }
        while i < end { body(i, bits(at: i)); i += 1 }
    }

    /// Splits `offset ..< offset + count` into one chunk per thread of `pool` (at least 4,096
    /// elements each), aligned to 4 elements, and runs them on the pool (nil: on this thread).
    /// Results are identical for every thread count because each element depends only on its
    /// index. (Dispatching them through GCD cost the MLP a tenth of its step: the pool's helper
    /// spun idle while GCD woke a thread.)
    func parallelChunks(offset: Int, count: Int, pool: ThreadPool?, _ body: (Int, Int) -> Void) {
        let t = max(1, min(pool?.threads ?? 1, count / 4096))
        guard let pool, t > 1 else { body(offset, count); return }
        let chunk = ((count + t - 1) / t + 3) & ~3
        pool.parallelFor(t) { k in
            let start = k * chunk
            let n = min(chunk, count - start)
            if n > 0 { body(offset + start, n) }
        }
    }
}

// MARK: - Fills (element `j` of the output gets stream element `offset + j`)

extension RandomStream {
    /// `out[j] = uniform(at: offset + j)` in [0, 1).
    public func fillUniform(_ out: UnsafeMutablePointer<Float>, count: Int, offset: Int = 0) {
        forEachBits(offset: offset, count: count) { i, w in out[i - offset] = Self.unit(w) }
    }

    /// `out[j]` uniform in [low, high).
    public func fillUniform(_ out: UnsafeMutablePointer<Float>, count: Int, low: Float, high: Float, offset: Int = 0) {
        let span = high - low
        forEachBits(offset: offset, count: count) { i, w in out[i - offset] = low + span * Self.unit(w) }
    }

    /// Bernoulli mask: `out[j] = value` with probability `keep` (uniform < keep), else 0.
    /// With `value = 1/keep` this is the inverted-dropout multiplier (semantics §2.1).
    public func fillBernoulli(_ out: UnsafeMutablePointer<Float>, count: Int, keep: Float,
                              value: Float = 1, offset: Int = 0, pool: ThreadPool? = nil) {
        let t = Self.threshold(keep)
        parallelChunks(offset: offset, count: count, pool: pool) { start, n in
            let dst = out + (start - offset)
            let tv = SIMD8<UInt32>(repeating: t), zero = SIMD8<Float>(repeating: 0)
            forEachBits(offset: start, count: n, { i, w in dst[i - start] = (w >> 8) < t ? value : 0 }, { i, w0, w1, w2, w3 in
                let m0 = zero.replacing(with: value, where: (w0 &>> 8) .< tv)
                let m1 = zero.replacing(with: value, where: (w1 &>> 8) .< tv)
                let m2 = zero.replacing(with: value, where: (w2 &>> 8) .< tv)
                let m3 = zero.replacing(with: value, where: (w3 &>> 8) .< tv)
                let (lo, hi) = interleave4(m0, m1, m2, m3)
                let dp = UnsafeMutableRawPointer(dst + (i - start))
                dp.storeBytes(of: lo, as: SIMD16<Float>.self)
                dp.storeBytes(of: hi, toByteOffset: 64, as: SIMD16<Float>.self)
            })
        }
    }

    /// `y[j] = x[j]·scale` where the mask element `offset + j` is kept (probability `keep`), else 0.
    ///
    /// This is inverted dropout with `scale = 1/keep`: call it on `x` in the forward pass and on
    /// `dy` in the backward pass with the same stream and offset to get `dx = dy ⊙ m / q` without
    /// storing `m`. `x` and `y` may alias. Dropped elements are `x·0` (a multiply, like PyTorch's
    /// `input * mask` and the `Dropout` kernels), so results agree bit for bit with a stored mask.
    public func applyBernoulli(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int,
                               keep: Float, scale: Float, offset: Int = 0, pool: ThreadPool? = nil) {
        let t = Self.threshold(keep)
        parallelChunks(offset: offset, count: count, pool: pool) { start, n in
            let src = x + (start - offset), dst = y + (start - offset)
            let tv = SIMD8<UInt32>(repeating: t), zero = SIMD8<Float>(repeating: 0)
            forEachBits(offset: start, count: n, { i, w in
                let j = i - start
                dst[j] = src[j] * ((w >> 8) < t ? scale : 0)
            }, { i, w0, w1, w2, w3 in
                let j = i - start
                let m0 = zero.replacing(with: scale, where: (w0 &>> 8) .< tv)
                let m1 = zero.replacing(with: scale, where: (w1 &>> 8) .< tv)
                let m2 = zero.replacing(with: scale, where: (w2 &>> 8) .< tv)
                let m3 = zero.replacing(with: scale, where: (w3 &>> 8) .< tv)
                let (lo, hi) = interleave4(m0, m1, m2, m3)
                let sp = UnsafeRawPointer(src + j), dp = UnsafeMutableRawPointer(dst + j)
                dp.storeBytes(of: sp.loadUnaligned(as: SIMD16<Float>.self) * lo, as: SIMD16<Float>.self)
                dp.storeBytes(of: sp.loadUnaligned(fromByteOffset: 64, as: SIMD16<Float>.self) * hi, toByteOffset: 64, as: SIMD16<Float>.self)
            })
        }
    }

    /// Standard normal draws by Box–Muller: block `b` gives `(z₀, z₁)` from words 0, 1 and
    /// `(z₂, z₃)` from words 2, 3 (`u₁ ∈ (0, 1]` so the logarithm is finite).
    public func fillNormal(_ out: UnsafeMutablePointer<Float>, count: Int, mean: Float = 0, std: Float = 1,
                           offset: Int = 0) {
        normals(count: count, offset: offset) { j, z in out[j] = mean + std * z }
    }

    /// Adds `std` times the draws of `fillNormal` to `x` (gradient noise).
    public func addNormal(_ x: UnsafeMutablePointer<Float>, count: Int, std: Float, offset: Int = 0) {
        normals(count: count, offset: offset) { j, z in x[j] += std * z }
    }

    /// Calls `body(j, z)` with the standard normal value of element `offset + j`, for every j.
    @inline(__always)
    private func normals(count: Int, offset: Int, _ body: (Int, Float) -> Void) {
        var j = 0
        while j < count {
            let i = offset + j
            if i & 3 == 0 && j + 4 <= count {                 // a whole block: both pairs at once
                let b = block(i >> 2)
                let (z0, z1) = Self.boxMuller(b[0], b[1]), (z2, z3) = Self.boxMuller(b[2], b[3])
                body(j, z0); body(j + 1, z1); body(j + 2, z2); body(j + 3, z3)
                j += 4
            } else {
                body(j, normal(at: i))
                j += 1
            }
        }
    }

    /// The standard normal value of element `i` (see `fillNormal`).
    public func normal(at i: Int) -> Float {
        let b = block(i >> 2)
        let lane = i & 3
        let z = lane < 2 ? Self.boxMuller(b[0], b[1]) : Self.boxMuller(b[2], b[3])
        return lane & 1 == 0 ? z.0 : z.1
    }

    /// Box–Muller on two words: `r = √(−2 ln u₁)`, `(r cos 2πu₂, r sin 2πu₂)`, `u₁ ∈ (0, 1]`.
    @inline(__always)
    static func boxMuller(_ a: UInt32, _ b: UInt32) -> (Float, Float) {
        let u1 = (Float(a >> 8) + 1) * 0x1p-24
        let u2 = unit(b)
        let r = (-2 * logf(u1)).squareRoot()
        let theta = 2 * Float.pi * u2
        return (r * cosf(theta), r * sinf(theta))
    }
}

/// Element order of 8 Philox blocks: lane `b` of `w0…w3` is word 0…3 of block `b`, i.e. elements
/// `4b … 4b+3`. Returns elements 0…15 and 16…31 as two contiguous vectors.
@inline(__always)
func interleave4(_ a: SIMD8<Float>, _ b: SIMD8<Float>, _ c: SIMD8<Float>, _ d: SIMD8<Float>) -> (SIMD16<Float>, SIMD16<Float>) {
    (SIMD16(a[0], b[0], c[0], d[0], a[1], b[1], c[1], d[1], a[2], b[2], c[2], d[2], a[3], b[3], c[3], d[3]),
     SIMD16(a[4], b[4], c[4], d[4], a[5], b[5], c[5], d[5], a[6], b[6], c[6], d[6], a[7], b[7], c[7], d[7]))
}
