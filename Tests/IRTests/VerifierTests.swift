import Check
import XCTest
@testable import IR

final class VerifierTests: XCTestCase {
    let good = autodiff(lower(Models.mlp()))

    func messages(_ g: Graph) -> String { verify(g).map(\.description).joined(separator: "\n") }

    func testEveryPassOutputVerifies() {
        for m in [Models.mlp(), Models.cnn(), Models.stochasticDepth(), Models.shakeShake(), Models.shakeDrop()] {
            for mode in Mode.allCases {
                var p = Pipeline(mode: mode)
                p.verify = true
                XCTAssertNoThrow(try p.run(m, print: { _ in }), m.name)
            }
        }
    }

    func testUseBeforeDefinition() {
        var g = good
        g.nodes.swapAt(0, 1)     // bias_add now reads the matmul's output before the matmul runs
        XCTAssertTrue(messages(g).contains("node 0: operand %8 is used before it is defined"), messages(g))
    }

    func testShapeThatDisagreesWithTheOpRule() {
        var g = good
        g.values[g.nodes[0].outputs[0].raw] = .f32([batchDim, .fixed(255)])
        XCTAssertTrue(messages(g).contains("node 0: matmul should define f32[N, 256], defines f32[N, 255]"), messages(g))
    }

    func testOperandsThatBreakTheShapeRule() {
        var g = good
        g.nodes[1].inputs[1] = g.inputs[3].value     // bias_add with the 256×256 weight as its bias
        XCTAssertTrue(messages(g).contains("node 1: bias_add: bias_add needs a bias of shape [256], got f32[256, 256]"), messages(g))
    }

    func testDanglingNode() {
        var g = good
        let x = g.inputs[0].value
        g.values.append(g[x])
        g.nodes.insert(Node(op: .scale(2), inputs: [x], outputs: [ValueID(g.values.count - 1)]), at: 0)
        XCTAssertTrue(messages(g).contains("node 0: scale is dangling: nothing reads what it defines"), messages(g))
    }

    func testValueDefinedTwiceAndUndefinedOutput() {
        var g = good
        g.nodes[1].outputs = g.nodes[0].outputs
        g.outputs.append(GraphOutput(value: ValueID(g.values.count + 5), kind: .logits))
        let m = messages(g)
        XCTAssertTrue(m.contains("node 1: value %8 is defined twice"), m)
        XCTAssertTrue(m.contains("graph output %\(g.values.count + 5) is out of range"), m)
    }

    func testMissingAndDuplicateGradients() {
        var g = good
        g.outputs.removeAll { $0.kind == .gradient("0.bias") }
        if let w = g.outputs.first(where: { $0.kind == .gradient("6.weight") }) { g.outputs.append(w) }
        let m = messages(g)
        XCTAssertTrue(m.contains("trainable parameter \"0.bias\" has 0 gradients, expected 1"), m)
        XCTAssertTrue(m.contains("trainable parameter \"6.weight\" has 2 gradients, expected 1"), m)
        // A forward graph (no `loss` output) is not a training graph: no gradient is required.
        XCTAssertEqual(verify(lower(Models.mlp())), [])
    }

    func testGradientOfTheWrongShape() {
        var g = good
        guard let i = g.outputs.firstIndex(where: { $0.kind == .gradient("0.bias") }),
              let other = g.output(.gradient("3.weight")) else { return XCTFail("no gradients") }
        g.outputs[i].value = other
        XCTAssertTrue(messages(g).contains("gradient of \"0.bias\" is f32[256, 256], the parameter is f32[256]"), messages(g))
    }

    func testUndeclaredRandomKeyAndEffectOnAParameter() {
        var g = lower(Models.cnn())
        g.rngKeys = []
        XCTAssertEqual(messages(g), "")    // the CNN draws nothing
        var mlp = lower(Models.mlp())
        mlp.rngKeys.removeLast()
        XCTAssertTrue(messages(mlp).contains("dropout draws from undeclared key #1"), messages(mlp))
        guard let e = g.nodes.firstIndex(where: \.op.isEffect) else { return XCTFail("no effect") }
        g.nodes[e].inputs[0] = g.inputs[1].value     // the conv weight instead of running_mean
        XCTAssertTrue(messages(g).contains("effect batchnorm_update_stats writes %1, which is not a buffer"), messages(g))
    }

    func testTransientValueReadOutsideItsNode() {
        var g = fuse(good)
        guard let n = g.nodes.firstIndex(where: { !$0.epilogue.isEmpty }), let r = g.nodes[n].epilogue.last?.result else { return XCTFail("no fusion") }
        g.nodes[n].transient.insert(r)
        XCTAssertTrue(messages(g).contains("transient value \(r) is read outside its fused node"), messages(g))
    }

    func testBrokenEpilogueStep() {
        var g = fuse(good)
        guard let n = g.nodes.firstIndex(where: { $0.epilogue.count >= 2 }) else { return XCTFail("no fusion") }
        g.nodes[n].epilogue[0].operands = [g.inputs[1].value]   // bias_add with a weight matrix
        XCTAssertTrue(messages(g).contains("bias_add needs a bias of shape"), messages(g))
    }
}
