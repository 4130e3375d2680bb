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
