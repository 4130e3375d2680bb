import ArgumentParser
import Check
import Driver

struct Summary: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print each layer's output shape, parameter count and regularization.")

    @Argument(help: "The spec file.")
    var file: String

    @Flag(help: "List every parameter tensor (state_dict name, shape, resolved regularization).")
    var params = false

    func run() throws {
        let result = try frontendOrExit(file)
        guard let model = result.model else { throw ExitCode.diagnostics }
        let summary = summarize(model)
        Out.print(params ? renderParams(summary) : renderSummary(summary))
    }
}
