import XCTest
@testable import Runtime

/// Float64 definitions of the activations, written independently of the kernel's table.
func referenceActivation(_ f: Activation, _ x: Double) -> Double {
    switch f {
    case .identity: return x
    case .relu: return max(x, 0)
    case .leakyRelu(let s): return x > 0 ? x : Double(s) * x
    case .elu(let a): return x > 0 ? x : Double(a) * (exp(x) - 1)
    case .gelu: return 0.5 * x * (1 + erf(x / 2.0.squareRoot()))
    case .geluTanh: return 0.5 * x * (1 + tanh((2 / Double.pi).squareRoot() * (x + 0.044715 * x * x * x)))
    case .tanh: return tanh(x)
    case .sigmoid: return 1 / (1 + exp(-x))
    case .silu: return x / (1 + exp(-x))
    case .selu:   // Klambauer et al. 2017, constants to double precision
        let alpha = 1.6732632423543772848170429916717, lambda = 1.0507009873554804934193349852946
        return x > 0 ? lambda * x : lambda * alpha * (exp(x) - 1)
    }
}

final class ElementwiseTests: XCTestCase {
    let all: [Activation] = [.identity, .relu, .leakyRelu(slope: 0.01), .leakyRelu(slope: -0.5), .elu(alpha: 1),
                             .elu(alpha: 0.5), .gelu, .geluTanh, .tanh, .sigmoid, .silu, .selu]

    func testActivationForwardMatchesReference() {
        var rng = TestRandom(seed: 10)
        let x = rng.tensor([257], -6, 6)
        for f in all {
            let y = Tensor(shape: [257])
            f.forward(x.data, y.data, count: 257)
            for i in 0..<257 {
                let ref = referenceActivation(f, Double(x[i]))
                XCTAssertEqual(Double(y[i]), ref, accuracy: 2e-6 + 2e-6 * abs(ref), "\(f) at \(x[i])")
            }
        }
    }

    /// ReLU keeps Swift's max(x, 0) on special values in the vector lanes and the scalar tail:
    /// NaN stays NaN, −0 becomes +0, ±∞ map to 0 and +∞.
    func testReluSpecialValuesInLanesAndTail() {
        let special: [Float] = [.nan, -0.0, 0, -.infinity, .infinity, -1, 2, .leastNonzeroMagnitude, -.leastNonzeroMagnitude]
        let x = Tensor(shape: [34], values: (0..<34).map { special[$0 % special.count] })
        let y = Tensor(shape: [34])
        Activation.relu.forward(x.data, y.data, count: 34)   // 32 in lanes, 2 in the tail
        for i in 0..<34 {
            let want = max(x[i], 0)
            XCTAssertTrue(want.isNaN ? y[i].isNaN : y[i].bitPattern == want.bitPattern, "relu(\(x[i])) = \(y[i]) at \(i)")
        }
    }

    /// The residual add and the accumulation in place (y is an input), in lanes and tails, and
    /// a buffer large enough to be split over the pool, equal the scalar definitions exactly.
    func testAddAndAccumulateInPlaceAndInChunks() {
        var rng = TestRandom(seed: 13)
        for count in [37, 300_001] {
            let a = rng.tensor([count]), b = rng.tensor([count])
            let want = (0..<count).map { a[$0] + b[$0] }
            let y = Tensor(shape: [count])
            y.data.update(from: a.data, count: count)
            Bias.add(y.data, b.data, y.data, count: count, pool: ThreadPool(threads: 3))   // y = y + b
            XCTAssertTrue((0..<count).allSatisfy { y[$0] == want[$0] }, "add in place, \(count)")
            let scaled = (0..<count).map { want[$0] + 0.5 * a[$0] }
            Bias.accumulate(a.data, into: y.data, scale: 0.5, count: count)
            XCTAssertTrue((0..<count).allSatisfy { y[$0] == scaled[$0] }, "accumulate, \(count)")
            Bias.accumulate(b.data, into: y.data, count: count)
            XCTAssertTrue((0..<count).allSatisfy { y[$0] == scaled[$0] + b[$0] }, "accumulate scale 1, \(count)")
        }
    }

    func testActivationBackwardMatchesFiniteDifferences() {
        var rng = TestRandom(seed: 11)
        // Keep away from the kinks at 0 where the one-sided derivatives differ.
        let x = rng.tensor([131], -4, 4)
        for i in 0..<x.count where abs(x[i]) < 1e-2 { x[i] = 0.5 }
        let dy = rng.tensor([131])
        for f in all {
            let y = Tensor(shape: [131]), dx = Tensor(shape: [131])
            f.forward(x.data, y.data, count: 131)
            f.backward(x: f.backwardNeedsInput ? UnsafePointer(x.data) : nil,
                       y: f.backwardNeedsInput ? nil : UnsafePointer(y.data), dy: dy.data, dx: dx.data, count: 131)
            let numeric = (0..<131).map { i -> Double in
                let h = 1e-6, xi = Double(x[i])
                return Double(dy[i]) * (referenceActivation(f, xi + h) - referenceActivation(f, xi - h)) / (2 * h)
            }
            assertGradient(dx.data, numeric, rtol: 1e-4, atol: 1e-5, "\(f)")
        }
    }

    func testActivationInPlace() {
        var rng = TestRandom(seed: 12)
        let x = rng.tensor([100], -3, 3)
        for f in all {
            let out = Tensor(shape: [100]), inPlace = x.copy()
            f.forward(x.data, out.data, count: 100)
            f.forward(inPlace.data, inPlace.data, count: 100)
            assertBitIdentical(out, inPlace, "\(f)")
        }
    }

    func testSoftmaxAndLogSoftmaxForwardBackward() {
        var rng = TestRandom(seed: 13)
        for (rows, n) in [(1, 1), (3, 7), (17, 10), (5, 33), (2, 127)] {
            let x = rng.tensor([rows, n], -5, 5), w = rng.tensor([rows, n])
            for log in [false, true] {
                let y = Tensor(shape: [rows, n]), dx = Tensor(shape: [rows, n])
                if log {
                    Softmax.logForward(rows: rows, n: n, x.data, y.data)
                    Softmax.logBackward(rows: rows, n: n, y: y.data, dy: w.data, dx: dx.data)
                } else {
                    Softmax.forward(rows: rows, n: n, x.data, y.data)
                    Softmax.backward(rows: rows, n: n, y: y.data, dy: w.data, dx: dx.data)
                }
                let ref = SoftmaxReference.forward(rows: rows, n: n, x.doubles, log: log)
                for i in 0..<x.count { XCTAssertEqual(Double(y[i]), ref[i], accuracy: 1e-5 + 1e-5 * abs(ref[i])) }
                let wd = w.doubles
                let numeric = finiteDifference(x.doubles) { xs in
                    zip(SoftmaxReference.forward(rows: rows, n: n, xs, log: log), wd).reduce(0) { $0 + $1.0 * $1.1 }
                }
                assertGradient(dx.data, numeric, "rows \(rows) n \(n) log \(log)")
            }
        }
    }

    func testSoftmaxIsStableForLargeLogits() {
        let x = Tensor(shape: [1, 3], values: [1000, 1001, 999]), y = Tensor(shape: [1, 3])
        Softmax.forward(rows: 1, n: 3, x.data, y.data)
        XCTAssertTrue(y.array.allSatisfy { $0.isFinite })
        XCTAssertEqual(Double(y.array.reduce(0, +)), 1, accuracy: 1e-6)
    }

    func testBiasGradientsAndResidual() {
        var rng = TestRandom(seed: 14)
        for (m, n) in [(1, 1), (7, 65), (128, 257), (33, 3)] {
            let dy = rng.tensor([m, n]), db = Tensor(shape: [n])
            Bias.gradColumns(m: m, n: n, dy.data, ld: n, dbias: db.data)
            for j in 0..<n {
                let ref = (0..<m).reduce(0.0) { $0 + Double(dy[$1 * n + j]) }
                XCTAssertEqual(Double(db[j]), ref, accuracy: 1e-5 * Double(m))
            }
            let db1 = Tensor(shape: [n]), db2 = Tensor(shape: [n])
            Bias.gradColumns(m: m, n: n, dy.data, ld: n, dbias: db1.data, pool: ThreadPool(threads: 1))
            Bias.gradColumns(m: m, n: n, dy.data, ld: n, dbias: db2.data, pool: ThreadPool(threads: 2))
            assertBitIdentical(db1, db2)
        }
        let (b, c, s) = (3, 5, 7)
        let x = rng.tensor([b, c, s]), bias = rng.tensor([c]), y = x.copy(), dbias = Tensor(shape: [c])
        Bias.addChannels(batch: b, channels: c, spatial: s, y.data, bias: bias.data)
        for i in 0..<x.count { XCTAssertEqual(y[i], x[i] + bias[(i / s) % c]) }
        Bias.gradChannels(batch: b, channels: c, spatial: s, x.data, dbias: dbias.data)
        for ch in 0..<c {
            var ref = 0.0
            for bb in 0..<b { for ss in 0..<s { ref += Double(x[(bb * c + ch) * s + ss]) } }
            XCTAssertEqual(Double(dbias[ch]), ref, accuracy: 1e-5)
        }
        let r = Tensor(shape: [b, c, s])
        Bias.add(x.data, y.data, r.data, count: x.count)
        for i in 0..<x.count { XCTAssertEqual(r[i], x[i] + y[i]) }
    }

    func testGemmEpilogueEqualsSeparatePasses() {
        var rng = TestRandom(seed: 15)
        for (m, n, k) in [(128, 256, 784), (7, 33, 5), (65, 17, 300)] {
            // Without a saved pre-activation, bias + ReLU is one pass (`accumulateThenRelu`); a
            // NaN bias column stays NaN through it as through the separate passes.
            for (f, keepPre) in [(Activation.relu, true), (.relu, false), (.gelu, true), (.tanh, true)] {
                let a = rng.tensor([m, k]), w = rng.tensor([n, k]), bias = rng.tensor([n])
                bias[n / 2] = .nan
                let fused = Tensor(shape: [m, n]), pre = Tensor(shape: [m, n]), separate = Tensor(shape: [m, n])
                Gemm.sgemm(transB: true, m: m, n: n, k: k, a: a.data, lda: k, b: w.data, ldb: k, c: fused.data, ldc: n,
                           epilogue: GemmEpilogue(bias: bias.data, activation: f, preActivation: keepPre ? pre.data : nil))
                Gemm.sgemm(transB: true, m: m, n: n, k: k, a: a.data, lda: k, b: w.data, ldb: k, c: separate.data, ldc: n)
                Bias.addColumns(m: m, n: n, separate.data, ld: n, bias: bias.data)
                if keepPre { assertBitIdentical(pre, separate, "pre-activation \(f)") }
                f.forward(separate.data, separate.data, count: m * n)
                assertBitIdentical(fused, separate, "\(f) m \(m) n \(n) k \(k) pre \(keepPre)")
            }
        }
        // Row bias (convolution as W·col).
        let a = rng.tensor([9, 4]), b = rng.tensor([4, 50]), bias = rng.tensor([9])
        let fused = Tensor(shape: [9, 50]), separate = Tensor(shape: [9, 50])
        Gemm.sgemm(m: 9, n: 50, k: 4, a: a.data, lda: 4, b: b.data, ldb: 50, c: fused.data, ldc: 50,
                   epilogue: GemmEpilogue(bias: bias.data, biasAxis: .rows, activation: .relu))
        Gemm.sgemm(m: 9, n: 50, k: 4, a: a.data, lda: 4, b: b.data, ldb: 50, c: separate.data, ldc: 50)
        Bias.addChannels(batch: 1, channels: 9, spatial: 50, separate.data, bias: bias.data)
        Activation.relu.forward(separate.data, separate.data, count: 450)
        assertBitIdentical(fused, separate, "row bias")
    }

    func testDropoutMaskForms() {
        var rng = TestRandom(seed: 16)
        let n = 1000, q: Float = 0.7
        let x = rng.tensor([n]), u = rng.tensor([n], 0, 1)
        let flags = (0..<n).map { UInt8(u[$0] < q ? 1 : 0) }
        let mask = Tensor(shape: [n], values: (0..<n).map { u[$0] < q ? 1 / q : 0 })
        let y1 = Tensor(shape: [n]), y2 = Tensor(shape: [n]), y3 = Tensor(shape: [n])
        Dropout.apply(x.data, mask: mask.data, y1.data, count: n)
        flags.withUnsafeBufferPointer { Dropout.apply(x.data, keepFlags: $0.baseAddress!, keep: q, y2.data, count: n) }
        Dropout.apply(x.data, uniforms: u.data, keep: q, y3.data, count: n)
        assertBitIdentical(y1, y2)
        assertBitIdentical(y1, y3)
        for i in 0..<n { XCTAssertEqual(y3[i], u[i] < q ? x[i] / q : 0, accuracy: 1e-6 * abs(x[i])) }
        let zeros = Tensor(shape: [n])
        Dropout.apply(x.data, uniforms: u.data, keep: 0, zeros.data, count: n)
        XCTAssertTrue(zeros.array.allSatisfy { $0 == 0 })  // p = 1: zeros, no NaN
        Dropout.apply(x.data, uniforms: u.data, keep: 1, y3.data, count: n)
        assertBitIdentical(y3, x)
    }

    func testReduceSumAndDot() {
        var rng = TestRandom(seed: 17)
        for n in [0, 1, 3, 31, 33, 63, 64, 65, 127, 1000] {
            let x = rng.tensor([n]), y = rng.tensor([n])
            let refSum = (0..<n).reduce(0.0) { $0 + Double(x[$1]) }
            let refDot = (0..<n).reduce(0.0) { $0 + Double(x[$1]) * Double(y[$1]) }
            XCTAssertEqual(Double(Reduce.sum(x.data, count: n)), refSum, accuracy: 1e-5 * Double(n + 1))
            XCTAssertEqual(Double(Reduce.dot(x.data, y.data, count: n)), refDot, accuracy: 1e-5 * Double(n + 1))
            let both = Reduce.sumAndDot(x.data, y.data, count: n)
            XCTAssertEqual(Double(both.sum), refSum, accuracy: 1e-5 * Double(n + 1))
            XCTAssertEqual(Double(both.dot), refDot, accuracy: 1e-5 * Double(n + 1))
        }
    }

    func testLargeBuffersAreThreadIndependent() {
        var rng = TestRandom(seed: 18)
        let n = 300_001
        let x = rng.tensor([n], -3, 3), dy = rng.tensor([n])
        for f in [Activation.relu, .gelu, .tanh] {
            var outs: [Tensor] = []
            for t in [1, 2, 3] {
                let y = Tensor(shape: [n]), dx = Tensor(shape: [n])
                f.forward(x.data, y.data, count: n, pool: ThreadPool(threads: t))
                f.backward(x: x.data, y: y.data, dy: dy.data, dx: dx.data, count: n, pool: ThreadPool(threads: t))
                outs += [y, dx]
            }
            for i in 2..<outs.count { assertBitIdentical(outs[i % 2], outs[i], "\(f)") }
            for i in stride(from: 0, to: n, by: 9973) {
                XCTAssertEqual(Double(outs[0][i]), referenceActivation(f, Double(x[i])), accuracy: 1e-5)
            }
        }
        let (b, c, s) = (64, 16, 784)
        let g = rng.tensor([b * c * s]), d1 = Tensor(shape: [c]), d2 = Tensor(shape: [c])
        Bias.gradChannels(batch: b, channels: c, spatial: s, g.data, dbias: d1.data, pool: ThreadPool(threads: 1))
        Bias.gradChannels(batch: b, channels: c, spatial: s, g.data, dbias: d2.data, pool: ThreadPool(threads: 2))
        assertBitIdentical(d1, d2)
    }

    func testFullEpilogueEqualsSeparatePasses() {
        var rng = TestRandom(seed: 19)
        for (m, n, k, axis) in [(33, 70, 40, GemmEpilogue.BiasAxis.columns), (17, 300, 9, .rows), (40, 10, 64, .columns)] {
            let a = rng.tensor([m, k]), b = rng.tensor([n, k])
            let scale = rng.tensor([axis == .columns ? n : m]), bias = rng.tensor([axis == .columns ? n : m])
            let residual = rng.tensor([m, n])
            let mask = Tensor(shape: [m, n], values: (0..<(m * n)).map { _ in rng.uniform(0, 1) < 0.7 ? 1 / 0.7 : 0 })
            let fused = Tensor(shape: [m, n]), pre = Tensor(shape: [m, n]), plain = Tensor(shape: [m, n])
            Gemm.sgemm(transB: true, m: m, n: n, k: k, a: a.data, lda: k, b: b.data, ldb: k, c: fused.data, ldc: n,
                       epilogue: GemmEpilogue(scale: scale.data, bias: bias.data, biasAxis: axis, residual: residual.data,
                                              activation: .gelu, preActivation: pre.data, dropoutMask: mask.data))
            Gemm.sgemm(transB: true, m: m, n: n, k: k, a: a.data, lda: k, b: b.data, ldb: k, c: plain.data, ldc: n)
            for i in 0..<m { for j in 0..<n {
                let ch = axis == .columns ? j : i
                plain[i * n + j] = plain[i * n + j] * scale[ch] + bias[ch]
            } }
            Bias.add(plain.data, residual.data, plain.data, count: m * n)
            assertBitIdentical(pre, plain, "pre-activation")
            Activation.gelu.forward(plain.data, plain.data, count: m * n)
            Dropout.apply(plain.data, mask: mask.data, plain.data, count: m * n)
            assertBitIdentical(fused, plain, "m \(m) n \(n) k \(k) \(axis)")
        }
    }
}
