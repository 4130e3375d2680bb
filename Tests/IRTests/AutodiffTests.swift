import Check
import TestSupport
import XCTest
@testable import IR

final class AutodiffTests: XCTestCase {
    let models = [Models.mlp(), Models.cnn(), Models.stochasticDepth(), Models.stochasticDepth(mode: .sample),
                  Models.shakeShake(), Models.shakeShake(backward: .keep), Models.shakeDrop()]

    func testEveryTrainableParameterGetsExactlyOneGradientOfItsShape() {
        for m in models {
            let g = autodiff(lower(m))
            XCTAssertEqual(verify(g), [], m.name)
            let trainable = m.parameters.filter(\.trainable)
            XCTAssertFalse(trainable.isEmpty)
            for p in trainable {
                let grads = g.outputs.filter { $0.kind == .gradient(p.name) }
                XCTAssertEqual(grads.count, 1, "\(m.name) \(p.name)")
                if let gv = grads.first { XCTAssertEqual(g[gv.value].fixedShape, p.shape, "\(m.name) \(p.name)") }
            }
            XCTAssertEqual(g.outputs.filter { if case .gradient = $0.kind { return true }; return false }.count, trainable.count)
            XCTAssertFalse(g.nodes.contains { $0.op == .scale(0) }, "\(m.name): every parameter reaches the loss")
        }
    }

    func testTheDataInputGetsNoGradient() {
        let g = autodiff(lower(Models.cnn()))
        // Only the second convolution needs ∂/∂input; the first one's input is the data.
        XCTAssertEqual(g.nodes.filter { $0.op.name == "conv2d_backward_data" }.count, 1)
        XCTAssertEqual(g.nodes.filter { $0.op.name == "conv2d_backward_filter" }.count, 2)
    }

    func testDropoutBackwardRegeneratesTheForwardMaskFromTheSameKey() {
        let g = autodiff(lower(Models.mlp()))
        var forward: [RngKey] = [], backward: [RngKey] = []
        for n in g.nodes {
            if case .dropout(_, _, let k) = n.op { forward.append(k) }
            if case .dropoutBackward(_, _, let k) = n.op { backward.append(k) }
        }
        XCTAssertEqual(forward.count, 2)
        XCTAssertEqual(Set(forward), Set(backward))
        // The second dropout's backward reads only its incoming gradient: no mask is stored.
        XCTAssertTrue(g.nodes.filter { $0.op.name == "dropout_backward" }.allSatisfy { $0.inputs.count == 1 })
    }

    func testShakeShakeBackwardDrawsAnIndependentCoefficient() {
        let g = autodiff(lower(Models.shakeShake()))
        let fwd = g.nodes.compactMap { n -> ShakeAttrs? in if case .shakeShake(let a) = n.op { return a }; return nil }
        let bwd = g.nodes.filter { $0.op.name == "shake_shake_backward" }
        XCTAssertEqual(fwd.count, 1)
        XCTAssertEqual(bwd.count, 1)
        XCTAssertEqual(bwd.first?.outputs.count, 2)
        XCTAssertNotEqual(bwd.first?.op.rngKeys, fwd.first.map { [$0.forwardKey] })
        XCTAssertEqual(Set(bwd.first?.op.rngKeys ?? []).intersection(fwd.first.map { [$0.forwardKey] } ?? []), [])
        // Keep mode: β = α, so backward draws from the forward key.
        let keep = autodiff(lower(Models.shakeShake(backward: .keep)))
        let keepKeys = keep.nodes.filter { $0.op.name.hasPrefix("shake_shake") }.map(\.op.rngKeys)
        XCTAssertEqual(keepKeys.count, 2)
        XCTAssertEqual(keepKeys.first, keepKeys.last)
    }

    func testShakeDropBackwardSharesTheGateButNotTheCoefficient() {
        let g = autodiff(lower(Models.shakeDrop()))
        let keys = g.nodes.filter { $0.op.name.hasPrefix("shakedrop") }.map(\.op.rngKeys)
        XCTAssertEqual(keys.count, 2)
        guard keys.count == 2 else { return }
        XCTAssertEqual(keys[0][0], keys[1][0], "gate b is the same draw in both passes")
        XCTAssertNotEqual(keys[0][1], keys[1][1], "β is drawn independently of α")
    }

    func testResidualShortcutGradientsAreSummedOnce() {
        let g = autodiff(lower(Models.stochasticDepth()))
        // The stem's relu output feeds the block's branch and its shortcut: one add of two parts.
        let adds = g.nodes.filter { $0.op == .add && $0.origin?.kind == "relu" }
        XCTAssertEqual(adds.count, 1)
        XCTAssertEqual(adds.first?.inputs.count, 2)
    }

    func testPenaltiesJoinTheObjectiveAndTheirParametersGradient() {
        var b = ModelBuilder("penalized", input: [4])
        b.dense(3, l2: 0.01, l1: 0.001)
        b.training.batchSize = 8
        let g = autodiff(lower(b.model()))
        XCTAssertEqual(verify(g), [])
        let loss = g.nodes.first { $0.outputs.first == g.output(.loss) }
        XCTAssertEqual(loss?.op, .add)
        XCTAssertEqual(loss?.inputs.count, 3)
        XCTAssertTrue(g.nodes.contains { $0.op == .l2Penalty(Rate(0.01)) })
        XCTAssertTrue(g.nodes.contains { $0.op == .l1Penalty(Rate(0.001)) })
        // ∂/∂W = data path + L1 + L2 terms, summed by one add; the bias has no penalty.
        let gw = g.nodes.first { $0.outputs.first == g.output(.gradient("0.weight")) }
        XCTAssertEqual(gw?.op, .add)
        XCTAssertEqual(gw?.inputs.count, 3)
        XCTAssertEqual(g.nodes.first { $0.outputs.first == g.output(.gradient("0.bias")) }?.op, .biasGrad(axis: 1))
    }

    func testGoldenTrainingGraphs() {
        assertSnapshot(render(autodiff(lower(Models.mlp()))), named: "mlp.autodiff.txt")
        assertSnapshot(render(autodiff(lower(Models.cnn()))), named: "cnn.autodiff.txt")
    }
}
