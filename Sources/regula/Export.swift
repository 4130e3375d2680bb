import ArgumentParser
import Driver
import Export
import Foundation

/// `regula export FORMAT ...`: one subcommand per target format, so `export pytorch` can sit
/// beside `export onnx`.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export a spec's trained model to another framework's format.",
        subcommands: [ExportONNX.self, ExportPyTorch.self])
}

/// `regula export onnx SPEC --checkpoint F -o model.onnx`.
struct ExportONNX: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "onnx",
        abstract: "Write the model's inference graph with trained weights as an ONNX file (opset 17).",
        discussion: """
            The model takes 'input' (a batch after data.normalize, with a symbolic batch dimension N) and \
            returns 'logits', as `regula eval` computes them before the loss. Layers that ONNX cannot express \
            (an LSTM or GRU with zoneout) are reported as diagnostics at their spec line and no file is written.
            """)

    @Argument(help: "The spec file.")
    var file: String

    @Option(help: "The model.safetensors whose weights the model carries.")
    var checkpoint: String

    @Option(name: .shortAndLong, help: "The .onnx file to write.")
    var output: String

    @OptionGroup var diagnostics: DiagnosticOptions

    func run() throws {
        let result = try frontendOrExit(file, style: diagnostics.style)
        guard let model = result.model else { throw ExitCode.diagnostics }
        do {
            let weights = try ONNXExport.readWeights(checkpoint)
            let exported = try ONNXExport.export(model: model, weights: weights, specPath: result.source.path,
                                                 producerVersion: Regula.version)
            guard let onnx = exported.model, !exported.hasErrors else {
                Out.error(diagnostics.style.render(exported.diagnostics, sources: [result.source], handle: STDERR_FILENO))
                throw ExitCode.diagnostics
            }
            try Data(onnx.serialized).write(to: URL(fileURLWithPath: output))
            Out.print("wrote \(output): \(onnx.graph.nodes.count) nodes, \(onnx.graph.initializers.count) initializers\n")
        } catch let error as ExportError {
            Out.error("error: \(error.message)\n")
            throw ExitCode.io
        } catch let error as CocoaError {
            Out.error("error: cannot write '\(output)': \(error.localizedDescription)\n")
            throw ExitCode.io
        }
    }
}

/// `regula export pytorch SPEC -o DIR`: no checkpoint; the package loads one (or trains its own).
struct ExportPyTorch: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pytorch",
        abstract: "Write the spec as a PyTorch package: model.py, train.py (torchrun/DDP) and README.md.",
        discussion: """
            model.py's state_dict names are those of Regula's checkpoints, and train.py writes model.safetensors \
            that `regula eval` reads. Layers and training settings the exporter cannot reproduce are reported as \
            diagnostics (at the layer's spec line) and no file is written.
            """)

    @Argument(help: "The spec file.")
    var file: String

    @Option(name: .shortAndLong, help: "The folder to write the package into (created if missing).")
    var output: String

    @OptionGroup var diagnostics: DiagnosticOptions

    func run() throws {
        let result = try frontendOrExit(file, style: diagnostics.style)
        guard let model = result.model else { throw ExitCode.diagnostics }
        let exported = PyTorchExport.export(model: model, specPath: result.source.path, version: Regula.version)
        guard !exported.hasErrors else {
            Out.error(diagnostics.style.render(exported.diagnostics, sources: [result.source], handle: STDERR_FILENO))
            throw ExitCode.diagnostics
        }
        do {
            try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
            for (name, text) in exported.files.sorted(by: { $0.key < $1.key }) {
                try text.write(toFile: (output as NSString).appendingPathComponent(name), atomically: true, encoding: .utf8)
            }
        } catch {
            Out.error("error: cannot write '\(output)': \(error.localizedDescription)\n")
            throw ExitCode.io
        }
        Out.print("wrote \(output): \(exported.files.keys.sorted().joined(separator: ", "))\n")
    }
}
