import Foundation
import Runtime

/// The command line of a generated package's executable: `regula train`'s options (and
/// `regula eval`'s, for an inference package), parsed here because a generated package depends on
/// Regula's runtime libraries only. Exit statuses are `regula train`'s: 1 for a training fault,
/// 2 for data, I/O and checkpoint problems, 64 for a usage mistake, 128 + n after signal n.
public enum TrainerCommand {
    /// Trains the model `make(seed, threads)` builds with the recipe and the command line's
    /// options, as `regula train` does; never returns.
    public static func train(_ recipe: TrainingRecipe, arguments: [String] = Array(CommandLine.arguments.dropFirst()),
                             make: (_ seed: UInt64, _ threads: Int) -> TrainableModel) -> Never {
        run(arguments, usage: trainUsage) { options in
            Signals.install()
            var options = options
            options.stopRequested = { Signals.received != 0 }
            let recipe = recipe.applying(options)
            let data = try TrainingData.load(recipe.data, options: options)
            let model = make(recipe.seed, options.threads ?? ThreadPool.processorCount)
            let result = try TrainingLoop.run(model, recipe: recipe, data: data, options: options) { print($0) }
            if result.interrupted {
                let folder = result.runDirectory.map { " --out \($0)" } ?? ""
                FileHandle.standardError.write(Data("training stopped by a signal; continue with --resume\(folder)\n".utf8))
                exit(Signals.exitCode(Signals.received))
            }
        }
    }

    /// Reports the test loss and accuracy of `--checkpoint` (default `runs/<model>/model.safetensors`)
    /// in evaluation mode, as `regula eval` does; never returns.
    public static func evaluate(_ recipe: TrainingRecipe, arguments: [String] = Array(CommandLine.arguments.dropFirst()),
                                make: (_ seed: UInt64, _ threads: Int) -> EvaluableModel) -> Never {
        run(arguments, usage: evaluateUsage) { options in
            var options = options
            // As `regula eval`: --limit bounds the test examples evaluated.
            (options.testLimit, options.limit) = (options.limit, nil)
            let recipe = recipe.applying(options)
            let data = try TrainingData.load(recipe.data, options: options)
            guard let test = data.test else { throw TrainError.data("the spec's data section has no test set") }
            let model = make(recipe.seed, options.threads ?? ThreadPool.processorCount)
            try CheckpointStore.loadModel(options.initCheckpoint ?? "runs/\(recipe.name)/model.safetensors", into: model.state)
            let r = Evaluation.run(model, test, normalization: data.normalization, seed: recipe.seed)
            print(String(format: "test: %d examples, loss %.4f, accuracy %.2f%%", r.count, r.loss, r.accuracy * 100))
        }
    }

    static let program = (CommandLine.arguments.first.map { ($0 as NSString).lastPathComponent } ?? "trainer")
    static let trainUsage = """
        usage: \(program) [--data DIR] [--epochs N] [--steps N] [--seed N] [--threads N] [--limit N] [--out DIR]
                 [--resume | --force] [--init FILE] [--checkpoint-every N] [--progress bar|lines|quiet] [--log-steps]
        """
    static let evaluateUsage = """
        usage: \(program) [--checkpoint FILE] [--data DIR] [--seed N] [--threads N] [--limit N]
        """

    private static func run(_ arguments: [String], usage: String, _ body: (TrainOptions) throws -> Void) -> Never {
        do {
            let options = try parse(arguments, evaluating: usage == evaluateUsage)
            try body(options)
            exit(0)
        } catch let e as UsageError {
            FileHandle.standardError.write(Data("error: \(e.message)\n\(usage)\n".utf8))
            exit(64)
        } catch let e as TrainError {
            FileHandle.standardError.write(Data("\(e.description)\n".utf8))
            exit(e.exitStatus)
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            exit(1)
        }
    }

    struct UsageError: Error, Equatable {
        var message: String
    }

    /// The options `arguments` set; `--help` prints the usage and exits.
    static func parse(_ arguments: [String], evaluating: Bool = false) throws -> TrainOptions {
        var o = TrainOptions()
        var i = 0
        func value() throws -> String {
            i += 1
            guard i < arguments.count else { throw UsageError(message: "\(arguments[i - 1]) needs a value") }
            return arguments[i]
        }
        func number<T: FixedWidthInteger>(atLeast low: T) throws -> T {
            let flag = arguments[i], text = try value()
            guard let v = T(text), v >= low else { throw UsageError(message: "\(flag) needs a whole number ≥ \(low), not '\(text)'") }
            return v
        }
        let trainingOnly: Set = ["--epochs", "--steps", "--out", "--resume", "--force", "--init", "--checkpoint-every", "--progress", "--log-steps"]
        while i < arguments.count {
            let flag = arguments[i]
            if evaluating && trainingOnly.contains(flag) || !evaluating && flag == "--checkpoint" {
                throw UsageError(message: "\(flag) is not an option of this program")
            }
            switch flag {
            case "--data": o.dataDirectory = try value()
            case "--epochs": o.epochs = try number(atLeast: 1)
            case "--steps": o.maxSteps = try number(atLeast: 1)
            case "--seed": o.seed = try number(atLeast: 0)
            case "--threads": o.threads = try number(atLeast: 1)
            case "--limit": o.limit = try number(atLeast: 1)
            case "--out": o.outDirectory = try value()
            case "--resume": o.resume = true
            case "--force": o.force = true
            case "--init", "--checkpoint": o.initCheckpoint = try value()
            case "--checkpoint-every": o.checkpointEvery = try number(atLeast: 1)
            case "--progress":
                switch try value() {
                case "bar": o.progress = .bar
                case "lines": o.progress = .lines
                case "quiet": o.progress = .quiet
                case let v: throw UsageError(message: "--progress takes bar, lines or quiet, not '\(v)'")
                }
            case "--log-steps":
                o.stepCallback = { print("step \($0.step) loss \($0.loss)") }
            case "-h", "--help":
                print(evaluating ? evaluateUsage : trainUsage)
                exit(0)
            default: throw UsageError(message: "unknown option '\(flag)'")
            }
            i += 1
        }
        if o.resume && o.initCheckpoint != nil { throw UsageError(message: "--resume and --init cannot be combined") }
        if o.resume && o.force { throw UsageError(message: "--resume and --force cannot be combined") }
        return o
    }
}

extension TrainError {
    /// Data, I/O and checkpoint problems exit 2; faults during training exit 1.
    public var exitStatus: Int32 {
        switch self {
        case .data, .io, .checkpoint: return 2
        case .memory, .nonFinite, .unsupported: return 1
        }
    }
}
