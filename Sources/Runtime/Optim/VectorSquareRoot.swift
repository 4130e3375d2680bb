/// Correctly rounded square roots of 16 floats with vector instructions.
///
/// On Linux `Float.squareRoot()` lowers to a libm `sqrtf` call that LLVM does not vectorize, which
/// made the square root the bulk of an Adam step. This computes each lane's IEEE-754 `sqrt` exactly:
/// a reciprocal-square-root Newton iteration in Double (four steps from the classic bit-trick guess
/// reach ~1e-16 relative error), rounding to Float, then one exact correction — the midpoints
/// between the candidate and its neighbours have at most 25 significant bits, so their squares are
/// exact in Double and comparing them with x decides the correctly rounded result. A midpoint can
/// never equal a float's square root exactly, so there are no ties.
///
/// Lanes that are negative (including −0), infinite or NaN send the whole vector to the scalar
/// `squareRoot()` (never the case for Adam's second moment, which is ≥ +0).
@inline(__always)
func vectorSquareRoot(_ x: SIMD16<Float>) -> SIMD16<Float> {
    let bits = unsafeBitCast(x, to: SIMD16<UInt32>.self)
    if any(bits .>= SIMD16<UInt32>(repeating: 0x7F80_0000)) {      // sign set, or exponent all ones
        var r = x
        for i in 0..<16 { r[i] = x[i].squareRoot() }
        return r
    }
    return SIMD16(lowHalf: half(x.lowHalf), highHalf: half(x.highHalf))
}

@inline(__always)
private func half(_ x: SIMD8<Float>) -> SIMD8<Float> {
    typealias D = SIMD8<Double>
    let d = D(x)
    // y ≈ 1/√d: bit-trick seed (≤ 3.5% error), then y ← y·(1.5 − 0.5·d·y²).
    let dBits = unsafeBitCast(d, to: SIMD8<UInt64>.self)
    var y = unsafeBitCast(SIMD8<UInt64>(repeating: 0x5FE6_EB50_C7B5_37A9) &- (dBits &>> 1), to: D.self)
    let h = 0.5 * d
    for _ in 0..<4 { y = y * (1.5 - h * y * y) }
    let r = SIMD8<Float>(d * y)                                       // zero lanes stay exactly 0
    let rBits = unsafeBitCast(r, to: SIMD8<UInt32>.self)
    let up = D(unsafeBitCast(rBits &+ 1, to: SIMD8<Float>.self))
    let down = D(unsafeBitCast(rBits &- 1, to: SIMD8<Float>.self))    // NaN when r == 0: compares false
    var rd = D(r)
    let midUp = (rd + up) * 0.5
    let midDown = (rd + down) * 0.5
    rd.replace(with: up, where: midUp * midUp .< d)
    rd.replace(with: down, where: midDown * midDown .> d)
    return SIMD8<Float>(rd)                                           // exact: every lane is a float
}
