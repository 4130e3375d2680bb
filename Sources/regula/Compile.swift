import ArgumentParser
import Codegen
import Driver

/// `regula compile SPEC -o DIR`: writes a Swift package that trains the spec's model on the
/// runtime library alone.
struct Compile: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Generate a Swift package that trains (or, with --inference, evaluates) the spec's model.",
        discussion: """
            The package depends only on Regula's RegulaRuntime library: on a local checkout with \
            --runtime-path, otherwise on --runtime-url from version --runtime-version. Build it with \
            `swift run -c release`; it accepts --data, --epochs, --seed, --threads and --out like `regula train`.
            """)

    @Argument(help: "The spec file.")
    var file: String

    @Option(name: .shortAndLong, help: "The folder to write the package to.")
    var output: String

    @Option(help: "Depend on the Regula checkout at this path (a local path dependency).")
    var runtimePath: String?

    @Option(help: "The Regula package URL to depend on when --runtime-path is not given.")
    var runtimeURL: String = CompileOptions.defaultRuntimeURL

    @Option(help: "The minimum Regula version to depend on when --runtime-path is not given.")
    var runtimeVersion: String = CompileOptions.defaultRuntimeVersion

    @Flag(help: "Emit inference-only code (batchnorm folded, dropout removed) that evaluates a checkpoint.")
    var inference = false

    func run() throws {
        let result = try frontendOrExit(file)
        guard let model = result.model else { throw ExitCode.diagnostics }
        let options = CompileOptions(runtimePath: runtimePath, runtimeURL: runtimeURL, runtimeVersion: runtimeVersion,
                                     inference: inference)
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
