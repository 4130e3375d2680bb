import Check
import Diagnostics
import Syntax
import TestSupport
import XCTest
@testable import IR

/// The spec `specs/<name>` parsed and checked; a spec that does not check fails the test.
func checkedSpec(_ name: String) throws -> CheckedModel {
    let text = try String(contentsOfFile: SpecTests.root + "/specs/" + name, encoding: .utf8)
    let (spec, pd) = parseYAML(SourceFile(path: "specs/" + name, text: text))
    let (model, d) = check(try XCTUnwrap(spec, "\(name) does not parse: \(pd.map(\.message))"), options: CheckOptions(physicalMemory: 1 << 40))
    return try XCTUnwrap(model, "\(name) does not check: \(d.map(\.message))")
}

/// Lowers the real specs in `specs/` through the checker and both pipelines.
final class SpecTests: XCTestCase {
    static let root: String = {
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)
        return parts.joined(separator: "/")
    }()

    func checked(_ name: String) throws -> CheckedModel { try checkedSpec(name) }

    func testEverySpecLowersAndVerifiesInBothModes() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.root + "/specs").filter { $0.hasSuffix(".yaml") }.sorted()
        XCTAssertGreaterThanOrEqual(names.count, 5)
        for name in names {
            let model = try checked(name)
            for mode in Mode.allCases {
                var p = Pipeline(mode: mode)
                p.verify = true
                var stages: [String] = []
                let g = try p.run(model) { stages.append($0) }
                XCTAssertEqual(verify(g), [], "\(name) \(mode)")
                if mode == .train {
                    XCTAssertEqual(g.outputs.filter { if case .gradient = $0.kind { return true }; return false }.count,
                                   model.parameters.filter(\.trainable).count, name)
                } else {
                    XCTAssertFalse(g.nodes.contains { $0.op.isStochastic || $0.op.isEffect }, name)
                }
            }
        }
    }

    func testTutorialSpecsGolden() throws {
        for name in ["mnist_mlp", "mnist_cnn"] {
            let model = try checked(name + ".yaml")
            assertSnapshot(render(lower(model)), named: "spec.\(name).lower.txt")
            assertSnapshot(render(try Pipeline(mode: .train).run(model) { _ in }), named: "spec.\(name).train.txt")
        }
        for name in ["transformer_block", "lstm_classifier", "shake_shake", "shakedrop", "resnet_stochastic_depth"] {
            let model = try checked(name + ".yaml")
            assertSnapshot(render(try Pipeline(mode: .train).run(model) { _ in }), named: "spec.\(name).train.txt")
            assertSnapshot(render(try Pipeline(mode: .inference).run(model) { _ in }), named: "spec.\(name).inference.txt")
        }
    }
}
