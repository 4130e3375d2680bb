import Check
import XCTest
@testable import IR

/// The training graph's gradients against central finite differences of its own loss, in
/// float64: checks the gradient rules (transposes, bias sums, relu/tanh, dropout masks, label
/// smoothing, penalties, summed contributions) independently of the runtime kernels.
final class GradientCheckTests: XCTestCase {
    func model(activation: Activation) -> CheckedModel {
        var b = ModelBuilder("check", input: [5])
        b.training.batchSize = 3
        b.training.loss.labelSmoothing = 0.1
        let h = b.dense(4, l2: 0.03, l1: 0.02)
        b.add(.activation(activation, slope: 0, axis: 0), activation.rawValue)
        b.add(.dropout(p: 0.3, scaling: .inverted), "dropout")
        let d = b.dense(4)
        b.add(.add, "add", from: [h, d])      // a skip connection: two gradient paths into h
        b.dense(3)
        return b.model()
    }

    func testGradientsMatchFiniteDifferences() {
        for act in [Activation.relu, .tanh] {
            for fused in [false, true] {
                let train = autodiff(lower(model(activation: act)))
                check(fused ? fuse(train) : train, label: "\(act) fused=\(fused)")
            }
        }
    }

    func check(_ g: Graph, label: String) {
        var rng = SplitMix(state: 7)
        let batch = 3
        var inputs: [ValueID: [Double]] = [:]
        for i in g.inputs {
            let count = g[i.value].count(["N": batch]) ?? 0
            switch i.kind {
            case .labels: inputs[i.value] = (0..<count).map { _ in Double(Int.random(in: 0..<3, using: &rng)) }
            default: inputs[i.value] = (0..<count).map { _ in Double.random(in: -1...1, using: &rng) }
            }
        }
        guard let lossValue = g.output(.loss) else { return XCTFail("no loss") }
        func loss(_ ins: [ValueID: [Double]]) -> Double {
            var e = ReferenceEvaluator(g)
            e.run(ins, batch: batch)
            return e.v(lossValue)[0]
        }
        var e = ReferenceEvaluator(g)
        e.run(inputs, batch: batch)
        for p in g.trainableParameters {
            guard let name = p.param?.name, let gv = g.output(.gradient(name)) else { XCTFail("\(label): no gradient"); continue }
            let analytic = e.v(gv)
            let w = inputs[p.value] ?? []
            XCTAssertEqual(analytic.count, w.count, "\(label) \(name)")
            for i in w.indices {
                let h = 1e-6
                var plus = inputs, minus = inputs
                plus[p.value]?[i] += h
                minus[p.value]?[i] -= h
                let numeric = (loss(plus) - loss(minus)) / (2 * h)
                XCTAssertEqual(analytic[i], numeric, accuracy: 1e-6 + 1e-5 * abs(numeric), "\(label) ∂loss/∂\(name)[\(i)]")
            }
        }
    }
}
