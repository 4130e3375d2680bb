import Check
import TestSupport
import XCTest
@testable import IR

final class InferenceTests: XCTestCase {
    func testLeavesNoStochasticOpsAndNoEffects() {
        for m in [Models.mlp(), Models.cnn(), Models.stochasticDepth(), Models.stochasticDepth(mode: .sample), Models.shakeShake(), Models.shakeDrop()] {
            let g = inference(lower(m))
            XCTAssertEqual(verify(g), [], m.name)
            XCTAssertEqual(g.mode, .inference)
            XCTAssertFalse(g.nodes.contains { $0.op.isStochastic || $0.op.isEffect }, m.name)
            XCTAssertEqual(g.rngKeys, [])
            XCTAssertFalse(g.nodes.contains { if case .batchNormTrain = $0.op { return true }; return false }, m.name)
            XCTAssertNotNil(g.output(.logits))
        }
    }

    func testInvertedDropoutBecomesIdentityAndClassicDropoutScales() {
        let g = inference(lower(Models.mlp()))
        XCTAssertEqual(g.nodes.map(\.op.name), ["matmul", "bias_add", "relu", "matmul", "bias_add", "relu", "matmul", "bias_add",
                                                 "softmax_cross_entropy", "accuracy"])
        var b = ModelBuilder("classic", input: [4])
        b.add(.dropout(p: 0.2, scaling: .classic), "dropout")
        b.dense(2)
        XCTAssertEqual(inference(lower(b.model())).nodes.first?.op, .scale(0.8))
    }

    func testBatchNormFoldsIntoThePrecedingConvolution() {
        let g = inference(lower(Models.cnn()))
        let names = g.nodes.map(\.op.name)
        XCTAssertEqual(names.filter { $0 == "batchnorm_fold_weight" }.count, 2)
        XCTAssertEqual(names.filter { $0 == "batchnorm_fold_bias" }.count, 2)
        XCTAssertFalse(names.contains("batchnorm_eval"))
        // The folded weights depend only on parameters and buffers: computable once per load.
        let once = g.parameterOnlyNodes()
        XCTAssertEqual(once.count, 4)
        XCTAssertTrue(once.allSatisfy { g.nodes[$0].op.name.hasPrefix("batchnorm_fold") })
        // Each convolution now reads its folded weight, and its bias_add the folded bias.
        for (i, n) in g.nodes.enumerated() where n.op.name == "conv2d" {
            XCTAssertEqual(g.nodes.first { $0.outputs.contains(n.inputs[1]) }?.op.name, "batchnorm_fold_weight")
            XCTAssertEqual(g.nodes[i + 1].op, .biasAdd(axis: 1))
            XCTAssertEqual(g.nodes.first { $0.outputs.contains(g.nodes[i + 1].inputs[1]) }?.inputs.count, 5, "conv bias folded in")
        }
        assertSnapshot(render(g), named: "cnn.inference.txt")
        assertSnapshot(render(inference(lower(Models.mlp()))), named: "mlp.inference.txt")
    }

    func testBatchNormFoldsIntoDenseWithoutBiasAndStaysWhenNotAfterAProducer() {
        var b = ModelBuilder("bn_mix", input: [6])
        b.add(.dense(units: 4, bias: false), "dense", params: [
            ParamInfo(name: "weight", shape: [4, 6], role: .weight, trainable: true, initializer: .uniformFanIn(fanIn: 6)),
        ])
        b.batchNorm()
        b.relu()
        b.batchNorm()
        b.dense(3)
        let g = inference(lower(b.model()))
        XCTAssertEqual(verify(g), [])
        XCTAssertEqual(g.nodes.map(\.op.name), ["batchnorm_fold_weight", "batchnorm_fold_bias", "matmul", "bias_add", "relu",
                                                 "batchnorm_eval", "matmul", "bias_add", "softmax_cross_entropy", "accuracy"])
        XCTAssertEqual(g.nodes[1].inputs.count, 4, "no dense bias to fold")
    }

    func testResidualRegularizersBecomeTheirExpectations() {
        func scales(_ m: CheckedModel) -> [Op] { inference(lower(m)).nodes.map(\.op).filter { if case .scale = $0 { return true }; return false } }
        XCTAssertEqual(scales(Models.stochasticDepth()), [.scale(0.8)])
        XCTAssertEqual(scales(Models.stochasticDepth(mode: .sample)), [])
        XCTAssertEqual(scales(Models.shakeShake()), [.scale(0.5)])
        XCTAssertEqual(scales(Models.shakeDrop()), [.scale(0.5)], "p = 0.5, E[α] = 0 for α ∈ [−1, 1]")
        // Shake-Shake: the two branches are summed before the even scale, then added to the shortcut.
        let g = inference(lower(Models.shakeShake()))
        guard let s = g.nodes.firstIndex(where: { $0.op == .scale(0.5) }) else { return XCTFail("no scale") }
        XCTAssertEqual(g.nodes[s - 1].op, .add)
        XCTAssertEqual(g.nodes[s - 1].inputs.count, 2)
        XCTAssertEqual(g.nodes[s + 1].op, .add)
    }
}
