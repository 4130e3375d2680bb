import ArgumentParser
import Driver
import Foundation
import Training

struct Sweep: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train variants of a spec: a grid or random points of overridden values, or ablations.",
        discussion: """
            --set PATH=V1,V2 overrides a spec value by its path as the spec reads (layers.2.dropout, \
            layers.2.p, defaults.weight_decay, train.optimizer.lr, blocks.resblock.params.survival); \
            several --set make a grid. With --random N, N points are drawn instead, and a value may be \
            a range LOW..HIGH (log-uniform for weight_decay, l1, l2 and lr, or with log:LOW..HIGH; \
            lin:LOW..HIGH for uniform). --ablate trains the spec without each regularizer and without \
            all of them. Every variant is checked before training starts. Each variant trains in its \
            own run folder inside the sweep folder, which holds sweep.json; the same command run \
            again continues an interrupted sweep without retraining finished variants. Exits 1 on \
            spec or override errors or when a variant fails, 2 on I/O problems.
            """)

    @Argument(help: "The spec file.")
    var file: String

    @Option(name: .customLong("set"), help: ArgumentHelp("Override a value: PATH=V1,V2,... or PATH=LOW..HIGH (with --random).", valueName: "path=values"))
    var sets: [String] = []

    @Option(help: "Draw N points from the --set values and ranges instead of their grid.")
    var random: Int?

    @Flag(help: "Train the spec without each of its regularizers in turn, and without all of them.")
    var ablate = false

    @Option(help: "The sweep folder (default: runs/sweep-<model name>).")
    var out: String?

    @Option(help: "Variants trained at once; each gets cores/jobs threads. Results do not depend on it.")
    var jobs: Int = 1

    @Flag(help: "Check every variant and list them without training.")
    var dryRun = false

    @Option(help: "Random seed of every variant (overrides train.seed) and of --random.")
    var seed: UInt64?

    @Option(help: "Number of epochs of every variant (overrides train.epochs).")
    var epochs: Int?

    @Option(help: "Stop every variant after this many optimizer steps.")
    var steps: Int?

    @Option(help: "Use only the first N training examples.")
    var limit: Int?

    @Option(help: "A folder holding the data files (overrides the spec's data paths by file name).")
    var data: String?

    func validate() throws {
        if let random, random < 1 { throw ValidationError("--random must be at least 1") }
        if jobs < 1 { throw ValidationError("--jobs must be at least 1") }
        if let epochs, epochs < 1 { throw ValidationError("--epochs must be at least 1") }
        if let steps, steps < 1 { throw ValidationError("--steps must be at least 1") }
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
        if sets.isEmpty && !ablate { throw ValidationError("give at least one --set PATH=VALUES, or --ablate") }
    }

    /// The options every variant's `regula train` gets.
    var trainArguments: [String] {
        var a: [String] = []
        if let epochs { a += ["--epochs", String(epochs)] }
        if let steps { a += ["--steps", String(steps)] }
        if let seed { a += ["--seed", String(seed)] }
        if let limit { a += ["--limit", String(limit)] }
        if let data { a += ["--data", data] }
        return a
    }

    func run() throws {
        let plan: SweepPlan
        do { plan = try SweepPlanner.plan(path: file, sets: sets, random: random, ablate: ablate, seed: seed ?? 0) } catch let error as DriverError {
            Out.error("error: \(error.message)\n")
            throw ExitCode.io
        }
        if !plan.diagnostics.isEmpty {
            Out.error(DiagnosticStyle().render(plan.diagnostics, sources: [plan.source, plan.overrides], handle: STDERR_FILENO))
        }
        if plan.hasErrors { throw ExitCode.diagnostics }
        if dryRun {
            Out.print("\(plan.variants.count) variants, all checked:\n" + plan.variants.map { "  \($0.name)\n" }.joined())
            return
        }
        guard let executable = Bundle.main.executablePath else { throw ExitCode.io }
        var options = SweepOptions(executable: executable)
        options.out = out
        options.jobs = min(jobs, options.cores)
        options.trainArguments = trainArguments
        options.live = isatty(STDOUT_FILENO) != 0
        Signals.install()
        options.stopRequested = { Signals.received != 0 }
        options.forwardSignal = { Signals.received == SIGTERM ? SIGTERM : nil }
        let outcome: SweepOutcome
        do { outcome = try SweepRunner.run(plan, specPath: file, options: options, print: Out.print) } catch let error as DriverError {
            Out.error("error: \(error.message)\n")
            throw ExitCode.io
        }
        Out.print("\n" + renderRanking(outcome.sweep))
        if outcome.interrupted {
            Out.error("sweep stopped by a signal; continue with the same command\n")
            throw ExitCode(Signals.exitCode(Signals.received))
        }
        if outcome.failed > 0 { throw ExitCode.diagnostics }
    }
}
