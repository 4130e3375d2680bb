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

    /// Nested blocks (`shakeblock` holds two `branch` uses), methods where the uses agree.
    func testNestedBlocksPackage() throws {
        assertSnapshot(render(try generate("shake_shake.yaml")), named: "shake_shake.txt")
    }

    func testInferencePackageFoldsBatchNorm() throws {
        let p = try generate("mnist_cnn.yaml", inference: true)
        assertSnapshot(render(p), named: "mnist_cnn_inference.txt")
        let model = try XCTUnwrap(p.files["Sources/MnistCnn/Model.swift"])
        XCTAssertFalse(model.contains("func trainStep"))
        XCTAssertFalse(model.contains("BatchNorm.forwardTraining"))
        XCTAssertNil(p.files["Sources/MnistCnn/Trainer.swift"])
    }

    /// Scheduled penalty strengths: the penalty ops read the model's table of scheduled values
    /// (λ once per step, as Float(λ) where `regula train` converts it), each scheduled decay names
    /// its slot for the optimizer, and the recipe carries one schedule per slot
    /// (`ConformanceTests` with REGULA_CONFORMANCE_SPECS=mlp_scheduled_penalty.yaml runs it).
    func testScheduledPenaltiesReadTheTable() throws {
        let p = try generate("mlp_scheduled_penalty.yaml")
        let model = try XCTUnwrap(p.files["Sources/MlpScheduledPenalty/Model.swift"])
        let recipe = try XCTUnwrap(p.files["Sources/MlpScheduledPenalty/Recipe.swift"])
        let slots = try checkedSpec("mlp_scheduled_penalty.yaml").scheduledArguments.map(\.argument)
        XCTAssertEqual(slots, ["0.weight l2", "0.weight weight_decay", "3.weight l2", "3.weight spectral_penalty", "3.weight weight_decay",
                               "out.weight l1", "out.weight l2", "out.weight weight_decay"])
        for (i, name) in slots.enumerated() {
            switch name.split(separator: " ")[1] {
            case "l1": XCTAssertTrue(model.contains("Float(scheduled[\(i)] * s)") && model.contains("let l = Float(scheduled[\(i)])"), name)
            case "l2": XCTAssertTrue(model.contains("Float(scheduled[\(i)] * s)") && model.contains("let c = Float(2 * scheduled[\(i)])"), name)
            case "spectral_penalty":
                XCTAssertTrue(model.contains("SpectralPenalty.penalty(lambda: scheduled[\(i)],") && model.contains("SpectralPenalty.gradient(lambda: scheduled[\(i)],"), name)
            default: XCTAssertTrue(model.contains("weightDecay: 0.05, weightDecaySlot: \(i))"), name)
            }
        }
        XCTAssertTrue(recipe.contains("ValueSchedule(.cosine(from: 0.0001, to: 0.0, start: 0, length: 3), unit: .epochs),"), recipe)
        XCTAssertEqual(recipe.components(separatedBy: "ValueSchedule(").count - 1, slots.count, recipe)
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

    /// MSE and BCE are emitted (no longer refused): the loader turns the class ids into one-hot
    /// rows in place (as `regula train`'s does) and the step calls the runtime's loss kernels, the ones `regula train` calls;
    /// a single sigmoid output takes the id itself as target, so its labels are checked as 2 classes.
    func testRegressionLossesCallTheRuntimeKernels() throws {
        let mse = render(try generate("mlp_mse.yaml"))
        XCTAssertTrue(mse.contains("loader.fill(batch: batch, inputs: trainInput, targetRows: UnsafeMutableRawPointer(trainLabels), classes: 10)"), mse)
        XCTAssertTrue(mse.contains("= MeanSquaredError.loss(count: n * 10, predictions:"), mse)
        XCTAssertTrue(mse.contains("MeanSquaredError.backward(count: n * 10, predictions:"), mse)
        XCTAssertTrue(mse.contains("classes: 10,"), mse)

        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("regula-codegen-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("binary.yaml").path
        let text = "regula: 1\nmodel: binary\ninput: [4]\nlayers:\n  - dense: {units: 1, activation: sigmoid}\n"
            + "loss: {kind: binary_cross_entropy, targets: one_hot}\ntrain:\n  optimizer: {kind: sgd, lr: 0.1}\n"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let binary = render(try generate(path))
        XCTAssertTrue(binary.contains("targetRows: UnsafeMutableRawPointer(trainLabels), classes: 1)"), binary)
        XCTAssertTrue(binary.contains("= BinaryCrossEntropy.loss(count: n, probabilities:"), binary)
        XCTAssertTrue(binary.contains("BinaryCrossEntropy.backward(count: n, probabilities:"), binary)
        XCTAssertTrue(binary.contains("classes: 2,"), binary)
    }

    /// int32 token inputs: the loader's floats are staged apart and converted into the int32
    /// input each step, never normalized; embedding dropout is spatial dropout over the table's
    /// rows (one draw per row, not per example), read from the parameter itself.
    func testEmbeddingReadsTokenIDs() throws {
        let a = render(try generate("embedding_pixels.yaml"))
        XCTAssertEqual(a, render(try generate("embedding_pixels.yaml")))
        XCTAssertTrue(a.contains("private let trainTokens = Arena(floats: \(128 * 784))"), a)
        XCTAssertTrue(a.contains("var trainInput: UnsafeMutablePointer<Float> { trainTokens.floats }"), a)
        XCTAssertTrue(a.contains("TokenIDs.convert(trainTokens.floats, into: UnsafeMutableRawPointer(t0).assumingMemoryBound(to: Int32.self), count: n * 784)"), a)
        XCTAssertTrue(a.contains("TokenIDs.convert(evalTokens.floats,"), a)
        XCTAssertTrue(a.contains("Embedding.forward(count: n * 784, dim: 4, vocabulary: 256, table:"), a)
        XCTAssertTrue(a.contains("Embedding.backward(count: n * 784, dim: 4, vocabulary: 256, indices:"), a)
        XCTAssertTrue(a.contains("SpatialDropout.apply(embedding1Weight.data, t8, planes: 256, length: 4, p: 0.1,"), a)
        XCTAssertTrue(a.contains("tokenVocabulary: 256,"), a)
        XCTAssertTrue(a.contains("normalization: Normalization(scale: 1.0, mean: 0.0, std: 1.0)"), a)
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
