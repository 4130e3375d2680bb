import XCTest
@testable import Runtime

/// RMSprop (both conventions) and Lion against a Float64 restatement of their update rules and
/// against first-step oracles that follow from the formulas by hand.
final class RMSpropLionTests: XCTestCase {
    let theta0: [Float] = [1, -2, 0.5, 3, 0]
    let grads: [[Float]] = [[0.1, -0.2, 0.3, 0, 0.7], [0.5, 0.1, -0.4, 0.2, -0.1], [-0.3, 0.25, 0.05, -0.1, 0.2]]

    /// The obvious Float64 loop (naive twin) of `RMSprop.step`.
    func twinRMSprop(_ h: RMSprop.Hyper, _ decay: WeightDecay) -> [Double] {
        var p = theta0.map(Double.init)
        var v = [Double](repeating: 0, count: p.count), a = v, b = v
        let keras = h.convention == .keras
        for g0 in grads {
            for i in p.indices {
                if decay.mode == .decoupled { p[i] *= 1 - h.lr * decay.rate }
                let g = Double(g0[i]) + (decay.mode == .coupled ? decay.rate * p[i] : 0)
                v[i] = h.alpha * v[i] + (1 - h.alpha) * g * g
                var s = v[i]
                if h.centered { a[i] = h.alpha * a[i] + (1 - h.alpha) * g; s -= a[i] * a[i] }
                let d = keras ? (s + h.eps).squareRoot() : s.squareRoot() + h.eps
                if h.momentum > 0 {
                    b[i] = h.momentum * b[i] + (keras ? h.lr * g / d : g / d)
                    p[i] -= keras ? b[i] : h.lr * b[i]
                } else {
                    p[i] -= h.lr * g / d
                }
            }
        }
        return p
    }

    func runRMSprop(_ h: RMSprop.Hyper, _ decay: WeightDecay) -> [Float] {
        var p = theta0
        var s = RMSprop.makeState(count: p.count)
        for g in grads { RMSprop.step(&p, g, count: p.count, state: &s, hyper: h, decay: decay) }
        XCTAssertEqual(s.steps, grads.count)
        return p
    }

    func testRMSpropMatchesItsTwinInBothConventions() {
        for convention in [RMSprop.Convention.pytorch, .keras] {
            for (momentum, centered) in [(0.0, false), (0.9, false), (0.0, true), (0.5, true)] {
                for decay in [WeightDecay.none, WeightDecay(0.05, .coupled), WeightDecay(0.05, .decoupled)] {
                    let h = RMSprop.Hyper(lr: 0.01, alpha: 0.9, eps: 1e-7, momentum: momentum, centered: centered, convention: convention)
                    let got = runRMSprop(h, decay), want = twinRMSprop(h, decay)
                    for (x, y) in zip(got, want) { XCTAssertEqual(Double(x), y, accuracy: 2e-6, "\(h) \(decay)") }
                }
            }
        }
    }

    /// First step from zero state, by hand: v = (1−α)g², so PyTorch moves by lr·g/(√(1−α)|g| + ε)
    /// and Keras by lr·g/√((1−ρ)g² + ε); centered, v − a² = α(1−α)g².
    func testRMSpropFirstStepOracles() {
        let g: Float = 0.3, lr = 0.01, alpha = 0.99
        func first(_ h: RMSprop.Hyper) -> Double {
            var p: [Float] = [0]
            var s = RMSprop.makeState(count: 1)
            RMSprop.step(&p, [g], count: 1, state: &s, hyper: h)
            return Double(-p[0])
        }
        let gd = Double(g)
        XCTAssertEqual(first(RMSprop.Hyper(lr: lr, alpha: alpha, eps: 1e-8)), lr * gd / ((1 - alpha).squareRoot() * gd + 1e-8), accuracy: 1e-7)
        XCTAssertEqual(first(RMSprop.Hyper(lr: lr, alpha: 0.9, eps: 1e-7, convention: .keras)), lr * gd / (0.1 * gd * gd + 1e-7).squareRoot(), accuracy: 1e-7)
        XCTAssertEqual(first(RMSprop.Hyper(lr: lr, alpha: alpha, eps: 1e-8, centered: true)),
                       lr * gd / ((alpha * (1 - alpha)).squareRoot() * gd + 1e-8), accuracy: 1e-6)
    }

    /// Lion moves every coordinate by exactly lr, in the direction of sign(β₁m + (1 − β₁)g), and
    /// not at all where that is 0; the momentum is the β₂ average of the gradients.
    func testLionMovesEachCoordinateByTheLearningRate() {
        var p = theta0
        var s = Lion.makeState(count: p.count)
        let h = Lion.Hyper(lr: 0.01, beta1: 0.9, beta2: 0.99)
        var m = [Double](repeating: 0, count: p.count)
        for g in grads {
            let before = p
            Lion.step(&p, g, count: p.count, state: &s, hyper: h)
            for i in p.indices {
                let c = 0.9 * m[i] + 0.1 * Double(g[i])
                let expected = c > 0 ? -0.01 : (c < 0 ? 0.01 : 0)
                XCTAssertEqual(Double(p[i] - before[i]), expected, accuracy: 1e-7, "coordinate \(i)")
                m[i] = 0.99 * m[i] + 0.01 * Double(g[i])
                XCTAssertEqual(Double(s.m[i]), m[i], accuracy: 1e-7)
            }
        }
        // Decoupled decay shrinks first: θ(1 − lr·λ) − lr·sign(c).
        var q: [Float] = [2]
        var t = Lion.makeState(count: 1)
        Lion.step(&q, [1], count: 1, state: &t, hyper: h, decay: WeightDecay(0.5, .decoupled))
        XCTAssertEqual(q[0], 2 * (1 - 0.01 * 0.5) - 0.01, accuracy: 1e-6)
    }
}
