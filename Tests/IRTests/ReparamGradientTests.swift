import Check
import Foundation
import XCTest
@testable import IR

/// Float64 reference semantics of the reparametrization ops (§4.3, §4.4), for gradient checks of
/// their rules independently of the runtime kernels. Weights are viewed [rows = out, cols = rest].
extension ReferenceEvaluator {
    func matrixShape(_ x: ValueID) -> (Int, Int) {
        let s = shapes[x] ?? [1]
        return (s.first ?? 1, s.dropFirst().reduce(1, *))
    }

    static func normalize(_ x: [Double]) -> [Double] {
        let n = max(x.map { $0 * $0 }.reduce(0, +).squareRoot(), 1e-12)
        return x.map { $0 / n }
    }

    /// v ← normalize(Wᵀu), u ← normalize(Wv), `n` times.
    static func powerIteration(_ w: [Double], rows: Int, cols: Int, u: [Double], v: [Double], n: Int) -> ([Double], [Double]) {
        var u = u, v = v
        for _ in 0..<n {
            var nv = [Double](repeating: 0, count: cols), nu = [Double](repeating: 0, count: rows)
            for r in 0..<rows { for j in 0..<cols { nv[j] += w[r * cols + j] * u[r] } }
            v = normalize(nv)
            for r in 0..<rows { for j in 0..<cols { nu[r] += w[r * cols + j] * v[j] } }
            u = normalize(nu)
        }
        return (u, v)
    }

    static func sigma(_ w: [Double], rows: Int, cols: Int, u: [Double], v: [Double]) -> Double {
        var s = 0.0
        for r in 0..<rows { for j in 0..<cols { s += u[r] * w[r * cols + j] * v[j] } }
        return s
    }

    mutating func evalReparam(_ op: Op, _ ins: [ValueID], _ outs: [ValueID], _ batch: Int) -> Bool {
        switch op {
        case .weightNorm:
            let (rows, cols) = matrixShape(ins[0]), d = v(ins[0]), g = v(ins[1])
            var norms = [Double](repeating: 0, count: rows)
            for r in 0..<rows { for j in 0..<cols { norms[r] += d[r * cols + j] * d[r * cols + j] } }
            norms = norms.map { $0.squareRoot() }
            var w = [Double](repeating: 0, count: d.count)
            for i in d.indices { w[i] = g[i / cols] * d[i] / norms[i / cols] }
            set(outs[0], w, batch)
            set(outs[1], norms, batch)
        case .weightNormBackward:
            let (rows, cols) = matrixShape(ins[1]), dw = v(ins[0]), d = v(ins[1]), g = v(ins[2]), norms = v(ins[3])
            var dv = [Double](repeating: 0, count: d.count), dg = [Double](repeating: 0, count: rows)
            for r in 0..<rows {
                var dot = 0.0
                for j in 0..<cols { dot += dw[r * cols + j] * d[r * cols + j] }
                dg[r] = dot / norms[r]
                let a = g[r] / norms[r], b = dot / (norms[r] * norms[r])
                for j in 0..<cols { dv[r * cols + j] = a * (dw[r * cols + j] - b * d[r * cols + j]) }
            }
            set(outs[0], dv, batch)
            set(outs[1], dg, batch)
        case .powerIteration(let n):
            let (rows, cols) = matrixShape(ins[0])
            let (u, v) = Self.powerIteration(v(ins[0]), rows: rows, cols: cols, u: v(ins[1]), v: v(ins[2]), n: n)
            set(outs[0], u, batch)
            set(outs[1], v, batch)
        case .spectralNorm:
            let (rows, cols) = matrixShape(ins[0]), w = v(ins[0])
            let s = Self.sigma(w, rows: rows, cols: cols, u: v(ins[1]), v: v(ins[2]))
            set(outs[0], w.map { $0 / s }, batch)
            set(outs[1], [s], batch)
        case .spectralNormBackward:
            let (rows, cols) = matrixShape(ins[1]), dy = v(ins[0]), w = v(ins[1]), u = v(ins[2]), vv = v(ins[3]), s = v(ins[4])[0]
            var dot = 0.0
            for i in dy.indices { dot += dy[i] * w[i] }
            var dw = [Double](repeating: 0, count: rows * cols)
            for i in dw.indices { dw[i] = dy[i] / s - dot / (s * s) * u[i / cols] * vv[i % cols] }
            set(outs[0], dw, batch)
        case .spectralNormUpdate:
            break   // an effect on buffers; the reference evaluator keeps its inputs immutable
        default:
            return false
        }
        return true
    }
}

extension ModelBuilder {
    /// A dense layer with weight normalization (`weight_g`, `weight_v`) or spectral normalization
    /// (`weight_orig`, buffers `weight_u`, `weight_v`), as the checker's `reparametrize` names them.
    @discardableResult
    mutating func reparamDense(_ units: Int, spectral: Bool) -> Int {
        let fanIn = shape(last).last ?? 0
        var r = Regularization()
        let bias = ParamInfo(name: "bias", shape: [units], role: .bias, trainable: true, initializer: .uniformFanIn(fanIn: fanIn))
        if spectral {
            r.spectralNorm = true
            return add(.dense(units: units, bias: true), "dense", params: [bias,
                ParamInfo(name: "weight_orig", shape: [units, fanIn], role: .weight, trainable: true, initializer: .uniformFanIn(fanIn: fanIn), regularization: r),
                ParamInfo(name: "weight_u", shape: [units], role: .spectralU, trainable: false, initializer: .normal(std: 1)),
                ParamInfo(name: "weight_v", shape: [fanIn], role: .spectralV, trainable: false, initializer: .normal(std: 1)),
            ])
        }
        r.weightNorm = true
        return add(.dense(units: units, bias: true), "dense", params: [bias,
            ParamInfo(name: "weight_g", shape: [units, 1], role: .weightGain, trainable: true, initializer: .ones),
            ParamInfo(name: "weight_v", shape: [units, fanIn], role: .weight, trainable: true, initializer: .uniformFanIn(fanIn: fanIn), regularization: r),
        ])
    }
}

/// The weight_norm and spectral_norm gradient rules against float64 central differences of the
/// training graph's own loss.
final class ReparamGradientTests: XCTestCase {
    func testGradientRulesMatchFiniteDifferences() {
        var b = ModelBuilder("reparam", input: [5])
        b.training.batchSize = 3
        b.reparamDense(4, spectral: false)
        b.add(.activation(.tanh, slope: 0, axis: 0), "tanh")
        b.reparamDense(4, spectral: true)
        b.add(.activation(.tanh, slope: 0, axis: 0), "tanh")
        b.dense(3)
        let g = autodiff(lower(b.model()))
        XCTAssertEqual(verify(g), [])

        var rng = SplitMix(state: 3)
        let batch = 3
        var inputs: [ValueID: [Double]] = [:]
        for i in g.inputs {
            let count = g[i.value].count(["N": batch]) ?? 0
            switch i.kind {
            case .labels: inputs[i.value] = (0..<count).map { _ in Double(Int.random(in: 0..<3, using: &rng)) }
            default: inputs[i.value] = (0..<count).map { _ in Double.random(in: -1...1, using: &rng) }
            }
        }
        // u, v at the top singular pair of W: the constants the rule assumes are then also where
        // one more power-iteration step leaves σ stationary, so finite differences see no
        // dependence through them (PyTorch: "gradient check with u, v frozen").
        func input(_ name: String) -> ValueID? { g.inputs.first { $0.param?.name == name }?.value }
        if let w = input("2.weight_orig"), let u = input("2.weight_u"), let v = input("2.weight_v"), let wv = inputs[w] {
            let (cu, cv) = ReferenceEvaluator.powerIteration(wv, rows: 4, cols: 4, u: inputs[u] ?? [], v: inputs[v] ?? [], n: 2000)
            inputs[u] = cu
            inputs[v] = cv
        } else {
            XCTFail("no spectral-norm tensors")
        }
        guard let lossValue = g.output(.loss) else { return XCTFail("no loss") }
        func loss(_ ins: [ValueID: [Double]]) -> Double {
            var e = ReferenceEvaluator(g)
            e.run(ins, batch: batch)
            return e.v(lossValue)[0]
        }
        var e = ReferenceEvaluator(g)
        e.run(inputs, batch: batch)
        var checked = 0
        for p in g.trainableParameters {
            guard let name = p.param?.name, let gv = g.output(.gradient(name)) else { XCTFail("no gradient"); continue }
            let analytic = e.v(gv), w = inputs[p.value] ?? []
            XCTAssertEqual(analytic.count, w.count, name)
            for i in w.indices {
                let h = 1e-6
                var plus = inputs, minus = inputs
                plus[p.value]?[i] += h
                minus[p.value]?[i] -= h
                let numeric = (loss(plus) - loss(minus)) / (2 * h)
                XCTAssertEqual(analytic[i], numeric, accuracy: 1e-6 + 1e-5 * abs(numeric), "∂loss/∂\(name)[\(i)]")
                checked += 1
            }
        }
        XCTAssertEqual(checked, (4 + 4 + 20) + (4 + 16) + (3 + 12))
    }
}
