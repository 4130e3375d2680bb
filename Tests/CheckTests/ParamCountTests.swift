import XCTest
@testable import Check

final class ParamCountTests: XCTestCase {
    func testTutorialMLPHas269322TrainableParameters() throws {
        let (model, d) = try checkFile("specs/mnist_mlp.yaml")
        XCTAssertEqual(lines(d), [])
        let m = try XCTUnwrap(model)
        let s = summarize(m)
        // 784·256 + 256 + 256·256 + 256 + 256·10 + 10
        XCTAssertEqual(s.trainable, 269_322)
        XCTAssertEqual(s.nonTrainable, 0)
        XCTAssertEqual(m.parameters.map(\.name), ["0.weight", "0.bias", "3.weight", "3.bias", "6.weight", "6.bias"])
        XCTAssertEqual(m.parameters[0].shape, [256, 784])
        XCTAssertEqual(m.nodes[m.output].shape, [.fixed(10)])
    }

    func testTutorialCNNHas20586TrainableParameters() throws {
        let (model, d) = try checkFile("specs/mnist_cnn.yaml")
        XCTAssertEqual(lines(d), [])
        let m = try XCTUnwrap(model)
        let s = summarize(m)
        // conv 16·1·9+16 = 160, bn 32, conv 32·16·9+32 = 4640, bn 64, dense 1568·10+10 = 15690
        XCTAssertEqual(s.trainable, 20_586)
        // running mean/var (16+16, 32+32) and two scalar num_batches_tracked
        XCTAssertEqual(s.nonTrainable, 98)
        XCTAssertEqual(m.parameters.filter(\.trainable).map(\.name),
                       ["0.weight", "0.bias", "1.weight", "1.bias", "4.weight", "4.bias", "5.weight", "5.bias", "9.weight", "9.bias"])
        XCTAssertEqual(m.parameters.first { $0.name == "4.weight" }?.shape, [32, 16, 3, 3])
        XCTAssertEqual(m.parameters.first { $0.name == "9.weight" }?.shape, [10, 1568])
        XCTAssertEqual(m.parameters.first { $0.name == "1.num_batches_tracked" }?.shape, [])
    }

    func testActivationArgumentTakesTheNextSequentialIndex() throws {
        let (model, d) = checkYAML(spec(input: "[784]", """
        - dense: {units: 32, activation: relu}
        - dropout: 0.5
        - dense: {units: 10, name: head}
        """))
        XCTAssertEqual(lines(d), [])
        let m = try XCTUnwrap(model)
        XCTAssertEqual(m.parameters.map(\.name), ["0.weight", "0.bias", "head.weight", "head.bias"])
        XCTAssertEqual(m.nodes.map(\.path), ["", "0", "1", "2", "head"])
    }

    func testNestedPathsFollowPyTorchModuleNames() throws {
        let (model, d) = checkYAML(spec(input: "[8, 8, 8]", """
        - conv2d: {filters: 8, kernel: 1}
        - residual:
            body: [conv2d: {filters: 8, kernel: 3, padding: 1}, relu]
        - shake_shake:
            branches: [[conv2d: {filters: 4, kernel: 1}], [conv2d: {filters: 4, kernel: 1}]]
            shortcut: [conv2d: {filters: 4, kernel: 1}]
        """))
        XCTAssertEqual(lines(d), [])
        let names = try XCTUnwrap(model).parameters.map(\.name)
        XCTAssertEqual(names, ["0.weight", "0.bias", "1.body.0.weight", "1.body.0.bias",
                               "2.shortcut.0.weight", "2.shortcut.0.bias",
                               "2.branches.0.0.weight", "2.branches.0.0.bias", "2.branches.1.0.weight", "2.branches.1.0.bias"])
    }

    func testRecurrentAndAttentionParametersUsePyTorchLayouts() throws {
        let (model, d) = checkYAML(spec(input: "[28, 28]", """
        - lstm: {units: 16, bidirectional: true, return_sequences: true}
        - attention: 4
        - gru: 8
        """))
        XCTAssertEqual(lines(d), [])
        let ps = try XCTUnwrap(model).parameters
        let table = Dictionary(uniqueKeysWithValues: ps.map { ($0.name, $0.shape) })
        XCTAssertEqual(table["0.weight_ih_l0"], [64, 28])
        XCTAssertEqual(table["0.weight_hh_l0_reverse"], [64, 16])
        XCTAssertEqual(table["0.bias_hh_l0_reverse"], [64])
        XCTAssertEqual(table["1.in_proj_weight"], [96, 32])
        XCTAssertEqual(table["1.out_proj.weight"], [32, 32])
        XCTAssertEqual(table["2.weight_ih_l0"], [24, 32])
        XCTAssertEqual(ps.count, 8 + 4 + 4)
    }
}

final class NamingTests: XCTestCase {
    func testANamedLayerWithAnActivationNamesOneNodeButExportsItsOutput() throws {
        let (m2, d2) = checkYAML(spec(input: "[8]", """
        - dense: {units: 8, activation: relu, name: h}
        - dense: {units: 8, from: input, name: g}
        - add: {from: [h, g]}
        """))
        XCTAssertEqual(lines(d2), [])
        let nodes = try XCTUnwrap(m2).nodes
        XCTAssertEqual(nodes.compactMap(\.name), ["input", "h", "g"])
        // `h` as an input means the activation's output (node 2), not the dense node.
        XCTAssertEqual(nodes.last?.inputs, [2, 3])
    }
}
