import Codegen
import Driver
import Foundation
import TestSupport
import XCTest

/// The generated sources, pinned (re-record with REGULA_RECORD=1), and their determinism.
final class GoldenTests: XCTestCase {
    func testMLPPackage() throws {
        assertSnapshot(render(try generate("mnist_mlp.yaml")), named: "mnist_mlp.txt")
    }

    func testCNNPackage() throws {
        assertSnapshot(render(try generate("mnist_cnn.yaml")), named: "mnist_cnn.txt")
    }

    func testResidualPackage() throws {
        assertSnapshot(render(try generate("resnet_stochastic_depth.yaml")), named: "resnet_stochastic_depth.txt")
    }

    func testInferencePackageFoldsBatchNorm() throws {
        let p = try generate("mnist_cnn.yaml", inference: true)
        assertSnapshot(render(p), named: "mnist_cnn_inference.txt")
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
        // An MSE loss (no emitter yet); LSTM, the previous example here, is now emitted.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("regula-codegen-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("mse.yaml").path
        let text = "regula: 1\nmodel: mse\ninput: [4]\nlayers:\n  - dense: 3\nloss: {kind: mse, targets: one_hot}\ntrain:\n  optimizer: {kind: sgd, lr: 0.1}\n"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let r = try Frontend.run(path: path)
        let model = try XCTUnwrap(r.model, "\(r.diagnostics)")
        XCTAssertThrowsError(try compilePackage(model, source: SpecSource(path: path, text: text), options: CompileOptions(runtimePath: "RUNTIME"))) { error in
            let text = "\(error)"
            XCTAssertTrue(text.hasPrefix("regula compile does not support"), text)
            XCTAssertTrue(text.hasSuffix("yet"), text)
        }
    }

    /// The recurrent layers are emitted as calls into the runtime's shared `RecurrentLayer`
    /// (no copy of the interpreter's driver), deterministically.
    func testLSTMIsEmittedThroughTheSharedRuntimeLayer() throws {
        let a = render(try generate("lstm_classifier.yaml")), b = render(try generate("lstm_classifier.yaml"))
        XCTAssertEqual(a, b)
        XCTAssertTrue(a.contains("layer.forward(x: t0,"), a)
        XCTAssertTrue(a.contains("layer.backward(dy:"), a)
        XCTAssertTrue(a.contains("dropout: 0.25, recurrentDropout: 0.25, zoneout: 0.1,"), a)
        XCTAssertTrue(a.contains("private let scratch = ScratchBuffers()"), a)
    }
}
