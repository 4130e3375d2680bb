import Check
import XCTest
@testable import IR

final class PruneTests: XCTestCase {
    func testPredictionGraphHasNoLabelsNoLossAndTheSameState() {
        let full = inference(lower(Models.cnn()))
        let g = prune(full) { $0 == .logits }
        XCTAssertEqual(verify(g), [])
        XCTAssertNil(g.input(.labels))
        XCTAssertNotNil(g.input(.data))
        XCTAssertEqual(g.outputs.map(\.kind), [.logits])
        XCTAssertFalse(g.nodes.contains { $0.op.name == "softmax_cross_entropy" || $0.op == .accuracy })
        XCTAssertEqual(g.state, full.state)
        XCTAssertEqual(g.nodes.count, full.nodes.count - 2)
        XCTAssertNotNil(plan(fuse(g)).memory)
    }

    func testTrainingGraphKeepsEffectsAndTheKeysItStillDraws() {
        let full = autodiff(lower(Models.cnn()))
        let g = prune(full) { $0 != .accuracy }
        XCTAssertEqual(verify(g), [])
        XCTAssertEqual(g.nodes.filter(\.op.isEffect).count, 2)
        XCTAssertEqual(g.nodes.count, full.nodes.count - 1)
        let mlp = prune(autodiff(lower(Models.mlp()))) { $0 == .logits }
        XCTAssertEqual(verify(mlp), [])
        XCTAssertEqual(mlp.rngKeys.count, 2, "the forward dropouts still draw")
        XCTAssertFalse(mlp.nodes.contains { $0.op.name.hasSuffix("_backward") })
    }

    func testFoldedWeightsStayLiveSoTheyCanBeComputedOncePerLoad() {
        let g = plan(fuse(inference(lower(Models.cnn()))))
        guard let m = g.memory else { return XCTFail("no plan") }
        let once = g.parameterOnlyNodes()
        XCTAssertEqual(once.count, 4)
        for i in once { for v in g.nodes[i].defined { XCTAssertEqual(m.live[v], -1...g.nodes.count) } }
        XCTAssertEqual(autodiff(lower(Models.cnn())).parameterOnlyNodes(), [], "training graphs recompute everything")
    }
}
