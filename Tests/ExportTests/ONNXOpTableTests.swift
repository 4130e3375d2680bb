import Check
import Diagnostics
import Driver
@testable import Export
import Foundation
import IR
import Runtime
import XCTest

/// The op table against every inference graph Regula makes: each op either lowers or is
/// refused with a diagnostic at its layer, and the refusal reads as the golden text says.
final class ONNXOpTableTests: XCTestCase {
    /// Every good spec (CIFAR-10's too: no data is read) exports with stand-in weights, or is
    /// refused only by `onnx-unsupported-op` errors at a layer's line.
    func testEveryInferenceGraphOpMapsOrIsRefused() throws {
        var exported: [String] = [], refused: [String] = []
        for spec in try goodSpecs() {
            let (model, path) = try checked(spec)
            let g = try ONNXExport.inferenceGraph(model)
            let steps = ExportStep.flatten(g)
            let logits = try XCTUnwrap(g.output(.logits), spec)
            for i in ExportStep.slice(steps, from: logits).steps {
                switch onnxRule(steps[i].op) {
                case .lower: break
                case .refuse(let why): XCTAssertFalse(why.isEmpty, spec)
                }
            }
            let r = try ONNXExport.export(graph: g, weights: standInWeights(g), specPath: path, producerVersion: "0.1.0")
            let name = ((spec as NSString).lastPathComponent as NSString).deletingPathExtension
            if let m = r.model {
                XCTAssertTrue(r.diagnostics.isEmpty, spec)
                XCTAssertEqual(m.graph.outputs.map(\.name), ["logits"], spec)
                XCTAssertEqual(m.graph.inputs.map(\.name), ["input"], spec)
                XCTAssertFalse(m.serialized.isEmpty)
                if name == "mnist_cnn" {
                    XCTAssertEqual(m.metadata.first { $0.key == "input_normalization" }?.value, "input = (x / 255 - 0.5) / 0.5")
                }
                if name == "embedding_pixels" {   // token ids are not scaled
                    XCTAssertNil(m.metadata.first { $0.key == "input_normalization" })
                }
                exported.append(name)
            } else {
                XCTAssertFalse(r.diagnostics.isEmpty, spec)
                for d in r.diagnostics {
                    XCTAssertEqual(d.id, "onnx-unsupported-op", spec)
                    XCTAssertEqual(d.severity, .error, spec)
                    XCTAssertEqual(d.range.file, path, spec)
                    XCTAssertGreaterThan(d.range.start.line, 1, spec)
                }
                refused.append(name)
            }
        }
        XCTAssertEqual(refused, ["lstm_classifier"])
        XCTAssertGreaterThanOrEqual(exported.count, 29)
    }

    /// Ops that only training graphs hold are refused, not lowered, should one ever reach the exporter.
    func testTrainingOnlyOpsAreRefused() {
        let key = RngKey(0)
        let ops: [Op] = [.accuracy, .mseLoss, .batchNormTrain(eps: 1e-5), .dropout(p: Rate(0.5), scaling: .inverted, key: key),
                         .activationBackward(.relu, slope: 0, axis: 1), .matmul(transA: true, transB: false), .split(axis: 1, sizes: [1, 1])]
        for op in ops {
            guard case .refuse = onnxRule(op) else { return XCTFail("\(op) should be refused") }
        }
    }

    /// The refusal as the user sees it: the layer, its kind and the reason, at the layer's line.
    func testRefusalDiagnosticText() throws {
        let text = """
            regula: 1
            model: seq
            input: {shape: [28, 28]}
            layers:
              - lstm: {units: 32, zoneout: 0.1}
              - dense: 10
            loss: cross_entropy
            """
        let source = SourceFile(path: "specs/seq.yaml", text: text)
        let model = try XCTUnwrap(Frontend.run(source: source).model, "\(Frontend.run(source: source).diagnostics)")
        let g = try ONNXExport.inferenceGraph(model)
        let r = try ONNXExport.export(graph: g, weights: standInWeights(g), specPath: source.path, producerVersion: "0.1.0")
        XCTAssertNil(r.model)
        XCTAssertEqual(DiagnosticRenderer.text(r.diagnostics, sources: [source.path: source]), """
            specs/seq.yaml:5:5: error: layer '0' (lstm) cannot be exported to ONNX: zoneout at evaluation mixes every state with the previous one (z·hₜ₋₁ + (1−z)·h̃ₜ), which ONNX's LSTM and GRU cannot express
              - lstm: {units: 32, zoneout: 0.1}
                ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~

            """)
    }

    /// Zeros (ones for variances) in every parameter's shape: enough to build the model.
    private func standInWeights(_ g: Graph) -> [String: SafeTensor] {
        var w: [String: SafeTensor] = [:]
        for p in g.state.compactMap(\.param) {
            let count = p.shape.reduce(1, *)
            w[p.name] = SafeTensor(floats: [Float](repeating: p.name.hasSuffix("running_var") ? 1 : 0, count: count), shape: p.shape)
        }
        return w
    }
}
