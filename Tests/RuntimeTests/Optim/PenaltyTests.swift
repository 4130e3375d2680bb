import XCTest
@testable import Runtime

/// Penalties, max-norm and gradient clipping against semantics §1.4 and §7.3.
final class PenaltyTests: XCTestCase {
    func testL2Conventions() {
        let w: [Float] = [1, -2, 3]
        var g: [Float] = [0, 0, 0]
        XCTAssertEqual(Penalty.l2(w, count: 3, lambda: 0.1, grad: &g), 1.4, accuracy: 1e-7)
        XCTAssertEqual(g[0], 0.2, accuracy: 1e-7); XCTAssertEqual(g[1], -0.4, accuracy: 1e-7); XCTAssertEqual(g[2], 0.6, accuracy: 1e-7)
        var h: [Float] = [0, 0, 0]
        XCTAssertEqual(Penalty.l2(w, count: 3, lambda: 0.1, convention: .half, grad: &h), 0.7, accuracy: 1e-7)
        XCTAssertEqual(h[0], 0.1, accuracy: 1e-7); XCTAssertEqual(h[1], -0.2, accuracy: 1e-7); XCTAssertEqual(h[2], 0.3, accuracy: 1e-7)
    }

    func testL1SubgradientAndAccumulation() {
        let w: [Float] = [0, -3, 2]
        var g: [Float] = [1, 1, 1]
        let value = Penalty.l1(w, count: 3, lambda: 0.5, grad: &g)
        XCTAssertEqual(value, 2.5, accuracy: 1e-9)
        XCTAssertEqual(g, [1, 0.5, 1.5])        // sign(0) = 0, −λ at w = −3, gradient added to g
    }

    func testElasticNetIsTheSumAndFiniteDifferences() {
        let w: [Float] = [0.3, -0.7, 1.1]
        var g: [Float] = [0, 0, 0]
        let v = Penalty.elasticNet(w, count: 3, l1: 0.01, l2: 0.02, grad: &g)
        XCTAssertEqual(v, 0.01 * 2.1 + 0.02 * (0.09 + 0.49 + 1.21), accuracy: 1e-7)
        for i in 0..<3 {
            var a = w, b = w
            a[i] += 1e-3; b[i] -= 1e-3
            let fd = (Penalty.elasticNet(a, count: 3, l1: 0.01, l2: 0.02, grad: nil)
                      - Penalty.elasticNet(b, count: 3, l1: 0.01, l2: 0.02, grad: nil)) / 2e-3
            XCTAssertEqual(Double(g[i]), fd, accuracy: 1e-4)
        }
    }

    func testSoftThresholdGivesExactZeros() {
        var w: [Float] = [0.05, -0.05, 0.3, -0.3]
        Penalty.softThreshold(&w, count: 4, threshold: 0.1)
        XCTAssertEqual(w[0], 0); XCTAssertEqual(w[1], 0)
        XCTAssertEqual(w[2], 0.2, accuracy: 1e-7); XCTAssertEqual(w[3], -0.2, accuracy: 1e-7)
    }

    /// §1.4: a row of norm 5 with c=2 → norm 2, direction unchanged; norm 1 unchanged (PyTorch) or
    /// scaled by 1/(1+1e-7) (Keras).
    func testMaxNorm() {
        var w: [Float] = [3, 4, 0.6, 0.8]
        MaxNorm.project(&w, rows: 2, cols: 2, maxNorm: 2)
        XCTAssertEqual((w[0] * w[0] + w[1] * w[1]).squareRoot(), 2, accuracy: 1e-6)
        XCTAssertEqual(w[0] / w[1], 0.75, accuracy: 1e-6)
        XCTAssertEqual(Array(w[2...]), [0.6, 0.8])
        var k: [Float] = [0.6, 0.8]
        MaxNorm.project(&k, rows: 1, cols: 2, maxNorm: 2, convention: .keras)
        XCTAssertEqual(k[0], 0.6 / (1 + 1e-7), accuracy: 1e-9)
    }

    /// §7.3: global norm 10, max 1 → new norm 10/(10+1e-6), same direction; returns the pre-clip norm.
    func testGlobalNormClipping() {
        var a: [Float] = [6, 0], b: [Float] = [0, 8]
        let total = a.withUnsafeMutableBufferPointer { pa in
            b.withUnsafeMutableBufferPointer { pb in GradientClipping.clipGlobalNorm([pa, pb], maxNorm: 1) }
        }
        XCTAssertEqual(total, 10, accuracy: 1e-9)
        let newNorm = (a[0] * a[0] + b[1] * b[1]).squareRoot()
        XCTAssertEqual(Double(newNorm), 10 / (10 + 1e-6), accuracy: 1e-6)
        XCTAssertEqual(a[0] / b[1], 0.75, accuracy: 1e-6)

        var small: [Float] = [0.3, 0.4]
        let n = small.withUnsafeMutableBufferPointer { GradientClipping.clipGlobalNorm([$0], maxNorm: 1) }
        XCTAssertEqual(n, 0.5, accuracy: 1e-7)
        XCTAssertEqual(small, [0.3, 0.4])
    }

    /// §7.3: tensors of norms 3 and 4, c=1: per-variable → 1, 1; global → 0.6, 0.8.
    func testPerVariableVersusGlobal() {
        var a: [Float] = [3, 0], b: [Float] = [0, 4]
        var c = a, d = b
        a.withUnsafeMutableBufferPointer { pa in b.withUnsafeMutableBufferPointer { pb in
            GradientClipping.clipEachNorm([pa, pb], maxNorm: 1) } }
        XCTAssertEqual(a[0], 1, accuracy: 1e-6); XCTAssertEqual(b[1], 1, accuracy: 1e-6)
        c.withUnsafeMutableBufferPointer { pa in d.withUnsafeMutableBufferPointer { pb in
            _ = GradientClipping.clipGlobalNorm([pa, pb], maxNorm: 1) } }
        XCTAssertEqual(c[0], 0.6, accuracy: 1e-6); XCTAssertEqual(d[1], 0.8, accuracy: 1e-6)
    }

    func testInfinityNormAndValueClipping() {
        var a: [Float] = [1, -5, 2]
        let n = a.withUnsafeMutableBufferPointer { GradientClipping.clipGlobalNorm([$0], maxNorm: 2.5, normType: .infinity) }
        XCTAssertEqual(n, 5)
        XCTAssertEqual(a[1], -5 * Float(2.5 / (5 + 1e-6)), accuracy: 1e-6)
        var v: [Float] = [1, -5, 0.2]
        v.withUnsafeMutableBufferPointer { GradientClipping.clipValue([$0], maxValue: 0.5) }
        XCTAssertEqual(v, [0.5, -0.5, 0.2])
    }
}

/// The spectral-norm penalty (Yoshida & Miyato 2017): σ = uᵀWv and its gradient, and the power
/// iteration the training step runs, on matrices whose singular values are known.
final class SpectralPenaltyTests: XCTestCase {
    /// W = Σ σ_k u_k v_kᵀ with orthonormal u_k, v_k (Givens rotations of the identity's columns).
    private func known(_ m: Int, _ n: Int, _ sigmas: [Double]) -> (w: [Float], u1: [Double], v1: [Double]) {
        func rotated(_ size: Int, _ angle: Double) -> [[Double]] {
            var q = (0..<size).map { i in (0..<size).map { $0 == i ? 1.0 : 0.0 } }
            for a in 0..<(size - 1) {
                let (c, s) = (cos(angle * Double(a + 1)), sin(angle * Double(a + 1)))
                for row in 0..<size {
                    let (x, y) = (q[row][a], q[row][a + 1])
                    q[row][a] = c * x - s * y
                    q[row][a + 1] = s * x + c * y
                }
            }
            return q
        }
        let u = rotated(m, 0.4), v = rotated(n, 0.9)
        var w = [Float](repeating: 0, count: m * n)
        for i in 0..<m { for j in 0..<n { w[i * n + j] = Float((0..<sigmas.count).reduce(0.0) { $0 + sigmas[$1] * u[i][$1] * v[j][$1] }) } }
        return (w, (0..<m).map { u[$0][0] }, (0..<n).map { v[$0][0] })
    }

    /// The runtime's power iteration (one step per training step, warm-started) reaches σ₁ and
    /// its vectors; the penalty is then (λ/2)·σ₁² and the twin agrees.
    func testPowerIterationFindsTheLargestSingularValue() {
        let (m, n) = (5, 4)
        let (w, u1, v1) = known(m, n, [3, 1.5, 0.7, 0.2])
        var u = [Float](repeating: 1, count: m), v = [Float](repeating: 1, count: n)
        for _ in 0..<30 { SpectralNorm.powerIteration(rows: m, cols: n, w: w, u: &u, v: &v, iterations: 1) }
        let s = SpectralPenalty.sigma(rows: m, cols: n, w: w, u: u, v: v)
        XCTAssertEqual(s, 3, accuracy: 1e-4)
        let sign: Float = u[0] * Float(u1[0]) >= 0 ? 1 : -1
        for i in 0..<m { XCTAssertEqual(Double(sign * u[i]), u1[i], accuracy: 1e-3) }
        for j in 0..<n { XCTAssertEqual(Double(sign * v[j]), v1[j], accuracy: 1e-3) }
        XCTAssertEqual(Double(SpectralPenalty.penalty(lambda: 0.5, rows: m, cols: n, w: w, u: u, v: v)), 0.25 * 9, accuracy: 1e-3)
        XCTAssertEqual(SpectralPenaltyReference.singular(rows: m, cols: n, w: w.map(Double.init)).sigma, 3, accuracy: 1e-5)
        let diag: [Double] = [0.5, 0, 0, 0, -2, 0, 0, 0, 1]
        XCTAssertEqual(SpectralPenaltyReference.singular(rows: 3, cols: 3, w: diag).sigma, 2, accuracy: 1e-9)
    }

    /// With u, v fixed, d/dW (λ/2)(uᵀWv)² = λ·σ·u·vᵀ exactly (finite differences in Float64).
    func testGradientIsLambdaSigmaUVWithVectorsFixed() {
        var rng = TestRandom(seed: 51)
        let m = 6, n = 5, lambda = 0.3
        let w = (0..<(m * n)).map { _ in rng.uniform(-1, 1) }
        let u = (0..<m).map { _ in rng.uniform(-1, 1) }, v = (0..<n).map { _ in rng.uniform(-1, 1) }
        var dw = [Float](repeating: 0, count: m * n)
        SpectralPenalty.gradient(lambda: lambda, rows: m, cols: n, w: w, u: u, v: v, dw: &dw)
        let numeric = finiteDifference(w.map(Double.init)) { x in
            let s = (0..<m).reduce(0.0) { acc, i in acc + Double(u[i]) * (0..<n).reduce(0.0) { $0 + x[i * n + $1] * Double(v[$1]) } }
            return lambda / 2 * s * s
        }
        dw.withUnsafeBufferPointer { assertGradient($0.baseAddress!, numeric) }
    }
}
