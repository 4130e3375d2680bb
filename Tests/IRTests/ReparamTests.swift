import Check
import Diagnostics
import Syntax
import TestSupport
import XCTest
@testable import IR

/// Weight and spectral normalization in the IR: lowering, autodiff and inference (§4.3, §4.4).
final class ReparamTests: XCTestCase {
    func checked(_ name: String) throws -> CheckedModel { try checkedSpec(name) }

    func testGolden() throws {
        for name in ["mlp_weight_norm", "mlp_spectral_norm"] {
            let model = try checked(name + ".yaml")
            assertSnapshot(render(lower(model)), named: "spec.\(name).lower.txt")
            assertSnapshot(render(try Pipeline(mode: .train).run(model) { _ in }), named: "spec.\(name).train.txt")
            assertSnapshot(render(try Pipeline(mode: .inference).run(model) { _ in }), named: "spec.\(name).inference.txt")
        }
    }

    /// DropConnect (`dropconnect` on dense) and weight drop (`weight_drop` on a GRU) are inverted
    /// dropout on the weight the layer reads, each with its own random stream: on the dense kernel,
    /// on the GRU's hidden-to-hidden weights only; training masks the weight gradient with the same
    /// stream; inference has neither.
    func testDropConnectAndWeightDropDropTheWeightInUse() throws {
        let (spec, _) = parseYAML(SourceFile(path: "x.yaml", text: """
        regula: 1
        input: [6, 5]
        layers:
          - gru: {units: 4, return_sequences: true, weight_drop: 0.25}
          - flatten
          - dense: {units: 3, dropconnect: 0.5}
        """))
        let (model, d) = check(try XCTUnwrap(spec), options: CheckOptions(physicalMemory: 1 << 40))
        let m = try XCTUnwrap(model, "\(d.map(\.message))")
        let g = lower(m)
        let dropped = g.nodes.compactMap { n -> (Double, String)? in
            guard case .dropout(let p, _, _) = n.op, let w = g.inputs.first(where: { $0.value == n.inputs[0] })?.param else { return nil }
            return (p.value, w.name)
        }
        XCTAssertEqual(dropped.map(\.1), ["0.weight_hh_l0", "2.weight"])
        XCTAssertEqual(dropped.map(\.0), [0.25, 0.5])
        let keys = g.nodes.flatMap(\.op.rngKeys)
        XCTAssertEqual(Set(keys).count, keys.count, "one stream per mask")
        let train = try Pipeline(mode: .train).run(m) { _ in }
        let backward = train.nodes.flatMap { [$0.op] + $0.epilogue.map(\.op) }.filter { if case .dropoutBackward = $0 { return true }; return false }
        XCTAssertEqual(backward.count, 2, "as ops or fused epilogue steps")
        let inference = try Pipeline(mode: .inference).run(m) { _ in }
        XCTAssertFalse(inference.nodes.contains { $0.op.isStochastic })
    }

    /// The layer multiplies by the reparametrized weight, never by the stored tensor directly.
    func testLoweringInsertsTheReparametrizationBeforeTheWeightIsUsed() throws {
        let g = lower(try checked("mlp_weight_norm.yaml"))
        let wn = g.nodes.enumerated().filter { $0.element.op == .weightNorm }
        XCTAssertEqual(wn.count, 2)
        for (at, n) in wn {
            let reader = try XCTUnwrap(g.nodes.firstIndex { $0.inputs.contains(n.outputs[0]) })
            XCTAssertGreaterThan(reader, at)
            XCTAssertEqual(g.nodes[reader].op, .matmul(transA: false, transB: true))
        }
        let names = g.inputs.compactMap { $0.param?.name }
        XCTAssertFalse(names.contains("0.weight"))
        XCTAssertTrue(names.contains("0.weight_g") && names.contains("0.weight_v"))
    }

    /// Training: the power iteration feeds spectral_norm and its result is written back by an
    /// effect; no gradient flows into u or v. Inference: no iteration, no effect, stored u, v.
    func testSpectralNormTrainAndInference() throws {
        let model = try checked("mlp_spectral_norm.yaml")
        let train = try Pipeline(mode: .train).run(model) { _ in }
        XCTAssertEqual(verify(train), [])
        XCTAssertEqual(train.nodes.filter { if case .powerIteration = $0.op { return true }; return false }.count, 2)
        XCTAssertEqual(train.nodes.filter { $0.op == .spectralNormUpdate }.count, 2)
        XCTAssertEqual(train.nodes.filter { $0.op == .spectralNormBackward }.count, 2)
        XCTAssertFalse(train.outputs.contains { $0.kind == .gradient("0.weight_u") || $0.kind == .gradient("0.weight_v") })
        XCTAssertTrue(train.outputs.contains { $0.kind == .gradient("0.weight_orig") })

        let eval = try Pipeline(mode: .inference).run(model) { _ in }
        XCTAssertEqual(verify(eval), [])
        XCTAssertFalse(eval.nodes.contains { if case .powerIteration = $0.op { return true }; return $0.op.isEffect })
        let sn = eval.nodes.filter { $0.op == .spectralNorm }
        XCTAssertEqual(sn.count, 2)
        let buffers = Set(eval.inputs.filter { if case .buffer = $0.kind { return true }; return false }.map(\.value))
        for n in sn { XCTAssertTrue(buffers.contains(n.inputs[1]) && buffers.contains(n.inputs[2])) }
        // Computed once per load: the normalized weights depend on parameters only.
        let once = eval.parameterOnlyNodes()
        for (i, n) in eval.nodes.enumerated() where n.op == .spectralNorm { XCTAssertTrue(once.contains(i)) }
    }

    func testShapeRulesRejectMismatchedOperands() {
        let v = TensorType.f32([.fixed(4), .fixed(3)])
        XCTAssertNotNil(try? Op.weightNorm.outputTypes([v, .f32([.fixed(4), .fixed(1)])]).get())
        XCTAssertNil(try? Op.weightNorm.outputTypes([v, .f32([.fixed(4)])]).get())
        XCTAssertNil(try? Op.spectralNorm.outputTypes([v, .f32([.fixed(3)]), .f32([.fixed(3)])]).get())
        XCTAssertNotNil(try? Op.spectralNorm.outputTypes([v, .f32([.fixed(4)]), .f32([.fixed(3)])]).get())
        XCTAssertNil(try? Op.powerIteration(iterations: 0).outputTypes([v, .f32([.fixed(4)]), .f32([.fixed(3)])]).get())
    }
}
