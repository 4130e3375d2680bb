import Check
import TestSupport
import XCTest
@testable import IR

final class PipelineTests: XCTestCase {
    func testPassOrderPerMode() {
        XCTAssertEqual(Pipeline(mode: .train).passNames, ["lower", "cse", "autodiff", "fuse", "plan"])
        XCTAssertEqual(Pipeline(mode: .inference).passNames, ["lower", "cse", "inference", "fuse", "plan"])
    }

    func testPrintAfterPrintsExactlyThatPass() throws {
        for pass in ["lower", "cse", "autodiff", "fuse", "plan"] {
            var printed: [String] = []
            _ = try Pipeline(mode: .train, printAfter: pass).run(Models.mlp()) { printed.append($0) }
            XCTAssertEqual(printed.count, 1)
            let expected: Graph
            switch pass {
            case "lower": expected = lower(Models.mlp())
            case "cse": expected = cse(lower(Models.mlp()))
            case "autodiff": expected = autodiff(cse(lower(Models.mlp())))
            case "fuse": expected = fuse(autodiff(cse(lower(Models.mlp()))))
            default: expected = plan(fuse(autodiff(cse(lower(Models.mlp())))))
            }
            XCTAssertEqual(printed.first, render(expected), pass)
        }
    }

    func testUnknownPassIsAnError() {
        XCTAssertThrowsError(try Pipeline(mode: .inference, printAfter: "autodiff").run(Models.mlp()) { _ in }) { e in
            XCTAssertEqual("\(e)", "unknown pass 'autodiff'; the passes are lower, cse, inference, fuse, plan")
        }
    }

    func testBatchSizeOverrideChangesThePlan() throws {
        let small = try Pipeline(mode: .train, batchSize: 32).run(Models.cnn()) { _ in }
        let big = try Pipeline(mode: .train).run(Models.cnn()) { _ in }
        XCTAssertEqual(small.memory?.bindings["N"], 32)
        XCTAssertEqual(big.memory?.bindings["N"], 64)
        XCTAssertLessThan(small.memory?.arenaBytes ?? .max, big.memory?.arenaBytes ?? 0)
        XCTAssertEqual(small.memory?.stateBytes, big.memory?.stateBytes)
    }

    func testInferenceGoldenAfterPlan() throws {
        let g = try Pipeline(mode: .inference).run(Models.cnn()) { _ in }
        assertSnapshot(render(g), named: "cnn.inference.plan.txt")
    }
}
