import Check
import TestSupport
import XCTest
@testable import IR

final class FuseTests: XCTestCase {
    func testMLPTrainingFusesBiasActivationAndDropoutIntoTheMatmul() {
        let g = fuse(autodiff(lower(Models.mlp())))
        XCTAssertEqual(verify(g), [])
        let first = g.nodes[0]
        XCTAssertEqual(first.op, .matmul(transA: false, transB: true))
        XCTAssertEqual(first.epilogue.map(\.op.name), ["bias_add", "relu", "dropout"])
        // The matmul and bias outputs live only in the kernel; relu's output is kept for relu_backward.
        XCTAssertTrue(first.transient.contains(first.outputs[0]))
        XCTAssertTrue(first.transient.contains(first.epilogue[0].result))
        XCTAssertFalse(first.transient.contains(first.epilogue[1].result))
        // Backward: dx = dy·W, then dropout and relu backward in the same kernel.
        XCTAssertTrue(g.nodes.contains { $0.op == .matmul(transA: false, transB: false) && $0.epilogue.map(\.op.name) == ["dropout_backward", "relu_backward"] })
        assertSnapshot(render(g), named: "mlp.fuse.txt")
    }

    func testFusionKeepsEveryValueAndTheResults() {
        for m in [Models.mlp(), Models.cnn(), Models.stochasticDepth(), Models.shakeShake(), Models.shakeDrop()] {
            for g in [autodiff(lower(m)), inference(lower(m))] {
                let f = fuse(g)
                XCTAssertEqual(verify(f), [], m.name)
                XCTAssertEqual(Set(f.nodes.flatMap(\.defined)), Set(g.nodes.flatMap(\.defined)), m.name)
                XCTAssertEqual(f.outputs, g.outputs)
                XCTAssertLessThan(f.nodes.count, g.nodes.count, m.name)
            }
        }
    }

    func testBatchNormApplyAndResidualAddJoinEpilogues() {
        let train = fuse(autodiff(lower(Models.cnn())))
        XCTAssertTrue(train.nodes.contains { $0.op == .batchNormTrain(eps: 1e-5) && $0.epilogue.map(\.op.name) == ["relu"] })
        // The convolution's bias gradient is summed by the batch norm backward that writes its dx,
        // and that dx stays in memory for the convolution's two gradients.
        let bnBackward = train.nodes.filter { if case .batchNormBackward = $0.op { true } else { false } }
        XCTAssertEqual(bnBackward.map { $0.epilogue.map(\.op.name) }, [["bias_grad"], ["bias_grad"]])
        XCTAssertTrue(bnBackward.allSatisfy { $0.transient.isEmpty })
        // The effect reading the batch statistics still comes after the node that defines them.
        XCTAssertEqual(verify(train), [])
        assertSnapshot(render(train), named: "cnn.fuse.txt")

        let sd = fuse(inference(lower(Models.stochasticDepth())))
        XCTAssertTrue(sd.nodes.contains { $0.epilogue.map(\.op.name) == ["bias_add", "scale", "add", "relu"] },
                      render(sd))
        var b = ModelBuilder("bn_eval", input: [6])
        b.dense(4)
        b.relu()
        b.batchNorm()
        let inf = fuse(inference(lower(b.model())))
        XCTAssertEqual(inf.nodes.first?.epilogue.map(\.op.name), ["bias_add", "relu", "batchnorm_eval"])
    }

    func testAChainStopsBeforeAValueIsReadEarlierThanTheFusedNode() {
        // x → relu → scale, where the relu output is also read by an add placed before the scale.
        var b = GraphBuilder(name: "order", mode: .inference, training: TrainingConfig(), bindings: ["N": 2])
        let x = b.addInput(.data, .f32([batchDim, .fixed(3)]))
        let w = b.addInput(.parameter(ParamInfo(name: "w", shape: [3, 3], role: .weight, trainable: true, initializer: .zeros)), .f32(fixed: [3, 3]))
        let m = b.emit1(.matmul(transA: false, transB: true), [x, w])
        let r = b.emit1(.activation(.relu, slope: 0, axis: 1), [m])
        let early = b.emit1(.add, [r, x])
        let s = b.emit1(.scale(2), [early])
        let late = b.emit1(.scale(3), [r])
        b.addOutput(b.emit1(.add, [s, late]), .logits)
        let f = fuse(b.graph)
        XCTAssertEqual(verify(f), [])
        XCTAssertEqual(f.nodes.first?.epilogue.map(\.op.name), ["relu", "add", "scale"])
        XCTAssertFalse(f.nodes.first?.transient.contains(r) ?? true, "relu output is read by the late scale")
    }
}
