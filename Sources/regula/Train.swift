import ArgumentParser
import Foundation
import Interpreter
import Training

/// Options shared by `train` and `eval` that override the spec's `train:`/`data:` sections.
struct RunOptions: ParsableArguments {
    @Option(help: "Worker threads (default: every core). Results do not depend on it.")
    var threads: Int?

    @Option(help: "Random seed (overrides train.seed).")
    var seed: UInt64?

    @Option(help: "A folder holding the data files (overrides the spec's data paths by file name).")
    var data: String?

    @Option(help: "Use only the first N examples (train: of the training set; eval: of the test set).")
    var limit: Int?

    func apply(to options: inout TrainOptions) {
        options.threads = threads
        options.seed = seed
        options.dataDirectory = data
        options.limit = limit
    }

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
    }
}

struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a spec on Regula's CPU runtime.",
        discussion: """
            Writes model.safetensors (a PyTorch state_dict), train_state.safetensors, metrics.csv and \
            metrics.jsonl into the run folder at every epoch end (and every --checkpoint-every steps). \
            A folder that already holds a run is refused unless --resume or --force is given; without \
            --out, a new numbered folder (runs/<model>-2, ...) is used instead. Ctrl-C (SIGINT) or \
            SIGTERM writes a checkpoint at the current step and exits 130 or 143; --resume continues \
            bit-identically. Exits 1 on spec errors or a training fault (the last good checkpoint is \
            kept), 2 on I/O or data problems.
            """)

    @Argument(help: "The spec file.")
    var file: String

    @OptionGroup var runOptions: RunOptions

    @Option(help: "Number of epochs (overrides train.epochs).")
    var epochs: Int?

    @Option(help: "Stop after this many optimizer steps.")
    var steps: Int?

    @Option(help: "The run folder (default: runs/<model name>).")
    var out: String?

    @Flag(help: "Continue bit-identically from the checkpoint in the run folder.")
    var resume = false

    @Flag(help: "Discard the run already in the run folder (checkpoints and metrics).")
    var force = false

    @Option(help: "Also write a checkpoint every N optimizer steps.")
    var checkpointEvery: Int?

    @Option(name: .customLong("init"), help: "Start from the weights in this model.safetensors.")
    var initFrom: String?

    @Option(help: "Progress: bar, lines or quiet (default: a bar on a terminal, lines otherwise).")
    var progress: ProgressChoice?

    enum ProgressChoice: String, ExpressibleByArgument, CaseIterable {
        case bar, lines, quiet
        var style: ProgressStyle {
            switch self {
            case .bar: return .bar
            case .lines: return .lines
            case .quiet: return .quiet
            }
        }
    }

    func validate() throws {
        if let epochs, epochs < 1 { throw ValidationError("--epochs must be at least 1") }
        if let steps, steps < 1 { throw ValidationError("--steps must be at least 1") }
        if resume && initFrom != nil { throw ValidationError("--resume and --init cannot be combined") }
        if resume && force { throw ValidationError("--resume and --force cannot be combined") }
        if let checkpointEvery, checkpointEvery < 1 { throw ValidationError("--checkpoint-every must be at least 1") }
    }

    func run() throws {
        let result = try frontendOrExit(file)
        guard let model = result.model else { throw ExitCode.diagnostics }
        var options = TrainOptions()
        runOptions.apply(to: &options)
        options.epochs = epochs
        options.maxSteps = steps
        options.outDirectory = out
        options.specPath = file
        options.resume = resume
        options.force = force
        options.checkpointEvery = checkpointEvery
        options.initCheckpoint = initFrom
        if let progress { options.progress = progress.style }
        Signals.install()
        ParentWatch.start()
        options.stopRequested = { Signals.received != 0 || ParentWatch.parentGone }
        do {
            let result = try Interpreter.train(model: model, options: options, log: { Out.print($0 + "\n") })
            if result.interrupted, let folder = result.runDirectory {
                Out.error("training stopped by a signal; continue with: regula train \(file) --resume --out \(folder)\n")
                throw ExitCode(Signals.exitCode(Signals.received == 0 ? SIGTERM : Signals.received))
            }
        } catch let error as TrainError {
            Out.error(error.description + "\n")
            throw error.exitCode
        }
    }
}

extension TrainError {
    var exitCode: ExitCode { ExitCode(exitStatus) }
}
