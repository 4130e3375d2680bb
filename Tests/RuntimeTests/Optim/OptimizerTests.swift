import XCTest
@testable import Runtime

/// Optimizers against the semantics oracles (§1.4) and a float32 re-statement of PyTorch's
/// single-tensor code paths (three steps on four parameters, numbers from numpy):
///
/// ```python
/// def sgd(lr, mom, damp, nest, wd):            # torch/optim/sgd.py
///     d = g + wd*p; buf = d if first else mom*buf + (1-damp)*d
///     d = d + mom*buf if nest else buf; p = p - lr*d
/// def adam(lr, b1, b2, eps, wd, decoupled):    # torch/optim/adam.py, adamw.py
///     p = p*(1-lr*wd) if decoupled else (g = g + wd*p)
///     m = m + (1-b1)*(g-m); v = b2*v + (1-b2)*g*g
///     p = p - lr/(1-b1**t) * m/(sqrt(v)/sqrt(1-b2**t) + eps)
/// ```
final class OptimizerTests: XCTestCase {
    let theta0: [Float] = [1, -2, 0.5, 3]
    let grads: [[Float]] = [[0.1, -0.2, 0.3, 0], [0.5, 0.1, -0.4, 0.2], [-0.3, 0.25, 0.05, -0.1]]

    func runSGD(_ h: SGD.Hyper, _ decay: WeightDecay) -> [Float] {
        var p = theta0
        var s = SGD.makeState(count: 4)
        for g in grads { SGD.step(&p, g, count: 4, state: &s, hyper: h, decay: decay) }
        return p
    }

    func runAdam(_ h: Adam.Hyper, _ decay: WeightDecay) -> [Float] {
        var p = theta0
        var s = Adam.makeState(count: 4)
        for g in grads { Adam.step(&p, g, count: 4, state: &s, hyper: h, decay: decay) }
        return p
    }

    func assertClose(_ a: [Float], _ b: [Float], _ tol: Float = 2e-6, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, file: file, line: line)
        for (x, y) in zip(a, b) { XCTAssertEqual(x, y, accuracy: tol, file: file, line: line) }
    }

    func testSGDMatchesTorchReference() {
        assertClose(runSGD(SGD.Hyper(lr: 0.1, momentum: 0.9, nesterov: true), WeightDecay(0.01, .coupled)),
                    [0.8793582916259766, -1.9899195432662964, 0.4918767809867859, 2.9407668113708496])
        assertClose(runSGD(SGD.Hyper(lr: 0.05, momentum: 0.8, dampening: 0.3), WeightDecay(0.001, .coupled)),
                    [0.9665812849998474, -1.9902111291885376, 0.48674139380455017, 2.9902403354644775])
    }

    func testAdamAndAdamWMatchTorchReference() {
        assertClose(runAdam(Adam.Hyper(lr: 0.01), WeightDecay(0.01, .coupled)),
                    [0.9785531759262085, -1.9886656999588013, 0.49248096346855164, 2.977506160736084])
        assertClose(runAdam(Adam.Hyper(lr: 0.01), WeightDecay(0.1, .decoupled)),
                    [0.9759259223937988, -1.9847569465637207, 0.49130702018737793, 2.9812889099121094])
    }

    /// §1.4: θ=1, g=0, lr=0.1, wd=0.01 → 0.999; with momentum 0.9 the decay enters the buffer.
    func testSGDCoupledDecayOracles() {
        var p: [Float] = [1]
        var s = SGD.makeState(count: 1)
        SGD.step(&p, [0], count: 1, state: &s, hyper: SGD.Hyper(lr: 0.1), decay: WeightDecay(0.01, .coupled))
        XCTAssertEqual(p[0], 0.999, accuracy: 1e-7)

        var q: [Float] = [1]
        var m = SGD.makeState(count: 1)
        let h = SGD.Hyper(lr: 0.1, momentum: 0.9)
        SGD.step(&q, [0], count: 1, state: &m, hyper: h, decay: WeightDecay(0.01, .coupled))
        let theta1 = q[0]
        XCTAssertEqual(theta1, 0.999, accuracy: 1e-7)
        SGD.step(&q, [0], count: 1, state: &m, hyper: h, decay: WeightDecay(0.01, .coupled))
        XCTAssertEqual(q[0], theta1 - 0.1 * (0.9 * 0.01 + 0.01 * theta1), accuracy: 1e-7)
    }

    /// §1.2: for plain SGD coupled and decoupled decay coincide; with momentum they differ.
    func testSGDWCoincidesOnlyWithoutMomentum() {
        let plainC = runSGD(SGD.Hyper(lr: 0.1), WeightDecay(0.05, .coupled))
        let plainD = runSGD(SGD.Hyper(lr: 0.1), WeightDecay(0.05, .decoupled))
        assertClose(plainC, plainD, 1e-6)
        let momC = runSGD(SGD.Hyper(lr: 0.1, momentum: 0.9), WeightDecay(0.05, .coupled))
        let momD = runSGD(SGD.Hyper(lr: 0.1, momentum: 0.9), WeightDecay(0.05, .decoupled))
        XCTAssertGreaterThan(zip(momC, momD).map { abs($0 - $1) }.max()!, 1e-3)
    }

    /// §1.4: AdamW θ=1, g=0, lr=0.01, wd=0.1 → exactly 0.999; coupled Adam moves θ by ≈ lr.
    func testAdamWVersusAdamOracle() {
        var w: [Float] = [1]
        var s = Adam.makeState(count: 1)
        Adam.step(&w, [0], count: 1, state: &s, hyper: Adam.Hyper(lr: 0.01), decay: WeightDecay(0.1, .decoupled))
        XCTAssertEqual(w[0], 0.999)

        var a: [Float] = [1]
        var t = Adam.makeState(count: 1)
        Adam.step(&a, [0], count: 1, state: &t, hyper: Adam.Hyper(lr: 0.01), decay: WeightDecay(0.1, .coupled))
        XCTAssertEqual(a[0], 0.99, accuracy: 1e-6)
    }

    /// §1.4 per-group: a bias with wd=0 is unchanged by a zero-gradient AdamW step; the weight shrinks.
    func testPerParameterDecay() {
        var weight: [Float] = [2, -1], bias: [Float] = [0.5, -0.25]
        var sw = Adam.makeState(count: 2), sb = Adam.makeState(count: 2)
        let h = Adam.Hyper(lr: 1e-3)
        Adam.step(&weight, [0, 0], count: 2, state: &sw, hyper: h, decay: WeightDecay(1e-2, .decoupled))
        Adam.step(&bias, [0, 0], count: 2, state: &sb, hyper: h, decay: .none)
        XCTAssertEqual(bias, [0.5, -0.25])
        XCTAssertEqual(weight, [2 * Float(1 - 1e-5), -1 * Float(1 - 1e-5)])
    }

    /// The 16-lane main loop and the scalar tail compute the same function: a parameter of 37
    /// elements updated at once equals the same elements updated one at a time.
    func testVectorAndScalarPathsAgree() {
        let n = 37
        let p0 = (0..<n).map { Float($0) * 0.1 - 1.7 }
        let g = (0..<n).map { Float(($0 * 7) % 11) * 0.03 - 0.15 }
        var whole = p0
        var s = Adam.makeState(count: n)
        var single = p0
        var states = (0..<n).map { _ in Adam.makeState(count: 1) }
        for _ in 0..<3 {
            Adam.step(&whole, g, count: n, state: &s, hyper: Adam.Hyper(lr: 0.01), decay: WeightDecay(0.05, .coupled))
            for i in 0..<n {
                var one = [single[i]]
                Adam.step(&one, [g[i]], count: 1, state: &states[i], hyper: Adam.Hyper(lr: 0.01), decay: WeightDecay(0.05, .coupled))
                single[i] = one[0]
            }
        }
        XCTAssertEqual(whole.map(\.bitPattern), single.map(\.bitPattern))
    }

    func testEmptyParameterIsANoOp() {
        var p: [Float] = []
        var s = Adam.makeState(count: 0)
        Adam.step(&p, [], count: 0, state: &s, hyper: Adam.Hyper())
        var q = SGD.makeState(count: 0)
        SGD.step(&p, [], count: 0, state: &q, hyper: SGD.Hyper(lr: 0.1, momentum: 0.9))
        XCTAssertEqual(s.steps, 1)
    }
}
