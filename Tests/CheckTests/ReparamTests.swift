import XCTest
@testable import Check

/// `weight_norm` / `spectral_norm` replace a layer's weight by the tensors PyTorch's wrappers
/// register (`torch.nn.utils.weight_norm(dim=0)`, `torch.nn.utils.spectral_norm`), so checkpoints
/// still load into the wrapped PyTorch module.
final class ReparamTests: XCTestCase {
    private func model(_ layers: String, extra: String = "") throws -> CheckedModel {
        let (m, d) = checkYAML(spec(input: "[3, 8, 8]", layers, extra: extra))
        XCTAssertEqual(lines(d), [])
        return try XCTUnwrap(m)
    }

    private func table(_ m: CheckedModel) -> [String] {
        m.parameters.map { "\($0.name) \($0.shape) \($0.role) \($0.trainable ? "trainable" : "buffer")" }
    }

    func testWeightNormNamesAndShapesFollowPyTorch() throws {
        let m = try model("- conv2d: {filters: 4, kernel: 3, weight_norm: true}\n- flatten\n- dense: {units: 5, weight_norm: true, bias: false}")
        XCTAssertEqual(table(m), [
            "0.bias [4] bias trainable",
            "0.weight_g [4, 1, 1, 1] weightGain trainable",
            "0.weight_v [4, 3, 3, 3] weight trainable",
            "2.weight_g [5, 1] weightGain trainable",
            "2.weight_v [5, 144] weight trainable",
        ])
        // weight_g adds `out` parameters per layer.
        XCTAssertEqual(summarize(m).trainable, (4 + 4 * 27 + 4) + (5 * 144 + 5))
        XCTAssertTrue(m.parameters[2].regularization.weightNorm)
        XCTAssertEqual(m.parameters[1].regularization, Regularization())
    }

    func testSpectralNormNamesAndShapesFollowPyTorch() throws {
        let m = try model("- conv2d: {filters: 4, kernel: 3}\n- flatten\n- dense: 5",
                          extra: "defaults: {spectral_norm: true, weight_decay: 0.01}\n")
        XCTAssertEqual(table(m), [
            "0.bias [4] bias trainable",
            "0.weight_orig [4, 3, 3, 3] weight trainable",
            "0.weight_u [4] spectralU buffer",
            "0.weight_v [27] spectralV buffer",
            "2.bias [5] bias trainable",
            "2.weight_orig [5, 144] weight trainable",
            "2.weight_u [5] spectralU buffer",
            "2.weight_v [144] spectralV buffer",
        ])
        XCTAssertEqual(m.parameters[1].regularization.weightDecay, 0.01)
        XCTAssertTrue(m.parameters[1].regularization.spectralNorm)
        let s = summarize(m)
        XCTAssertEqual(s.trainable, (4 + 108) + (5 + 720))
        XCTAssertEqual(s.nonTrainable, (4 + 27) + (5 + 144))
    }

    func testPlainLayersAreUnchanged() throws {
        let m = try model("- conv2d: {filters: 4, kernel: 3}\n- flatten\n- dense: {units: 5, weight_norm: false}")
        XCTAssertEqual(m.parameters.map(\.name), ["0.weight", "0.bias", "2.weight", "2.bias"])
    }

    func testBothOnOneLayerAndUnsupportedKindsAreErrors() {
        let (_, d) = checkYAML(spec(input: "[8]", "- dense: {units: 4, weight_norm: true}\n- dense: {units: 4}",
                                    extra: "defaults: {spectral_norm: true}\n"))
        XCTAssertEqual(lines(d), ["4:36: error: layer 'dense' cannot use both weight_norm and spectral_norm; choose one"])
        let (_, e) = checkYAML(spec(input: "[4, 8]", "- lstm: {units: 4}\n- flatten\n- dense: 2", extra: "defaults: {weight_norm: true}\n"))
        XCTAssertEqual(lines(e), ["4:5: error: weight_norm is not supported on 'lstm' layers yet; it applies to dense and conv2d"])
    }
}
