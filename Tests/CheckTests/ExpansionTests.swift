import XCTest
@testable import Check
import Syntax
import Diagnostics

final class ExpansionTests: XCTestCase {
    func testStochasticDepthDecaysLinearlyToOneHalf() throws {
        let m = try XCTUnwrap(try checkFile("specs/resnet_stochastic_depth.yaml").model)
        let survival: [Double] = m.nodes.compactMap {
            if case .residual(let sd?) = $0.op { return sd.survival }
            return nil
        }
        // p_l = 1 − (l/L)(1 − p_L), L = 4, p_L = 0.5
        XCTAssertEqual(survival, [0.875, 0.75, 0.625, 0.5])
    }

    /// `${depth}` counts residual, shake_shake and shakedrop layers across stages, blocks and
    /// repeats (inside one, its own position; in a block use's arguments, the block's first);
    /// `${blocks}` is their number; a parameter or index of the same name wins.
    func testDepthAndBlocksCountResidualBlocksAcrossStages() throws {
        let text = """
        regula: 1
        input: [4, 6, 6]
        blocks:
          res:
            params: [survival]
            layers:
              - residual: {body: [conv2d: {filters: 4, kernel: 3, padding: 1}], stochastic_depth: "${survival}"}
        layers:
          - repeat: {count: 2, layers: [res: {survival: "${1 - 0.5 * depth / blocks}"}]}
          - conv2d: {filters: 4, kernel: 1}
          - repeat: {count: 2, layers: [residual: {body: [relu], stochastic_depth: "${1 - 0.5 * depth / blocks}"}]}
          - shakedrop: {body: [conv2d: {filters: 4, kernel: 3, padding: 1}], p: "${1 - 0.5 * depth / blocks}"}
          - repeat: {count: 1, as: depth, layers: [residual: {body: [relu], stochastic_depth: "${1 - depth}"}]}
          - flatten
          - dense: 2
        """
        let (model, d) = checkYAML(text)
        XCTAssertEqual(lines(d), [])
        let m = try XCTUnwrap(model)
        let probabilities: [Double] = m.nodes.compactMap {
            switch $0.op {
            case .residual(let sd?): return sd.survival
            case .shakeDrop(let s): return s.p
            default: return nil
            }
        }
        // Six residual blocks: 1 − 0.5·l/6 for l = 1…5, then the repeat index named depth (0) wins.
        let expected = (1...5).map { 1 - 0.5 * Double($0) / 6 } + [1]
        XCTAssertEqual(probabilities.count, expected.count)
        for (p, e) in zip(probabilities, expected) { XCTAssertEqual(p, e, accuracy: 1e-12) }
    }

    func testShakeDropProbabilityDecaysAndShakeShakeOptionsResolve() throws {
        let sd = try XCTUnwrap(try checkFile("specs/shakedrop.yaml").model)
        let ps: [Double] = sd.nodes.compactMap { if case .shakeDrop(let s) = $0.op { return s.p }; return nil }
        XCTAssertEqual(ps.count, 3)
        for (p, e) in zip(ps, [1 - 0.5 / 3, 1 - 1.0 / 3, 0.5]) { XCTAssertEqual(p, e, accuracy: 1e-12) }
        let ss = try XCTUnwrap(try checkFile("specs/shake_shake.yaml").model)
        let shakes = ss.nodes.filter { if case .shakeShake = $0.op { return true }; return false }
        XCTAssertEqual(shakes.count, 2)
        XCTAssertEqual(shakes[0].op, .shakeShake(ShakeShake(forward: .shake, backward: .shake, level: .image)))
        XCTAssertEqual(shakes[0].inputs.count, 3)  // shortcut + two branches
        XCTAssertEqual(shakes[0].displayKind, "shakeblock/shake_shake")
    }

    /// Each node knows the block uses it is part of, outermost first, with the use's
    /// `state_dict` prefix and the block's definition line (the code generator's block types).
    func testNodesRecordTheirBlockUses() throws {
        let ss = try XCTUnwrap(try checkFile("specs/shake_shake.yaml").model)
        let conv = try XCTUnwrap(ss.nodes.first { $0.path == "2.0.branches.1.0.1" })
        XCTAssertEqual(conv.blocks.map(\.block), ["shakeblock", "branch"])
        XCTAssertEqual(conv.blocks.map(\.path), ["2", "2.0.branches.1.0"])
        XCTAssertEqual(conv.blocks.map(\.definition.start.line), [18, 9])
        XCTAssertEqual(conv.blocks.first?.range.start.line, 32)
        XCTAssertEqual(ss.nodes.first { $0.path == "0" }?.blocks, [])
    }

    func testBlockParametersDefaultsAndArithmetic() throws {
        let (model, d) = checkYAML("""
        regula: 1
        input: [8]
        blocks:
          wide:
            params: {width: 4, factor: 2}
            layers:
              - dense: "${width * factor}"
              - dropout: "${0.1 * factor}"
        layers:
          - wide: 3
          - wide: {width: 5, factor: 3}
          - repeat: {count: 2, as: i, layers: [dense: "${max(1, 10 // (i + 1))}"]}
        """)
        XCTAssertEqual(lines(d), [])
        let m = try XCTUnwrap(model)
        XCTAssertEqual(m.nodes.map(\.path), ["", "0.0", "0.1", "1.0", "1.1", "2", "3"])
        XCTAssertEqual(m.nodes.map(\.shape), [[8], [6], [6], [15], [15], [10], [5]].map { $0.map(Dim.fixed) })
        XCTAssertEqual(m.nodes[4].op, .dropout(p: 0.1 * 3, scaling: .inverted))
    }

    func testRepeatWithZeroCountAndExpressionErrorsAndFunctions() {
        let (_, d) = checkYAML("""
        regula: 1
        input: [8]
        layers:
          - repeat: {count: 0, layers: [dense: 3]}
          - dense: "${1 / 0}"
          - repeat: {count: -1, layers: [relu]}
          - dense: "${min(4)}"
          - dense: "${floor(1, 2)}"
        """)
        XCTAssertEqual(lines(d), [
            "5:12: error: expression divides by zero",
            "6:21: error: repeat count must be a non-negative integer",
            "8:12: error: wrong number of arguments to 'floor'",
        ])
    }

    func testExpectAcceptsSymbolsAndMissingFlattenHasANote() throws {
        let (model, d) = checkYAML(spec(input: "[seq, 4]", "- dense: 6\n  expect: [seq, 6]"))
        XCTAssertEqual(lines(d), [])
        XCTAssertNotNil(model)
        let broken = try String(contentsOfFile: repoRoot + "/specs/broken/missing_flatten.yaml", encoding: .utf8)
        let diag = try XCTUnwrap(checkYAML(broken).diagnostics.first)
        XCTAssertEqual(diag.notes.first?.message, "declared in_features 1568 equals 8·14·14; insert '- flatten' before this layer")
    }

    func testNotesPointAtBothInputsOfAMismatchedAdd() throws {
        let broken = try String(contentsOfFile: repoRoot + "/specs/broken/add_mismatch.yaml", encoding: .utf8)
        let diag = try XCTUnwrap(checkYAML(broken).diagnostics.first)
        XCTAssertEqual(diag.notes.map(\.message), ["'a' is defined here", "'b' is defined here"])
        XCTAssertEqual(diag.notes.compactMap(\.range?.start.line), [4, 5])
    }

    func testGeneratedBenchmarkSpecChecksQuickly() throws {
        let text = benchmarkSpecYAML(layers: 5_000)
        let start = Date()
        let (model, d) = checkYAML(text)
        let seconds = Date().timeIntervalSince(start)
        XCTAssertEqual(lines(d), [])
        let m = try XCTUnwrap(model)
        XCTAssertGreaterThanOrEqual(m.nodes.count, 5_000)
        // Reported, not asserted: timing depends on the machine and the build mode.
        print("benchmark: parsed and checked \(m.nodes.count) nodes in \(String(format: "%.3f", seconds)) s")
    }

    func testRepeatedMistakeIsReportedOnceAndLargeRepeatsAreRefusedEarly() {
        let (_, d) = checkYAML("""
        regula: 1
        input: [4]
        blocks:
          b:
            params: [w]
            layers: [dense: "${w}", relu, relu, relu]
        layers:
          - repeat: {count: 3, layers: [b: 0]}
          - repeat: {count: 90000, layers: [b: 2]}
        """)
        XCTAssertEqual(lines(d), ["6:21: error: argument 'units' of 'dense' must be positive but is 0",
                                  "9:21: error: model expands to more than 200000 layers"])
    }

    func testHugeRepeatIsRefusedNotExpanded() {
        let (_, d) = checkYAML(spec(input: "[4]", "- repeat: {count: 1000000000, layers: [relu]}"))
        XCTAssertEqual(lines(d), ["4:21: error: model expands to more than 200000 layers"])
    }
}


final class BlockScopeTests: XCTestCase {
    func testBlockInstancesScopeTheirNamesAndInput() throws {
        let (model, d) = checkYAML("""
        regula: 1
        input: [10, 32]
        blocks:
          encoder:
            params: {heads: 4}
            layers:
              - attention: {heads: "${heads}", name: att}
              - add: {from: [input, att], name: sum}
              - layernorm: {name: ln}
              - dense: {units: 64, activation: relu}
              - dense: {units: 32, name: mlp}
              - add: {from: [ln, mlp]}
              - layernorm
        layers:
          - repeat: {count: 2, layers: [encoder: 4]}
          - encoder: {heads: 2, name: last}
          - dense: {units: 32, from: last}
        """)
        XCTAssertEqual(lines(d), [])
        let m = try XCTUnwrap(model)
        let adds = m.nodes.filter { $0.op == .add }
        XCTAssertEqual(adds.count, 6)
        // The first add of the second instance reads the first instance's output, not the model input.
        XCTAssertEqual(adds[2].inputs.first, adds[1].id + 1)
        XCTAssertEqual(adds[0].inputs.first, 0)
        XCTAssertEqual(m.parameters.first { $0.name.hasPrefix("1.att.") }?.name, "1.att.in_proj_weight")
    }

    func testNamesInsideABlockAreNotVisibleOutside() {
        let (_, d) = checkYAML("""
        regula: 1
        input: [8]
        blocks:
          b:
            layers: [dense: {units: 8, name: inner}]
        layers:
          - b
          - dense: {units: 8, from: inner}
        """)
        XCTAssertEqual(lines(d), ["8:29: error: unknown layer 'inner' in 'from'"])
    }
}
