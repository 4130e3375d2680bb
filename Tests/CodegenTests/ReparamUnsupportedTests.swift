import XCTest

/// Until the code generator emits weight and spectral normalization, `regula compile` on a spec
/// that uses them must refuse with a clear diagnostic rather than emit code that trains without them.
final class ReparamUnsupportedTests: XCTestCase {
    func testWeightAndSpectralNormAreRefusedNotDropped() throws {
        for (spec, op) in [("mlp_weight_norm.yaml", "weight_norm"), ("mlp_spectral_norm.yaml", "power_iteration")] {
            for inference in [false, true] {
                XCTAssertThrowsError(try generate(spec, inference: inference), spec) { error in
                    let text = "\(error)"
                    XCTAssertTrue(text.hasPrefix("regula compile does not support"), text)
                    XCTAssertTrue(text.contains(inference && op == "power_iteration" ? "spectral_norm" : op), text)
                }
            }
        }
    }
}
