import ArgumentParser
import Driver
import Foundation
import Interpreter
import Runtime

/// `regula bench`: the figures each issue names, measured side by side in one run. Training
/// benchmarks run in child processes (one per measurement) so each peak-RSS figure is that of a
/// whole training process; every figure is a median over `--runs`.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure lint speed, GEMM GFLOP/s and training samples/s with peak memory.")

    enum Part: String, ExpressibleByArgument, CaseIterable {
        case lint, gemm, conv, mlp, cnn, shake

        /// The spec a training part trains, relative to the repository root.
        var spec: String? {
            switch self {
            case .mlp: "specs/mnist_mlp.yaml"
            case .cnn: "specs/mnist_cnn.yaml"
            case .shake: "bench/shake_resnet.yaml"
            case .lint, .gemm, .conv: nil
            }
        }
    }

    @Option(help: "Only this part: lint, gemm, conv, mlp, cnn or shake.")
    var only: Part?

    @Option(help: "A folder with the MNIST IDX files (default: the specs' data folder).")
    var data: String?

    @Option(help: "The repository root, which holds specs/ and bench/.")
    var root: String = "."

    @Option(help: "Runs per figure; the median is reported.")
    var runs: Int = 3

    @Option(help: "Timed training steps per run.")
    var steps: Int = 300

    @Option(help: "Threads for the training runs (default: every core).")
    var threads: Int?

    /// Internal: run one training measurement and print it as `samples_per_second peak_bytes`.
    @Flag(help: .hidden)
    var child = false

    func validate() throws {
        if runs < 1 { throw ValidationError("--runs must be at least 1") }
        if steps < 1 { throw ValidationError("--steps must be at least 1") }
        if child && only?.spec == nil { throw ValidationError("--child needs a training part: --only mlp, cnn or shake") }
    }

    func run() throws {
        if child, let spec = only?.spec { return try measureTraining(spec) }
        let parts = only.map { [$0] } ?? Part.allCases
        Out.print("benchmark                         regula                 reference on this machine kind\n")
        for part in parts {
            switch part {
            case .lint:
                let r = LintBenchmark.run(layers: 5000, repetitions: max(runs, 5))
                let errors = r.diagnostics.filter { $0.severity == .error }.count
                row("lint, 5,000-layer spec", String(format: "%.3f s%@", r.median, errors > 0 ? " (\(errors) errors!)" : ""),
                    "target: well under 1 s")
            case .gemm:
                let cores = ThreadPool.processorCount
                let one = Gemm.benchmark(m: 1024, n: 1024, k: 1024, threads: 1, repeats: max(runs, 5))
                row("SGEMM 1024³, 1 thread", String(format: "%.1f GFLOP/s", one), "SIMD micro-kernel: ~110")
                let all = Gemm.benchmark(m: 1024, n: 1024, k: 1024, threads: cores, repeats: max(runs, 5))
                row("SGEMM 1024³, \(cores) threads", String(format: "%.1f GFLOP/s", all), "MKL: ~150 on 2 cores")
            case .conv:
                // The 32→32 3×3 convolution of the Shake-Shake net (../shared/bench), batch 64.
                let s = Conv2dShape(batch: 64, inChannels: 32, height: 28, width: 28, outChannels: 32,
                                    kernelH: 3, kernelW: 3, padH: 1, padW: 1)
                for threads in [1, ThreadPool.processorCount] {
                    let r = Conv2d.benchmark(s, threads: threads, repeats: max(runs, 5))
                    row("conv 32→32 3×3 28², \(threads) thr", String(format: "%.0f / %.0f / %.0f GFLOP/s", r.forward, r.data, r.weight),
                        "forward / data grad / weight grad")
                }
            case .mlp:
                let (rate, peak) = try trainingMedians(.mlp)
                row("train MLP, batch 128", String(format: "%.0f samples/s", rate), "PyTorch ~33,000; JAX ~52,000; target ≥ 52,000")
                row("  peak RSS, whole process", String(format: "%.0f MB", Double(peak) / 1e6), "PyTorch ~900 MB; target < 150 MB")
            case .cnn:
                let (rate, peak) = try trainingMedians(.cnn)
                row("train CNN, batch 64", String(format: "%.0f samples/s", rate), "PyTorch ~4,500; target ≥ 4,500")
                row("  peak RSS, whole process", String(format: "%.0f MB", Double(peak) / 1e6), "")
            case .shake:
                let (rate, peak) = try trainingMedians(.shake)
                row("train Shake-Shake ResNet, b. 64", String(format: "%.0f samples/s", rate), "PyTorch ~230")
                row("  peak RSS, whole process", String(format: "%.0f MB", Double(peak) / 1e6), "PyTorch ~1,300 MB")
            }
        }
    }

    private func row(_ name: String, _ value: String, _ reference: String) {
        Out.print(name.padding(toLength: 34, withPad: " ", startingAt: 0)
                  + value.padding(toLength: 23, withPad: " ", startingAt: 0) + reference + "\n")
    }

    /// Runs `runs` child processes and returns the median samples/s and median peak RSS.
    private func trainingMedians(_ part: Part) throws -> (Double, Int) {
        var rates: [Double] = [], peaks: [Int] = []
        for _ in 0..<runs {
            var arguments = ["bench", "--child", "--only", part.rawValue, "--root", root, "--steps", String(part == .shake ? max(steps / 10, 1) : steps)]
            if let data { arguments += ["--data", data] }
            if let threads { arguments += ["--threads", String(threads)] }
            let output = try runSelf(arguments)
            let fields = output.split(separator: " ")
            guard fields.count == 2, let rate = Double(fields[0]), let peak = Int(fields[1]) else {
                Out.error("error: benchmark child printed '\(output)'\n")
                throw ExitCode.io
            }
            rates.append(rate)
            peaks.append(peak)
        }
        return (rates.sorted()[rates.count / 2], peaks.sorted()[peaks.count / 2])
    }

    private func runSelf(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL
        if !FileManager.default.isExecutableFile(atPath: process.executableURL?.path ?? "") {
            process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        }
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw ExitCode(process.terminationStatus) }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private func measureTraining(_ spec: String) throws {
        let result = try frontendOrExit(root + "/" + spec)
        guard let model = result.model else { throw ExitCode.diagnostics }
        var options = TrainOptions()
        options.threads = threads
        options.dataDirectory = data
        do {
            let r = try Interpreter.benchmark(model: model, steps: steps, options: options)
            Out.print("\(r.samplesPerSecond) \(r.peakRSS)\n")
        } catch let error as TrainError {
            Out.error(error.description + "\n")
            throw error.exitCode
        }
    }
}
