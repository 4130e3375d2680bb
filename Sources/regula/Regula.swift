import ArgumentParser
import Foundation

/// The `regula` command. Subcommands are thin: parse options, call the driver, map the result to
/// an exit code (0 clean, 1 diagnostics with errors, 2 usage or I/O problems).
@main
struct Regula: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "regula",
        abstract: "A declarative model-spec compiler for neural networks and their regularization.",
        version: Regula.version,
        subcommands: [
            Lint.self, Summary.self, Convert.self, Fmt.self, Schema.self, Kinds.self, IRCommand.self, Train.self, Sweep.self, Eval.self, Bench.self, Compile.self,
            ExportCommand.self, ReportCommand.self, LSP.self,
        ]
    )

    /// Regula's version, for `--version`, SARIF output and exported models' metadata.
    static let version = "0.1.0"

    /// ArgumentParser exits 64 on usage errors; Regula promises 2.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}
