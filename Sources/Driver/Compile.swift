import Check
import Codegen
import Foundation

/// `regula compile`: generates the Swift package for a checked spec and writes it to `output`.
///
/// - Parameters:
///   - model: the front end's checked model.
///   - specPath: the spec's path (its base name and lines appear in the generated comments).
/// - Throws: `CodegenError` for ops or features the generator does not support yet,
///   `DriverError` when the folder cannot be written.
public func compileSpec(_ model: CheckedModel, specPath: String, output: String, options: CompileOptions) throws -> GeneratedPackage {
    let text = (try? String(contentsOfFile: specPath, encoding: .utf8)) ?? ""
    let package = try compilePackage(model, source: SpecSource(path: specPath, text: text), options: options)
    do {
        try package.write(to: output)
    } catch {
        throw DriverError("cannot write the package to \(output): \(error.localizedDescription)")
    }
    return package
}

/// The absolute folder of the spec's training data (where `regula train` would read it), so a
/// generated program finds the data wherever it runs; nil when the spec names no files.
public func dataDirectory(of model: CheckedModel) -> String? {
    guard let train = model.training.data.trainInputs else { return nil }
    var url = URL(fileURLWithPath: train, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
    url = url.deletingLastPathComponent().standardizedFileURL
    return url.path
}

/// The Regula checkout this `regula` was built from, if it is still there: the default runtime
/// for `regula compile`, so a package generated in a fresh clone builds against that clone
/// without network access or a published release.
public func buildCheckoutRoot() -> String? {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let manifest = root.appendingPathComponent("Package.swift").path
    guard let text = try? String(contentsOfFile: manifest, encoding: .utf8), text.contains("RegulaRuntime") else { return nil }
    return root.path
}
