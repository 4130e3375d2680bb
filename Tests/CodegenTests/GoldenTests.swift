import Codegen
import XCTest

/// The generated sources, pinned (re-record with REGULA_RECORD=1), and their determinism.
final class GoldenTests: XCTestCase {
    func testMLPPackage() throws {
        assertSnapshot(render(try generate("mnist_mlp.yaml")), named: "mnist_mlp")
    }

    func testCNNPackage() throws {
        assertSnapshot(render(try generate("mnist_cnn.yaml")), named: "mnist_cnn")
    }

    func testResidualPackage() throws {
        assertSnapshot(render(try generate("resnet_stochastic_depth.yaml")), named: "resnet_stochastic_depth")
    }

    func testInferencePackageFoldsBatchNorm() throws {
        let p = try generate("mnist_cnn.yaml", inference: true)
        assertSnapshot(render(p), named: "mnist_cnn_inference")
        let model = try XCTUnwrap(p.files["Sources/MnistCnn/Model.swift"])
        XCTAssertFalse(model.contains("func trainStep"))
        XCTAssertFalse(model.contains("BatchNorm.forwardTraining"))
        XCTAssertNil(p.files["Sources/MnistCnn/Trainer.swift"])
    }

    func testSameSpecGivesByteIdenticalFiles() throws {
        for spec in ["mnist_mlp.yaml", "mnist_cnn.yaml"] {
            XCTAssertEqual(try generate(spec), try generate(spec), spec)
        }
    }

    func testManifestDependsOnTheRuntimeOnly() throws {
        let local = try XCTUnwrap(try generate("mnist_mlp.yaml", runtimePath: "/opt/regula").files["Package.swift"])
        XCTAssertTrue(local.contains(#".package(name: "Regula", path: "/opt/regula")"#))
        XCTAssertTrue(local.contains(#".product(name: "RegulaRuntime", package: "Regula")"#))
        XCTAssertTrue(local.contains(#"Context.environment["REGULA_TARGET_CPU"] ?? "native""#))
        let remote = try XCTUnwrap(try generate("mnist_mlp.yaml", runtimePath: nil).files["Package.swift"])
        XCTAssertTrue(remote.contains(".package(url: \"\(CompileOptions.defaultRuntimeURL)\", revision: \"\(CompileOptions.defaultRuntimeVersion)\")"))
    }

    func testUnsupportedOpIsAClearError() throws {
        XCTAssertThrowsError(try generate("lstm_classifier.yaml")) { error in
            let text = "\(error)"
            XCTAssertTrue(text.hasPrefix("regula compile does not support"), text)
            XCTAssertTrue(text.hasSuffix("yet"), text)
        }
    }
}
