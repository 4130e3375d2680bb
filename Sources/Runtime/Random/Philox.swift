/// Philox 4x32-10, the counter-based generator of Salmon, Moraes, Dror and Shaw,
/// "Parallel Random Numbers: As Easy as 1, 2, 3" (SC 2011), as implemented in Random123.
///
/// A counter-based generator is a keyed bijection `(counter, key) → 128 random bits`: there is no
/// sequential state, so the i-th draw of a stream can be computed directly from i. That is what
/// lets Regula regenerate a dropout mask in the backward pass instead of storing it, and makes
/// results independent of how work is split between threads.
///
/// Known-answer vectors (Random123 `kat_vectors`) are pinned in `PhiloxTests`.
public enum Philox {
    /// Round multipliers (Random123 `PHILOX_M4x32_0/1`).
    public static let m0: UInt32 = 0xD251_1F53
    public static let m1: UInt32 = 0xCD9E_8D57
    /// Key schedule increments (Weyl sequence; golden ratio and √3 − 1, Random123 `PHILOX_W32_0/1`).
    public static let w0: UInt32 = 0x9E37_79B9
    public static let w1: UInt32 = 0xBB67_AE85

    /// One Philox4x32 block with 10 rounds: four 32-bit outputs for counter `c` and key `k`.
    @inline(__always)
    public static func block(_ c: SIMD4<UInt32>, key k: SIMD2<UInt32>) -> SIMD4<UInt32> {
        var c0 = c[0], c1 = c[1], c2 = c[2], c3 = c[3]
        var k0 = k[0], k1 = k[1]
        for round in 0..<10 {
            if round > 0 { k0 &+= w0; k1 &+= w1 }    // bump the key before rounds 2…10
            let p0 = UInt64(m0) &* UInt64(c0)        // (hi0, lo0) = mulhilo(M0, c0)
            let p1 = UInt64(m1) &* UInt64(c2)        // (hi1, lo1) = mulhilo(M1, c2)
            let n0 = UInt32(truncatingIfNeeded: p1 >> 32) ^ c1 ^ k0
            let n1 = UInt32(truncatingIfNeeded: p1)
            let n2 = UInt32(truncatingIfNeeded: p0 >> 32) ^ c3 ^ k1
            let n3 = UInt32(truncatingIfNeeded: p0)
            c0 = n0; c1 = n1; c2 = n2; c3 = n3
        }
        return SIMD4(c0, c1, c2, c3)
    }

    /// Eight consecutive blocks `first ..< first + 8` of one stream at once (SIMD lanes = blocks).
    /// Counter words 1…3 are shared; word `w` of block `first + b` is `out.w[b]`. Same values as
    /// `block`, computed with 32×32→64-bit vector multiplies.
    @inline(__always)
    public static func blocks8(first: UInt32, c1: UInt32, c2: UInt32, c3: UInt32, key k: SIMD2<UInt32>)
        -> (SIMD8<UInt32>, SIMD8<UInt32>, SIMD8<UInt32>, SIMD8<UInt32>) {
        var x0 = SIMD8<UInt32>(repeating: first) &+ SIMD8<UInt32>(0, 1, 2, 3, 4, 5, 6, 7)
        var x1 = SIMD8<UInt32>(repeating: c1)
        var x2 = SIMD8<UInt32>(repeating: c2)
        var x3 = SIMD8<UInt32>(repeating: c3)
        var k0 = k[0], k1 = k[1]
        let mul0 = SIMD8<UInt64>(repeating: UInt64(m0)), mul1 = SIMD8<UInt64>(repeating: UInt64(m1))
        for round in 0..<10 {
            if round > 0 { k0 &+= w0; k1 &+= w1 }
            let p0 = widen(x0) &* mul0
            let p1 = widen(x2) &* mul1
            let n0 = narrow(p1 &>> 32) ^ x1 ^ SIMD8(repeating: k0)
            let n2 = narrow(p0 &>> 32) ^ x3 ^ SIMD8(repeating: k1)
            x1 = narrow(p1)
            x3 = narrow(p0)
            x0 = n0; x2 = n2
        }
        return (x0, x1, x2, x3)
    }

    // Lane-wise widening and narrowing, spelled out: the generic
    // `SIMD8<UInt64>(truncatingIfNeeded:)` is not specialized under whole-module optimization
    // (release builds ran the MLP's dropout masks ~15% slower through a generic call); these
    // lower to single zero-extend and truncate instructions.
    @inline(__always)
    static func widen(_ v: SIMD8<UInt32>) -> SIMD8<UInt64> {
        SIMD8<UInt64>(UInt64(v[0]), UInt64(v[1]), UInt64(v[2]), UInt64(v[3]),
                      UInt64(v[4]), UInt64(v[5]), UInt64(v[6]), UInt64(v[7]))
    }

    @inline(__always)
    static func narrow(_ v: SIMD8<UInt64>) -> SIMD8<UInt32> {
        SIMD8<UInt32>(UInt32(truncatingIfNeeded: v[0]), UInt32(truncatingIfNeeded: v[1]),
                      UInt32(truncatingIfNeeded: v[2]), UInt32(truncatingIfNeeded: v[3]),
                      UInt32(truncatingIfNeeded: v[4]), UInt32(truncatingIfNeeded: v[5]),
                      UInt32(truncatingIfNeeded: v[6]), UInt32(truncatingIfNeeded: v[7]))
    }
}
