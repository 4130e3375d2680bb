import XCTest
@testable import Runtime

final class NormTests: XCTestCase {
    func testBatchNormMatchesTwinAndFiniteDifferences() {
        var rng = TestRandom(seed: 50)
        for (n, c, s) in [(2, 3, 5), (7, 1, 1), (3, 4, 17), (1, 2, 33), (4, 5, 3)] {
            let x = rng.tensor([n, c, s], -2, 3), gamma = rng.tensor([c], 0.5, 1.5), beta = rng.tensor([c])
            let y = Tensor(shape: [n, c, s]), mean = Tensor(shape: [c]), invStd = Tensor(shape: [c])
            BatchNorm.forwardTraining(batch: n, channels: c, spatial: s, x: x.data, gamma: gamma.data, beta: beta.data, y: y.data,
                                      saveMean: mean.data, saveInvStd: invStd.data, runningMean: nil, runningVar: nil)
            let ref = NormReference.batchNorm(n: n, c: c, s: s, x: x.doubles, gamma: gamma.doubles, beta: beta.doubles, eps: 1e-5)
            for i in 0..<y.count { XCTAssertEqual(Double(y[i]), ref.y[i], accuracy: 2e-5 * (1 + abs(ref.y[i])), "n \(n) c \(c) s \(s)") }
            for ch in 0..<c { XCTAssertEqual(Double(mean[ch]), ref.mean[ch], accuracy: 1e-5) }

            let dy = rng.tensor([n, c, s]), dx = Tensor(shape: [n, c, s]), dg = Tensor(shape: [c]), db = Tensor(shape: [c])
            BatchNorm.backwardTraining(batch: n, channels: c, spatial: s, x: x.data, dy: dy.data, gamma: gamma.data,
                                       saveMean: mean.data, saveInvStd: invStd.data, dx: dx.data, dgamma: dg.data, dbeta: db.data)
            let w = dy.doubles
            func loss(_ xs: [Double], _ gs: [Double], _ bs: [Double]) -> Double {
                zip(NormReference.batchNorm(n: n, c: c, s: s, x: xs, gamma: gs, beta: bs, eps: 1e-5).y, w).reduce(0) { $0 + $1.0 * $1.1 }
            }
            let xd = x.doubles, gd = gamma.doubles, bd = beta.doubles
            // n·s = 1 makes x̂ ≡ 0 and dx ≡ 0; finite differences still apply.
            assertGradient(dx.data, finiteDifference(xd) { loss($0, gd, bd) }, rtol: 5e-3, atol: 1e-3, "dx n \(n) c \(c) s \(s)")
            assertGradient(dg.data, finiteDifference(gd) { loss(xd, $0, bd) }, "dgamma")
            assertGradient(db.data, finiteDifference(bd) { loss(xd, gd, $0) }, "dbeta")
        }
    }

    /// The fused ReLU gives max(y, 0) of the unfused output, bit for bit, in lanes and tails.
    func testBatchNormWithReluEqualsReluOfBatchNorm() {
        var rng = TestRandom(seed: 51)
        let (n, c, s) = (3, 4, 37)
        let x = rng.tensor([n, c, s], -2, 3), gamma = rng.tensor([c], 0.5, 1.5), beta = rng.tensor([c])
        let plain = Tensor(shape: [n, c, s]), fused = Tensor(shape: [n, c, s])
        let mean = Tensor(shape: [c]), invStd = Tensor(shape: [c])
        for (y, relu) in [(plain, false), (fused, true)] {
            BatchNorm.forwardTraining(batch: n, channels: c, spatial: s, x: x.data, gamma: gamma.data, beta: beta.data, y: y.data,
                                      saveMean: mean.data, saveInvStd: invStd.data, runningMean: nil, runningVar: nil, relu: relu)
        }
        var clipped = 0
        for i in 0..<plain.count {
            XCTAssertEqual(fused[i].bitPattern, max(plain[i], 0).bitPattern, "at \(i)")
            if plain[i] < 0 { clipped += 1 }
        }
        XCTAssertGreaterThan(clipped, plain.count / 4)
    }

    /// The backward's Σ dx per channel is `Bias.gradChannels` of its dx, bit for bit (the fused
    /// bias gradient of a convolution before the batch norm), and dx itself is unchanged.
    func testBatchNormBackwardChannelSumsEqualTheBiasGradient() {
        var rng = TestRandom(seed: 52)
        for (n, c, s) in [(3, 4, 37), (5, 16, 196), (2, 3, 784)] {
            let x = rng.tensor([n, c, s], -2, 3), dy = rng.tensor([n, c, s]), gamma = rng.tensor([c], 0.5, 1.5)
            let mean = Tensor(shape: [c]), invStd = Tensor(shape: [c]), y = Tensor(shape: [n, c, s])
            BatchNorm.forwardTraining(batch: n, channels: c, spatial: s, x: x.data, gamma: gamma.data, beta: nil, y: y.data,
                                      saveMean: mean.data, saveInvStd: invStd.data, runningMean: nil, runningVar: nil)
            let plainDx = Tensor(shape: [n, c, s]), fusedDx = Tensor(shape: [n, c, s])
            let dbias = Tensor(shape: [c]), sums = Tensor(shape: [c]), dg = Tensor(shape: [2 * c])
            BatchNorm.backwardTraining(batch: n, channels: c, spatial: s, x: x.data, dy: dy.data, gamma: gamma.data,
                                       saveMean: mean.data, saveInvStd: invStd.data, dx: plainDx.data, dgamma: dg.data, dbeta: dg.data + c)
            Bias.gradChannels(batch: n, channels: c, spatial: s, plainDx.data, dbias: dbias.data)
            BatchNorm.backwardTraining(batch: n, channels: c, spatial: s, x: x.data, dy: dy.data, gamma: gamma.data,
                                       saveMean: mean.data, saveInvStd: invStd.data, dx: fusedDx.data, dgamma: dg.data, dbeta: dg.data + c,
                                       dxSum: sums.data, pool: ThreadPool(threads: 2))
            for i in 0..<plainDx.count { XCTAssertEqual(fusedDx[i].bitPattern, plainDx[i].bitPattern) }
            for k in 0..<c { XCTAssertEqual(sums[k].bitPattern, dbias[k].bitPattern, "channel \(k) of \(c)") }
        }
    }

    /// Oracles of regularization-semantics.md §4.1.
    func testBatchNormSemanticsOracles() {
        var rng = TestRandom(seed: 51)
        let (n, c, s) = (8, 3, 10)
        let x = rng.tensor([n, c, s], -1, 4)
        let y = Tensor(shape: [n, c, s]), mean = Tensor(shape: [c]), invStd = Tensor(shape: [c])
        let rm = Tensor(shape: [c], repeating: 0), rv = Tensor(shape: [c], repeating: 1)
        BatchNorm.forwardTraining(batch: n, channels: c, spatial: s, x: x.data, gamma: nil, beta: nil, y: y.data,
                                  saveMean: mean.data, saveInvStd: invStd.data, runningMean: rm.data, runningVar: rv.data)
        let ref = NormReference.batchNorm(n: n, c: c, s: s, x: x.doubles, gamma: [1, 1, 1], beta: [0, 0, 0], eps: 1e-5)
        let m = Double(n * s)
        for ch in 0..<c {
            var outs: [Double] = []
            for b in 0..<n { for i in 0..<s { outs.append(Double(y[(b * c + ch) * s + i])) } }
            let om = outs.reduce(0, +) / m
            let ov = outs.reduce(0) { $0 + ($1 - om) * ($1 - om) } / m
            XCTAssertEqual(om, 0, accuracy: 1e-6)
            XCTAssertEqual(ov, ref.variance[ch] / (ref.variance[ch] + 1e-5), accuracy: 1e-5)
            // After one step from init: r_mean = 0.1·μ_B, r_var = 0.9 + 0.1·σ²_unbiased.
            XCTAssertEqual(Double(rm[ch]), 0.1 * ref.mean[ch], accuracy: 1e-6)
            XCTAssertEqual(Double(rv[ch]), 0.9 + 0.1 * ref.variance[ch] * m / (m - 1), accuracy: 1e-5)
        }
        // With γ = 1: per channel Σ dx = 0 and Σ dx·x̂ = 0.
        let dy = rng.tensor([n, c, s]), dx = Tensor(shape: [n, c, s])
        BatchNorm.backwardTraining(batch: n, channels: c, spatial: s, x: x.data, dy: dy.data, gamma: nil,
                                   saveMean: mean.data, saveInvStd: invStd.data, dx: dx.data, dgamma: nil, dbeta: nil)
        for ch in 0..<c {
            var sdx = 0.0, sdxh = 0.0
            for b in 0..<n { for i in 0..<s {
                let k = (b * c + ch) * s + i
                sdx += Double(dx[k]); sdxh += Double(dx[k]) * Double(y[k])
            } }
            XCTAssertEqual(sdx, 0, accuracy: 1e-4)
            XCTAssertEqual(sdxh, 0, accuracy: 1e-4)
        }
        // Eval uses only running statistics: each sample's output is independent of the others.
        let gamma = rng.tensor([c]), beta = rng.tensor([c])
        let full = Tensor(shape: [n, c, s]), single = Tensor(shape: [1, c, s])
        BatchNorm.forwardInference(batch: n, channels: c, spatial: s, x: x.data, gamma: gamma.data, beta: beta.data,
                                   runningMean: rm.data, runningVar: rv.data, y: full.data)
        BatchNorm.forwardInference(batch: 1, channels: c, spatial: s, x: x.data + 3 * c * s, gamma: gamma.data, beta: beta.data,
                                   runningMean: rm.data, runningVar: rv.data, y: single.data)
        for i in 0..<(c * s) {
            XCTAssertEqual(single[i].bitPattern, full[3 * c * s + i].bitPattern)
            let ch = i / s
            XCTAssertEqual(Double(single[i]), Double(gamma[ch]) * (Double(x[3 * c * s + i]) - Double(rm[ch])) / (Double(rv[ch]) + 1e-5).squareRoot() + Double(beta[ch]), accuracy: 1e-5)
        }
        let gx = Tensor(shape: [n, c, s])
        BatchNorm.backwardInference(batch: n, channels: c, spatial: s, dy: dy.data, gamma: gamma.data, runningVar: rv.data, dx: gx.data)
        for i in 0..<gx.count {
            let ch = (i / s) % c
            XCTAssertEqual(gx[i], dy[i] * gamma[ch] / (rv[ch] + 1e-5).squareRoot(), accuracy: 1e-6)
        }
    }

    func testLayerNormMatchesTwinAndFiniteDifferences() {
        var rng = TestRandom(seed: 52)
        for (rows, d) in [(1, 1), (3, 7), (5, 33), (2, 65), (4, 3)] {
            let x = rng.tensor([rows, d], -2, 2), gamma = rng.tensor([d], 0.5, 1.5), beta = rng.tensor([d])
            let y = Tensor(shape: [rows, d]), mean = Tensor(shape: [rows]), invStd = Tensor(shape: [rows])
            LayerNorm.forward(rows: rows, d: d, x: x.data, gamma: gamma.data, beta: beta.data, y: y.data,
                              saveMean: mean.data, saveInvStd: invStd.data)
            let ref = NormReference.layerNorm(rows: rows, d: d, x: x.doubles, gamma: gamma.doubles, beta: beta.doubles, eps: 1e-5)
            for i in 0..<y.count { XCTAssertEqual(Double(y[i]), ref[i], accuracy: 2e-5 * (1 + abs(ref[i]))) }
            let dy = rng.tensor([rows, d]), dx = Tensor(shape: [rows, d]), dg = Tensor(shape: [d]), db = Tensor(shape: [d])
            LayerNorm.backward(rows: rows, d: d, x: x.data, dy: dy.data, gamma: gamma.data, saveMean: mean.data,
                               saveInvStd: invStd.data, dx: dx.data, dgamma: dg.data, dbeta: db.data)
            let w = dy.doubles, xd = x.doubles, gd = gamma.doubles, bd = beta.doubles
            func loss(_ xs: [Double], _ gs: [Double], _ bs: [Double]) -> Double {
                zip(NormReference.layerNorm(rows: rows, d: d, x: xs, gamma: gs, beta: bs, eps: 1e-5), w).reduce(0) { $0 + $1.0 * $1.1 }
            }
            assertGradient(dx.data, finiteDifference(xd) { loss($0, gd, bd) }, rtol: 5e-3, atol: 1e-3, "dx rows \(rows) d \(d)")
            assertGradient(dg.data, finiteDifference(gd) { loss(xd, $0, bd) }, "dgamma")
            assertGradient(db.data, finiteDifference(bd) { loss(xd, gd, $0) }, "dbeta")
            // §4.2: each normalized row has mean 0 and variance ≈ 1 (γ = 1, β = 0).
            if d > 1 {
                let plain = Tensor(shape: [rows, d])
                LayerNorm.forward(rows: rows, d: d, x: x.data, gamma: nil, beta: nil, y: plain.data, saveMean: nil, saveInvStd: nil)
                for r in 0..<rows {
                    let row = (0..<d).map { Double(plain[r * d + $0]) }
                    let m = row.reduce(0, +) / Double(d)
                    XCTAssertEqual(m, 0, accuracy: 1e-6)
                    XCTAssertEqual(row.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(d), 1, accuracy: 1e-3)
                }
            }
        }
    }

    func testDeterministicAcrossThreads() {
        var rng = TestRandom(seed: 53)
        let (n, c, s) = (64, 16, 196)
        let x = rng.tensor([n, c, s]), dy = rng.tensor([n, c, s])
        var outs: [[Tensor]] = []
        for t in [1, 2] {
            let pool = ThreadPool(threads: t)
            let y = Tensor(shape: [n, c, s]), mean = Tensor(shape: [c]), inv = Tensor(shape: [c])
            let dx = Tensor(shape: [n, c, s]), dg = Tensor(shape: [c]), db = Tensor(shape: [c])
            BatchNorm.forwardTraining(batch: n, channels: c, spatial: s, x: x.data, gamma: nil, beta: nil, y: y.data,
                                      saveMean: mean.data, saveInvStd: inv.data, runningMean: nil, runningVar: nil, pool: pool)
            BatchNorm.backwardTraining(batch: n, channels: c, spatial: s, x: x.data, dy: dy.data, gamma: nil, saveMean: mean.data,
                                       saveInvStd: inv.data, dx: dx.data, dgamma: dg.data, dbeta: db.data, pool: pool)
            let ly = Tensor(shape: [n * c, s]), lm = Tensor(shape: [n * c]), li = Tensor(shape: [n * c])
            let ldx = Tensor(shape: [n * c, s]), ldg = Tensor(shape: [s]), ldb = Tensor(shape: [s])
            LayerNorm.forward(rows: n * c, d: s, x: x.data, gamma: nil, beta: nil, y: ly.data, saveMean: lm.data, saveInvStd: li.data, pool: pool)
            LayerNorm.backward(rows: n * c, d: s, x: x.data, dy: dy.data, gamma: nil, saveMean: lm.data, saveInvStd: li.data,
                               dx: ldx.data, dgamma: ldg.data, dbeta: ldb.data, pool: pool)
            outs.append([y, dx, dg, db, ly, ldx, ldg, ldb])
        }
        for (a, b) in zip(outs[0], outs[1]) { assertBitIdentical(a, b) }
    }
}

final class GroupNormTests: XCTestCase {
    /// Forward against the Float64 twin, backward against finite differences of the twin, for
    /// one group (LayerNorm over C·S), one channel per group (InstanceNorm) and groups in between.
    func testGroupNormMatchesTwinAndFiniteDifferences() {
        var rng = TestRandom(seed: 52)
        for (n, c, s, g) in [(2, 6, 5, 3), (3, 4, 17, 1), (2, 4, 9, 4), (1, 8, 33, 2), (4, 2, 1, 1)] {
            let x = rng.tensor([n, c, s], -2, 3), gamma = rng.tensor([c], 0.5, 1.5), beta = rng.tensor([c])
            let y = Tensor(shape: [n, c, s]), mean = Tensor(shape: [n * g]), invStd = Tensor(shape: [n * g])
            GroupNorm.forward(batch: n, channels: c, spatial: s, groups: g, x: x.data, gamma: gamma.data, beta: beta.data,
                              y: y.data, saveMean: mean.data, saveInvStd: invStd.data)
            let ref = NormReference.groupNorm(n: n, c: c, s: s, groups: g, x: x.doubles, gamma: gamma.doubles, beta: beta.doubles, eps: 1e-5)
            for i in 0..<y.count { XCTAssertEqual(Double(y[i]), ref[i], accuracy: 2e-5 * (1 + abs(ref[i])), "n \(n) c \(c) s \(s) g \(g)") }

            let dy = rng.tensor([n, c, s]), dx = Tensor(shape: [n, c, s]), dg = Tensor(shape: [c]), db = Tensor(shape: [c])
            GroupNorm.backward(batch: n, channels: c, spatial: s, groups: g, x: x.data, dy: dy.data, gamma: gamma.data,
                               saveMean: mean.data, saveInvStd: invStd.data, dx: dx.data, dgamma: dg.data, dbeta: db.data)
            let w = dy.doubles
            func loss(_ xs: [Double], _ gs: [Double], _ bs: [Double]) -> Double {
                zip(NormReference.groupNorm(n: n, c: c, s: s, groups: g, x: xs, gamma: gs, beta: bs, eps: 1e-5), w).reduce(0) { $0 + $1.0 * $1.1 }
            }
            let xd = x.doubles, gd = gamma.doubles, bd = beta.doubles
            assertGradient(dx.data, finiteDifference(xd) { loss($0, gd, bd) }, rtol: 5e-3, atol: 1e-3, "dx n \(n) c \(c) s \(s) g \(g)")
            assertGradient(dg.data, finiteDifference(gd) { loss(xd, $0, bd) }, "dgamma g \(g)")
            assertGradient(db.data, finiteDifference(bd) { loss(xd, gd, $0) }, "dbeta g \(g)")
        }
    }

    /// PyTorch's oracle: with γ = 1, β = 0 every (example, group) has mean 0 and biased variance
    /// 1/(1 + ε/σ²); results are bit-identical for 1, 2 and 3 threads.
    func testGroupStatisticsAndThreadIndependence() {
        var rng = TestRandom(seed: 53)
        let (n, c, s, g) = (3, 8, 50, 4)
        let x = rng.tensor([n, c, s], -1, 4)
        var outputs: [[Float]] = []
        for threads in [1, 2, 3] {
            let y = Tensor(shape: [n, c, s]), dx = Tensor(shape: [n, c, s]), dg = Tensor(shape: [c])
            let mean = Tensor(shape: [n * g]), inv = Tensor(shape: [n * g])
            let pool = ThreadPool(threads: threads)
            GroupNorm.forward(batch: n, channels: c, spatial: s, groups: g, x: x.data, gamma: nil, beta: nil, y: y.data,
                              saveMean: mean.data, saveInvStd: inv.data, pool: pool)
            GroupNorm.backward(batch: n, channels: c, spatial: s, groups: g, x: x.data, dy: x.data, gamma: nil, saveMean: mean.data,
                               saveInvStd: inv.data, dx: dx.data, dgamma: dg.data, dbeta: nil, pool: pool)
            outputs.append((0..<y.count).map { y[$0] } + (0..<dx.count).map { dx[$0] } + (0..<c).map { dg[$0] })
            for item in 0..<(n * g) {
                let values = (0..<(2 * s)).map { Double(y[item * 2 * s + $0]) }
                let m = values.reduce(0, +) / Double(values.count)
                XCTAssertEqual(m, 0, accuracy: 1e-5)
                XCTAssertEqual(values.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(values.count), 1, accuracy: 1e-3)
            }
        }
        XCTAssertEqual(outputs[0], outputs[1])
        XCTAssertEqual(outputs[0], outputs[2])
    }
}
