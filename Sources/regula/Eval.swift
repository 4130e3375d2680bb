import ArgumentParser
import Foundation
import Interpreter
import Training

struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Report test loss and accuracy of a checkpoint, in evaluation mode.")

    @Argument(help: "The spec file.")
    var file: String

    @Option(help: "The model.safetensors to evaluate.")
    var checkpoint: String

    @OptionGroup var runOptions: RunOptions

    func run() throws {
        let result = try frontendOrExit(file)
        guard let model = result.model else { throw ExitCode.diagnostics }
        var options = TrainOptions()
        runOptions.apply(to: &options)
        // Here --limit bounds the test examples evaluated, not the training set.
        options.limit = nil
        options.testLimit = runOptions.limit
        do {
            let r = try Interpreter.evaluate(model: model, checkpoint: checkpoint, options: options)
            Out.print(String(format: "test: %d examples, loss %.4f, accuracy %.2f%%\n", r.count, r.loss, r.accuracy * 100))
        } catch let error as TrainError {
            Out.error(error.description + "\n")
            throw error.exitCode
        }
    }
}
