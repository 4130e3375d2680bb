import ArgumentParser
import IR

extension Mode: ExpressibleByArgument {}

struct IRCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ir",
        abstract: "Print the IR of a spec after a pass of the pipeline.",
        discussion: "Train mode runs lower → cse → autodiff → fuse → plan; inference mode runs lower → cse → inference → fuse → plan.")

    @Argument(help: "The spec file.")
    var file: String

    @Option(help: "Print the graph after this pass (default: the last one).")
    var after: String?

    @Option(help: "Pipeline mode: train or inference.")
    var mode: Mode = .train

    @Option(help: "Plan buffers for this batch size instead of the spec's batch_size.")
    var batchSize: Int?

    @Flag(help: "Skip elementwise fusion.")
    var noFuse = false

    func run() throws {
        let result = try frontendOrExit(file)
        guard let model = result.model else { throw ExitCode.diagnostics }
        var pipeline = Pipeline(mode: mode, printAfter: after, batchSize: batchSize)
        pipeline.fusion = !noFuse
        if pipeline.printAfter == nil { pipeline.printAfter = pipeline.passNames.last }
        do {
            _ = try pipeline.run(model, print: { Out.print($0) })
        } catch let error as PipelineError {
            Out.error("error: \(error.description)\n")
            throw ExitCode.io
        }
    }
}
