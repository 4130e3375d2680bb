import TestSupport
import XCTest

/// Weight and spectral normalization are generated, not dropped: the registration-time values
/// (g = ‖v‖, u and v after 15 power iterations) and the per-step reparametrization appear in
/// the training step, and the inference pass uses the stored statistics. Their losses against
/// the interpreter are checked by the slow conformance tests.
final class ReparamTests: XCTestCase {
    func testWeightNormIsGenerated() throws {
        let model = try XCTUnwrap(try generate("mlp_weight_norm.yaml").files["Sources/MlpWeightNorm/Model.swift"])
        XCTAssertTrue(model.contains("WeightNorm.initialGain(rows: 256, cols: 784, v: dense1WeightV.data, g: dense1WeightG.data)"), model)
        XCTAssertTrue(model.contains("WeightNorm.forward("))
        XCTAssertTrue(model.contains("WeightNorm.backward("))
        XCTAssertNoThrow(try generate("mlp_weight_norm.yaml", inference: true))
    }

    func testSpectralNormIsGenerated() throws {
        assertSnapshot(render(try generate("mlp_spectral_norm.yaml")), named: "mlp_spectral_norm.txt")
        let infer = try XCTUnwrap(try generate("mlp_spectral_norm.yaml", inference: true).files["Sources/MlpSpectralNorm/Model.swift"])
        XCTAssertTrue(infer.contains("SpectralNorm.forward("))
        XCTAssertFalse(infer.contains("powerIteration(rows: 256, cols: 784, w: dense1WeightOrig.data, u: e"), "no power iteration at eval")
    }
}
