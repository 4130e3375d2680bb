import ArgumentParser
import Codegen
import Driver

/// `regula compile SPEC -o DIR`: writes a Swift package that trains the spec's model with
/// Regula's runtime and training libraries.
struct Compile: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Generate a Swift package that trains (or, with --inference, evaluates) the spec's model.",
        discussion: """
            The package holds the model (Model.swift), the spec's training settings (Recipe.swift) and a \
            short main.swift; the training loop is Regula's own RegulaTraining library, the one `regula train` \
            runs, so both train to the same weights. It depends on the checkout at --runtime-path \
            (default: the checkout this regula was built from, when it exists), or, with --runtime-url or \
            --runtime-version, on that package URL at that release tag (pinned by revision: SwiftPM \
            refuses version-range dependencies with the runtime's -target-cpu flags). Build and run it with \
            `swift run -c release`; it takes `regula train`'s options (--help lists them) and writes the \
            same run folder.
            """)

    @Argument(help: "The spec file.")
    var file: String

    @Option(name: .shortAndLong, help: "The folder to write the package to.")
    var output: String

    @Option(help: "Depend on the Regula checkout at this path (a local path dependency).")
    var runtimePath: String?

    @Option(help: "Depend on this Regula package URL instead of a local checkout (default \(CompileOptions.defaultRuntimeURL)).")
    var runtimeURL: String?

    @Option(help: "The Regula release tag to depend on with a URL, pinned by revision (default \(CompileOptions.defaultRuntimeVersion)).")
    var runtimeVersion: String?

    @Flag(help: "Emit inference-only code (batchnorm folded, dropout removed) that evaluates a checkpoint.")
    var inference = false

    func run() throws {
        let result = try frontendOrExit(file)
        guard let model = result.model else { throw ExitCode.diagnostics }
        let remote = runtimeURL != nil || runtimeVersion != nil
        let options = CompileOptions(runtimePath: runtimePath ?? (remote ? nil : buildCheckoutRoot()),
                                     runtimeURL: runtimeURL ?? CompileOptions.defaultRuntimeURL,
                                     runtimeVersion: runtimeVersion ?? CompileOptions.defaultRuntimeVersion,
                                     inference: inference, dataDirectory: Driver.dataDirectory(of: model))
        do {
            let package = try compileSpec(model, specPath: file, output: output, options: options)
            Out.print("wrote \(package.files.count) files to \(output)\n")
        } catch let error as CodegenError {
            Out.error("error: \(error.description)\n")
            throw ExitCode.diagnostics
        } catch let error as DriverError {
            Out.error("error: \(error.message)\n")
            throw ExitCode.io
        }
    }
}
