import Check
import Diagnostics
import Syntax
import XCTest
@testable import IR

final class CSETests: XCTestCase {
    func testRepeatedPureNodesMergeAndRandomOnesDoNot() {
        // relu(x) twice, and dropout(x) twice with two keys: the relus merge, the dropouts stay.
        var b = GraphBuilder(name: "cse", mode: .inference, training: TrainingConfig(), bindings: ["N": 2])
        let x = b.addInput(.data, .f32([batchDim, .fixed(4)]))
        let r1 = b.emit1(.activation(.relu, slope: 0, axis: 1), [x])
        let r2 = b.emit1(.activation(.relu, slope: 0, axis: 1), [x])
        let d1 = b.emit1(.dropout(p: Rate(0.5), scaling: .inverted, key: b.newKey(site: "a", purpose: "mask")), [x])
        let d2 = b.emit1(.dropout(p: Rate(0.5), scaling: .inverted, key: b.newKey(site: "b", purpose: "mask")), [x])
        let sum = b.emit1(.add, [r1, r2])
        let scaled = b.emit1(.scale(2), [sum])
        b.addOutput(b.emit1(.add, [scaled, b.emit1(.add, [d1, d2])]), .logits)
        let g = cse(b.graph)
        XCTAssertEqual(verify(g), [])
        XCTAssertEqual(g.nodes.map(\.op.name), ["relu", "dropout", "dropout", "add", "scale", "add", "add"])
        XCTAssertEqual(g.nodes[3].inputs, [r1, r1], "the second relu's readers read the first")
    }

    /// Both Shake-Shake branches of specs/shake_shake.yaml start with relu of the block input:
    /// after cse it is computed once per block, in training and in inference.
    func testShakeShakeBranchesShareTheirLeadingRelu() throws {
        let path = SpecTests.root + "/specs/shake_shake.yaml"
        let (spec, _) = parseYAML(SourceFile(path: "specs/shake_shake.yaml", text: try String(contentsOfFile: path, encoding: .utf8)))
        let model = try XCTUnwrap(spec.flatMap { check($0, options: CheckOptions(physicalMemory: 1 << 40)).0 })
        let lowered = lower(model)
        func relus(_ g: Graph) -> Int { g.nodes.filter { $0.op.name == "relu" }.count }
        let merged = cse(lowered)
        XCTAssertEqual(relus(lowered) - relus(merged), 2, "one relu saved in each of the two blocks")
        XCTAssertEqual(lowered.nodes.count - merged.nodes.count, 2)
        XCTAssertEqual(verify(merged), [])
        XCTAssertEqual(verify(try Pipeline(mode: .train).run(model) { _ in }), [])
    }
}
