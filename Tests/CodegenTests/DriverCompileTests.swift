import Check
import Codegen
import Diagnostics
import Driver
import Foundation
import XCTest

/// `compileSpec` (what `regula compile` runs): files on disk, byte-identical across runs, and
/// clear errors for what the generator does not support.
final class DriverCompileTests: XCTestCase {
    func testWritesTheSameBytesTwice() throws {
        let model = try checkedSpec("mnist_cnn.yaml")
        let spec = repoRoot + "/specs/mnist_cnn.yaml"
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("regula-compile-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: base) }
        let a = base.appendingPathComponent("a").path, b = base.appendingPathComponent("b").path
        let options = CompileOptions(runtimePath: repoRoot, dataDirectory: dataDirectory(of: model))
        let package = try compileSpec(model, specPath: spec, output: a, options: options)
        _ = try compileSpec(model, specPath: spec, output: b, options: options)
        XCTAssertEqual(Set(package.files.keys), ["Package.swift", "Sources/MnistCnn/main.swift", "Sources/MnistCnn/Model.swift",
                                                 "Sources/MnistCnn/Recipe.swift"])
        for path in package.files.keys {
            let x = try Data(contentsOf: URL(fileURLWithPath: a + "/" + path))
            let y = try Data(contentsOf: URL(fileURLWithPath: b + "/" + path))
            XCTAssertEqual(x, y, path)
            XCTAssertEqual(String(decoding: x, as: UTF8.self), package.files[path])
        }
        // The generated trainer looks for the data where `regula train` reads it.
        XCTAssertEqual(dataDirectory(of: model), URL(fileURLWithPath: repoRoot + "/data/mnist").standardizedFileURL.path)
    }

    /// Early stopping and reduce-on-plateau run in the shared loop: the recipe carries them.
    func testEarlyStoppingAndPlateauReachTheRecipe() throws {
        let text = """
        regula: 1
        model: stops
        input: [4]
        layers:
          - dense: 3
        loss: cross_entropy
        train:
          optimizer: {kind: sgd, lr: 0.1}
          batch_size: 2
          epochs: 1
          early_stopping: {monitor: loss, patience: 1, min_delta: 0.01, restore_best: true}
          schedule: {kind: plateau, monitor: loss, factor: 0.5, patience: 2}

        """
        let r = Frontend.run(source: SourceFile(path: "stops.yaml", text: text))
        let model = try XCTUnwrap(r.model, "\(r.diagnostics.map(\.message))")
        let p = try compilePackage(model, source: SpecSource(path: "stops.yaml", text: text), options: CompileOptions())
        let recipe = try XCTUnwrap(p.files["Sources/Stops/Recipe.swift"])
        XCTAssertTrue(recipe.contains(#"earlyStopping: EarlyStoppingRecipe(monitor: "loss", patience: 1, minDelta: 0.01, restoreBest: true, maximize: false)"#), recipe)
        XCTAssertTrue(recipe.contains(#"schedule: .reduceOnPlateau(monitor: "loss", factor: 0.5, patience: 2, threshold: 0.0001, cooldown: 0, minLR: 0.0)"#), recipe)
    }
}
