import Check
import TestSupport
import XCTest
@testable import IR

final class LowerTests: XCTestCase {
    func testMLPLowersToVerifiedForwardGraph() {
        let g = lower(Models.mlp())
        XCTAssertEqual(verify(g), [])
        XCTAssertEqual(g.bindings, ["N": 128])
        XCTAssertEqual(g.state.count, 6)
        XCTAssertEqual(g.rngKeys.count, 2)
        XCTAssertEqual(g[g.output(.logits)!].description, "f32[N, 10]")
        assertSnapshot(render(g), named: "mlp.lower.txt")
    }

    func testCNNLowersWithRunningStatUpdatesAsEffects() {
        let g = lower(Models.cnn())
        XCTAssertEqual(verify(g), [])
        XCTAssertEqual(g.nodes.filter(\.op.isEffect).count, 2)
        XCTAssertEqual(g.inputs.filter { if case .buffer = $0.kind { return true }; return false }.count, 6)
        assertSnapshot(render(g), named: "cnn.lower.txt")
    }

    func testResidualRegularizersBecomeGateOpsBeforeTheAdd() {
        for (model, gate) in [(Models.stochasticDepth(), "stochastic_depth"), (Models.shakeShake(), "shake_shake"), (Models.shakeDrop(), "shakedrop")] {
            let g = lower(model)
            XCTAssertEqual(verify(g), [], model.name)
            guard let i = g.nodes.firstIndex(where: { $0.op.name == gate }) else { XCTFail("no \(gate) in \(model.name)"); continue }
            let uses = g.uses()[g.nodes[i].outputs[0]] ?? []
            XCTAssertEqual(uses.map { g.nodes[$0].op }, [.add], model.name)
        }
    }

    func testShakeShakeKeysDifferUnlessKeep() {
        func attrs(_ g: Graph) -> ShakeAttrs? {
            for n in g.nodes { if case .shakeShake(let a) = n.op { return a } }
            return nil
        }
        let shake = attrs(lower(Models.shakeShake()))
        XCTAssertNotNil(shake)
        XCTAssertNotEqual(shake?.forwardKey, shake?.backwardKey)
        let keep = attrs(lower(Models.shakeShake(backward: .keep)))
        XCTAssertEqual(keep?.forwardKey, keep?.backwardKey)
    }
}
