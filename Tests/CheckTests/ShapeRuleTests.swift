import XCTest
import TestSupport
@testable import Check

final class ShapeRuleTests: XCTestCase {
    func testWindowArithmeticMatchesPyTorch() {
        // ⌊(n + 2p − d(k−1) − 1)/s⌋ + 1; values from torch.nn.Conv2d / MaxPool2d output shapes.
        XCTAssertEqual(windowOutput(28, kernel: 3, padding: 1, stride: 1, dilation: 1, ceilMode: false), 28)
        XCTAssertEqual(windowOutput(28, kernel: 2, padding: 0, stride: 2, dilation: 1, ceilMode: false), 14)
        XCTAssertEqual(windowOutput(7, kernel: 2, padding: 0, stride: 2, dilation: 1, ceilMode: false), 3)
        XCTAssertEqual(windowOutput(7, kernel: 2, padding: 0, stride: 2, dilation: 1, ceilMode: true), 4)
        XCTAssertEqual(windowOutput(32, kernel: 3, padding: 2, stride: 1, dilation: 2, ceilMode: false), 32)
        XCTAssertEqual(windowOutput(32, kernel: 3, padding: 0, stride: 1, dilation: 3, ceilMode: false), 26)
        XCTAssertEqual(windowOutput(5, kernel: 3, padding: 1, stride: 2, dilation: 1, ceilMode: false), 3)
        // ceil mode drops a last window that would start inside the right padding: (6+2·1−3)/2 → 3.5 → 4, then 3
        XCTAssertEqual(windowOutput(6, kernel: 3, padding: 1, stride: 2, dilation: 1, ceilMode: true), 4)
        XCTAssertEqual(windowOutput(5, kernel: 2, padding: 1, stride: 2, dilation: 1, ceilMode: true), 3)
        XCTAssertEqual(windowOutput(2, kernel: 3, padding: 0, stride: 1, dilation: 1, ceilMode: false), 0)
        XCTAssertEqual(windowOutput(3, kernel: 5, padding: 0, stride: 1, dilation: 1, ceilMode: false), -1)
    }

    func testWindowArithmeticAgreesWithTheFormulaOverAGrid() {
        for n in 1...12 { for k in 1...4 { for p in 0...2 { for s in 1...3 { for d in 1...2 {
            let span = n + 2 * p - d * (k - 1) - 1
            let floorOut = Int((Double(span) / Double(s)).rounded(.down)) + 1
            XCTAssertEqual(windowOutput(n, kernel: k, padding: p, stride: s, dilation: d, ceilMode: false), floorOut)
            if span >= 0 {
                var ceilOut = Int((Double(span) / Double(s)).rounded(.up)) + 1
                if (ceilOut - 1) * s >= n + p { ceilOut -= 1 }
                XCTAssertEqual(windowOutput(n, kernel: k, padding: p, stride: s, dilation: d, ceilMode: true), ceilOut)
            }
        } } } } }
    }

    private func shapes(_ input: String, _ layers: String) throws -> [Shape] {
        let (model, d) = checkYAML(spec(input: input, layers))
        XCTAssertEqual(lines(d), [])
        return try XCTUnwrap(model).nodes.dropFirst().map(\.shape)
    }

    func testConvAndPoolShapes() throws {
        let s = try shapes("[3, 32, 32]", """
        - conv2d: {filters: 8, kernel: [3, 5], stride: [1, 2], padding: [1, 2]}
        - conv2d: {filters: 8, kernel: 3, padding: same, dilation: 2, groups: 4}
        - maxpool: {size: 3, stride: 2, ceil_mode: true}
        - avgpool: {size: 2, padding: 1}
        - upsample: 2
        - global_avgpool
        """)
        XCTAssertEqual(s, [[8, 32, 16], [8, 32, 16], [8, 16, 8], [8, 9, 5], [8, 18, 10], [8]].map { $0.map(Dim.fixed) })
    }

    func testGroupedConvWeightLayout() throws {
        let m = try XCTUnwrap(checkYAML(spec(input: "[8, 4, 4]", "- conv2d: {filters: 12, kernel: 3, groups: 4, bias: false}")).model)
        XCTAssertEqual(m.parameters.map(\.shape), [[12, 2, 3, 3]])
        XCTAssertEqual(m.parameters[0].initializer, .uniformFanIn(fanIn: 18))
    }

    func testSymbolicDimsFlowThroughShapePreservingLayers() throws {
        let s = try shapes("[seq, 16]", """
        - dense: 32
        - layernorm
        - attention: 4
        - lstm: {units: 8, return_sequences: true}
        - flatten
        """)
        XCTAssertEqual(s, [[.symbol("seq"), .fixed(32)], [.symbol("seq"), .fixed(32)], [.symbol("seq"), .fixed(32)],
                           [.symbol("seq"), .fixed(8)], [.symbol("seq·8")]])
    }

    func testSymbolicSpatialDims() throws {
        let s = try shapes("[3, h, w]", """
        - conv2d: {filters: 4, kernel: 3, padding: 1}
        - maxpool: 2
        """)
        XCTAssertEqual(s, [[.fixed(4), .symbol("h"), .symbol("w")], [.fixed(4), .symbol("(h-2)//2+1"), .symbol("(w-2)//2+1")]])
    }

    func testDenseNeedsAFixedSize() {
        let (_, d) = checkYAML(spec(input: "[seq]", "- dense: 4"))
        XCTAssertEqual(lines(d), ["4:5: error: 'dense' needs a fixed input size but the size is 'seq'"])
    }

    func testReshapeResolvesOneWildcardPerExample() throws {
        let s = try shapes("[784]", "- reshape: [-1, 28, 28]\n- flatten: 1")
        XCTAssertEqual(s, [[1, 28, 28].map(Dim.fixed), [.fixed(1), .fixed(784)]])
        let (_, d) = checkYAML(spec(input: "[784]", "- reshape: [-1, 5]"))
        XCTAssertEqual(lines(d), ["4:14: error: reshape to [-1, 5] cannot divide the 784 elements of its input [784]"])
    }

    func testConcatSumsTheAxisAndChannelsLastInputIsTransposed() throws {
        let (model, d) = checkYAML("""
        regula: 1
        input: {shape: [28, 28, 3], data_format: channels_last}
        layers:
          - conv2d: {filters: 4, kernel: 1, name: a}
          - conv2d: {filters: 6, kernel: 1, name: b, from: input}
          - concat: {from: [a, b, input]}
        """)
        XCTAssertEqual(lines(d), [])
        let m = try XCTUnwrap(model)
        XCTAssertEqual(m.input.shape, [3, 28, 28].map(Dim.fixed))
        XCTAssertTrue(m.input.channelsLast)
        XCTAssertEqual(m.nodes.last?.shape, [13, 28, 28].map(Dim.fixed))
    }

    func testSizeMismatchCarriesAFixItReplacingTheDeclaredValue() throws {
        let text = try String(contentsOfFile: repoRoot + "/specs/broken/in_features_flatten.yaml", encoding: .utf8)
        let (_, d) = checkYAML(text)
        let fix = try XCTUnwrap(d.first?.fixIts.first)
        XCTAssertEqual(fix.replacement, "1568")
        let line = text.split(separator: "\n", omittingEmptySubsequences: false)[fix.range.start.line - 1]
        let start = line.index(line.startIndex, offsetBy: fix.range.start.column - 1)
        let end = line.index(line.startIndex, offsetBy: fix.range.end.column - 1)
        XCTAssertEqual(line[start..<end], "1600")
    }

    func testEmbeddingTakesIntTokens() throws {
        let s = try shapes("{shape: [12], dtype: int32}", "- embedding: {vocab: 100, dim: 8}\n- gru: {units: 5, bidirectional: true}")
        XCTAssertEqual(s, [[12, 8].map(Dim.fixed), [.fixed(10)]])
        let (_, d) = checkYAML(spec(input: "[12]", "- embedding: {vocab: 100, dim: 8}"))
        XCTAssertEqual(lines(d), ["4:5: error: embedding expects int32 token ids but gets float32 values"])
    }
}

final class NormAxisTests: XCTestCase {
    func testNormOverTheWrongAxisExplainsWhichNormFits() throws {
        let (_, d1) = checkYAML(spec(input: "[10, 64]", "- batchnorm: 64"))
        XCTAssertEqual(lines(d1), ["4:16: error: 'batchnorm' declares 64 features but its input has 10 channels (axis 0 of [10, 64])"])
        XCTAssertEqual(d1.first?.notes.map(\.message), ["64 is the size of the last axis; 'layernorm' normalizes over the last axis"])
        let (_, d2) = checkYAML(spec(input: "[16, 8, 8]", "- layernorm: 16"))
        XCTAssertEqual(lines(d2), ["4:16: error: 'layernorm' declares shape [16] but its input has trailing dimensions [8]"])
        XCTAssertEqual(d2.first?.notes.map(\.message), ["16 is the size of the channel axis; 'batchnorm' normalizes per channel"])
    }
}

final class DefaultsTests: XCTestCase {
    func testOmittedArgumentsTakePyTorchDefaults() throws {
        let (model, d) = checkYAML(spec(input: "[4, 8, 8]", """
        - conv2d: {filters: 4, kernel: 3}
        - batchnorm
        - dropout
        - maxpool: 2
        - shakedrop: {body: [relu]}
        - shake_shake: {branches: [[relu], [relu]]}
        - softmax
        - flatten
        - layernorm
        """))
        XCTAssertEqual(lines(d), [])
        let ops = try XCTUnwrap(model).nodes.map(\.op)
        XCTAssertEqual(ops[1], .conv2d(filters: 4, kernel: [3, 3], stride: [1, 1], padding: [0, 0], dilation: [1, 1], groups: 1, bias: true))
        XCTAssertEqual(ops[2], .batchNorm(momentum: 0.1, eps: 1e-5))
        XCTAssertEqual(ops[3], .dropout(p: 0.5, scaling: .inverted))
        XCTAssertEqual(ops[4], .maxPool(size: [2, 2], stride: [2, 2], padding: [0, 0], ceilMode: false))
        XCTAssertTrue(ops.contains(.shakeDrop(ShakeDrop(p: 0.5, alpha: -1...1, beta: 0...1, level: .image))))
        XCTAssertTrue(ops.contains(.shakeShake(ShakeShake(forward: .shake, backward: .shake, level: .image))))
        XCTAssertTrue(ops.contains(.activation(.softmax, slope: 0, axis: 2)))
        XCTAssertEqual(ops.last, .layerNorm(normalizedShape: [36], eps: 1e-5))
    }
}

final class MonitorWithoutValidationTests: XCTestCase {
    /// The fix-it inserts the split in block and flow maps alike, and the fixed spec checks clean;
    /// a training metric needs no split.
    func testFixItAddsAValidationSplitThatSilencesTheError() throws {
        for data in ["data:\n  dir: ../data/mnist\n", "data: {dir: ../data/mnist}\n"] {
            let text = "regula: 1\ninput: [784]\nlayers:\n  - dense: 10\ntrain:\n  early_stopping: {patience: 2}\n" + data
            let (_, d) = checkYAML(text)
            XCTAssertEqual(d.map(\.message), ["early stopping monitors 'val_loss', which needs a validation set, but 'data' has no 'validation_split'"])
            XCTAssertEqual(d.first?.range.start.line, 6)
            let fix = try XCTUnwrap(d.first?.fixIts.first)
            let fixed = applyingEdit(text, line: fix.range.start.line, startColumn: fix.range.start.column,
                                     endColumn: fix.range.end.column, replacement: fix.replacement)
            let (model, after) = checkYAML(fixed)
            XCTAssertEqual(after.map(\.message), [], fixed)
            XCTAssertEqual(model?.training.data.validationSplit, 0.1)
        }
        let onLoss = "regula: 1\ninput: [784]\nlayers:\n  - dense: 10\ntrain:\n  early_stopping: {monitor: loss}\n"
        XCTAssertEqual(checkYAML(onLoss).1.map(\.message), [])
    }
}

final class LossTargetTests: XCTestCase {
    /// The fix-it for MSE on class ids rewrites a scalar loss or adds the key to a map; either
    /// way the fixed spec checks clean with one-hot targets.
    func testFixItAddsOneHotTargets() throws {
        for loss in ["loss: mse\n", "loss: {kind: binary_cross_entropy}\n", "loss:\n  kind: mse\n"] {
            let text = "regula: 1\ninput: [784]\nlayers:\n  - dense: 10\n" + loss
            let (_, d) = checkYAML(text)
            XCTAssertEqual(d.map(\.id), ["loss-targets"], loss)
            let fix = try XCTUnwrap(d.first?.fixIts.first, loss)
            let fixed = applyingEdit(text, line: fix.range.start.line, startColumn: fix.range.start.column,
                                     endColumn: fix.range.end.column, replacement: fix.replacement)
            let (model, after) = checkYAML(fixed)
            XCTAssertEqual(after.map(\.message), [], fixed)
            XCTAssertEqual(model?.training.loss.targets, .oneHot, fixed)
        }
    }

    /// A spec that does not train (no loss, train or data section) may end in any shape.
    func testOutputShapeIsOnlyCheckedForSpecsThatTrain() {
        let body = "regula: 1\ninput: [1, 8, 8]\nlayers:\n  - conv2d: {filters: 2, kernel: 3}\n"
        XCTAssertEqual(checkYAML(body).1.map(\.message), [])
        XCTAssertEqual(checkYAML(body + "train: {epochs: 1}\n").1.map(\.id), ["loss-output-shape"])
    }
}
