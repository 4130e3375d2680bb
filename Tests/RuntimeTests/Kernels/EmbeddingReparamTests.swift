import XCTest
@testable import Runtime

final class EmbeddingReparamTests: XCTestCase {
    func testEmbeddingForwardBackward() {
        var rng = TestRandom(seed: 60)
        for (n, d, v) in [(1, 1, 1), (7, 3, 5), (33, 17, 4), (65, 40, 10)] {
            let table = rng.tensor([v, d]), idx = (0..<n).map { _ in Int32(rng.int(v)) }
            let y = Tensor(shape: [n, d]), dy = rng.tensor([n, d])
            let g1 = Tensor(shape: [v, d]), g2 = Tensor(shape: [v, d])
            idx.withUnsafeBufferPointer { ip in
                Embedding.forward(count: n, dim: d, vocabulary: v, table: table.data, indices: ip.baseAddress!, y: y.data)
                Embedding.backward(count: n, dim: d, vocabulary: v, indices: ip.baseAddress!, dy: dy.data, dtable: g1.data, pool: ThreadPool(threads: 1))
                Embedding.backward(count: n, dim: d, vocabulary: v, indices: ip.baseAddress!, dy: dy.data, dtable: g2.data, pool: ThreadPool(threads: 2))
            }
            for i in 0..<n { for j in 0..<d { XCTAssertEqual(y[i * d + j], table[Int(idx[i]) * d + j]) } }
            for r in 0..<v { for j in 0..<d {
                let ref = (0..<n).filter { idx[$0] == Int32(r) }.reduce(0.0) { $0 + Double(dy[$1 * d + j]) }
                XCTAssertEqual(Double(g1[r * d + j]), ref, accuracy: 1e-5)
            } }
            assertBitIdentical(g1, g2)
        }
    }

    /// Oracles of regularization-semantics.md §4.3 and finite differences.
    func testWeightNorm() {
        var rng = TestRandom(seed: 61)
        let (rows, cols) = (5, 7)
        let v = rng.tensor([rows, cols]), g = Tensor(shape: [rows]), w = Tensor(shape: [rows, cols]), norms = Tensor(shape: [rows])
        WeightNorm.initialGain(rows: rows, cols: cols, v: v.data, g: g.data)
        WeightNorm.forward(rows: rows, cols: cols, v: v.data, g: g.data, w: w.data, norms: norms.data)
        assertClose(w, v, rtol: 1e-6, atol: 1e-7)   // unchanged right after wrapping
        for r in 0..<rows { g[r] = rng.uniform(-2, 2) }
        WeightNorm.forward(rows: rows, cols: cols, v: v.data, g: g.data, w: w.data, norms: norms.data)
        for r in 0..<rows {
            let n = (0..<cols).reduce(0.0) { $0 + Double(w[r * cols + $1]) * Double(w[r * cols + $1]) }.squareRoot()
            XCTAssertEqual(n, Double(abs(g[r])), accuracy: 1e-5)   // ‖w_row‖ = |g_row|
        }
        let dw = rng.tensor([rows, cols]), dv = Tensor(shape: [rows, cols]), dg = Tensor(shape: [rows])
        WeightNorm.backward(rows: rows, cols: cols, v: v.data, g: g.data, norms: norms.data, dw: dw.data, dv: dv.data, dg: dg.data)
        for r in 0..<rows {
            let dot = (0..<cols).reduce(0.0) { $0 + Double(v[r * cols + $1]) * Double(dv[r * cols + $1]) }
            XCTAssertEqual(dot, 0, accuracy: 1e-5)   // v·∇v = 0
        }
        let wd = dw.doubles
        func loss(_ vs: [Double], _ gs: [Double]) -> Double {
            var total = 0.0
            for r in 0..<rows {
                let n = (0..<cols).reduce(0.0) { $0 + vs[r * cols + $1] * vs[r * cols + $1] }.squareRoot()
                for j in 0..<cols { total += gs[r] * vs[r * cols + j] / n * wd[r * cols + j] }
            }
            return total
        }
        assertGradient(dv.data, finiteDifference(v.doubles) { loss($0, g.doubles) }, "dv")
        assertGradient(dg.data, finiteDifference(g.doubles) { loss(v.doubles, $0) }, "dg")
    }

    /// Oracles of regularization-semantics.md §4.4: σ converges to the top singular value, W_SN has
    /// spectral norm ≈ 1, eval leaves u unchanged, gradient with u, v frozen.
    func testSpectralNorm() {
        var rng = TestRandom(seed: 62)
        let (rows, cols) = (6, 4)
        let w = rng.tensor([rows, cols])
        let u = rng.tensor([rows]), v = Tensor(shape: [cols]), out = Tensor(shape: [rows, cols])
        SpectralNorm.normalize(u.data, count: rows)
        for _ in 0..<100 { SpectralNorm.powerIteration(rows: rows, cols: cols, w: w.data, u: u.data, v: v.data) }
        let sigma = SpectralNorm.forward(rows: rows, cols: cols, w: w.data, u: u.data, v: v.data, out: out.data)
        let top = topSingularValue(w.doubles, rows: rows, cols: cols)
        XCTAssertEqual(Double(sigma), top, accuracy: 1e-3 * top)
        XCTAssertEqual(topSingularValue(out.doubles, rows: rows, cols: cols), 1, accuracy: 1e-3)
        // Eval: forward without iteration does not touch u, v.
        let uBefore = u.copy()
        _ = SpectralNorm.forward(rows: rows, cols: cols, w: w.data, u: u.data, v: v.data, out: out.data)
        assertBitIdentical(u, uBefore)
        // Gradient with u, v frozen: L = Σ dOut ⊙ W/(uᵀWv).
        let dOut = rng.tensor([rows, cols]), dw = Tensor(shape: [rows, cols])
        SpectralNorm.backward(rows: rows, cols: cols, w: w.data, u: u.data, v: v.data, sigma: sigma, dOut: dOut.data, dw: dw.data)
        let ud = u.doubles, vd = v.doubles, gd = dOut.doubles
        let numeric = finiteDifference(w.doubles) { ws in
            var s = 0.0
            for r in 0..<rows { for j in 0..<cols { s += ud[r] * ws[r * cols + j] * vd[j] } }
            return zip(ws, gd).reduce(0) { $0 + $1.0 * $1.1 } / s
        }
        assertGradient(dw.data, numeric)
    }

    /// Top singular value by power iteration on WᵀW in Float64 (an independent oracle).
    func topSingularValue(_ w: [Double], rows: Int, cols: Int) -> Double {
        var x = [Double](repeating: 1, count: cols)
        var lambda = 0.0
        for _ in 0..<2000 {
            var y = [Double](repeating: 0, count: rows)
            for r in 0..<rows { for j in 0..<cols { y[r] += w[r * cols + j] * x[j] } }
            var z = [Double](repeating: 0, count: cols)
            for r in 0..<rows { for j in 0..<cols { z[j] += w[r * cols + j] * y[r] } }
            lambda = z.reduce(0) { $0 + $1 * $1 }.squareRoot()
            x = z.map { $0 / lambda }
        }
        return lambda.squareRoot()
    }
}
