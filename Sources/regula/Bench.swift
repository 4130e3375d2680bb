import ArgumentParser
import Driver
import Foundation
import Interpreter
import Training
import Runtime

/// `regula bench`: the figures each issue names, measured side by side in one run. Training
/// benchmarks run in child processes (one per measurement) so each peak-RSS figure is that of a
/// whole training process; every figure is a median over `--runs`. With `--peer PYTHON`, the
/// PyTorch (and for the MLP, JAX) peers in bench/ run interleaved with Regula's children, and the
/// ratio of each interleaved pair is reported (median over the runs).
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure lint speed, GEMM and convolution GFLOP/s, training and evaluation samples/s with peak memory.")

    enum Part: String, ExpressibleByArgument, CaseIterable {
        case lint, gemm, conv, mlp, cnn, shake

        /// A training part: the spec it trains (relative to the repository root), its name in
        /// bench/torch_peer.py, and its title in the table; nil for the kernel parts.
        var training: (spec: String, peer: String, title: String)? {
            switch self {
            case .mlp: ("specs/mnist_mlp.yaml", "mlp", "tutorial MLP, batch 128")
            case .cnn: ("specs/mnist_cnn.yaml", "cnn", "tutorial CNN, batch 64")
            case .shake: ("bench/shake_resnet.yaml", "shake1", "Shake-Shake ResNet, batch 64")
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

    @Option(help: "Timed training steps per run (a tenth of them for the Shake-Shake net).")
    var steps: Int = 300

    @Option(help: "Threads for the training runs (default: every core).")
    var threads: Int?

    @Option(help: "A Python with torch (and optionally jax): run the peers in bench/ interleaved with Regula.")
    var peer: String?

    @Option(help: "Seconds each peer measurement trains.")
    var peerSeconds: Double = 8

    /// Internal: run one measurement and print `train_samples_per_second peak_bytes eval_samples_per_second`.
    @Flag(help: .hidden)
    var child = false

    func validate() throws {
        if runs < 1 { throw ValidationError("--runs must be at least 1") }
        if steps < 1 { throw ValidationError("--steps must be at least 1") }
        if child && only?.training == nil { throw ValidationError("--child needs a training part: --only mlp, cnn or shake") }
        if let peer, !FileManager.default.isExecutableFile(atPath: peer) {
            throw ValidationError("--peer \(peer): not an executable Python")
        }
    }

    func run() throws {
        if child, let training = only?.training { return try measure(training.spec) }
        let parts = only.map { [$0] } ?? Part.allCases
        Out.print("benchmark                         regula                  reference on this machine kind\n")
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
                // The 32→32 3×3 convolution of the Shake-Shake net (bench/shake_resnet.yaml), batch 64.
                let s = Conv2dShape(batch: 64, inChannels: 32, height: 28, width: 28, outChannels: 32,
                                    kernelH: 3, kernelW: 3, padH: 1, padW: 1)
                for threads in [1, ThreadPool.processorCount] {
                    let r = Conv2d.benchmark(s, threads: threads, repeats: max(runs, 5))
                    row("conv 32→32 3×3 28², \(threads) thr", String(format: "%.0f / %.0f / %.0f GFLOP/s", r.forward, r.data, r.weight),
                        "forward / data grad / weight grad")
                }
            case .mlp, .cnn, .shake:
                try training(part)
            }
        }
    }

    /// Interleaved runs of Regula (and the peers), then medians and ratios.
    private func training(_ part: Part) throws {
        var regula: [ChildFigures] = [], torch: [PeerFigures] = [], jax: [PeerFigures] = []
        let peers = peer.map { PeerRunner(python: $0, folder: root + "/bench", data: data ?? root + "/data/mnist",
                                          threads: threads ?? ThreadPool.processorCount, seconds: peerSeconds) }
        for _ in 0..<runs {
            if let peers, let workload = part.training?.peer { torch.append(try peers.torch(workload)) }
            if let peers, part == .mlp, let j = try peers.jax() { jax.append(j) }
            regula.append(try runChild(part))
        }
        let rate = median(regula.map(\.train)), peak = median(regula.map { Double($0.peakBytes) }), eval = median(regula.map(\.eval))
        row("train " + (part.training?.title ?? part.rawValue), String(format: "%.0f samples/s", rate), peerText(torch.map(\.train), ours: regula.map(\.train), name: "PyTorch")
            + (jax.isEmpty ? "" : "; " + peerText(jax.map(\.train), ours: regula.map(\.train), name: "JAX/XLA")))
        row("  peak RSS, whole process", String(format: "%.0f MB", peak / 1e6),
            torch.isEmpty ? "" : String(format: "PyTorch %.0f MB (%.2f× less)", median(torch.map(\.peakMB)),
                                        median(torch.map(\.peakMB)) * 1e6 / max(peak, 1)))
        row("  evaluation, 10,000 test images", String(format: "%.0f samples/s", eval),
            peerText(torch.map(\.eval), ours: regula.map(\.eval), name: "PyTorch eval mode, batch 500"))
    }

    /// "PyTorch 6,320 samples/s, Regula 1.12×": medians of the peer and of the per-run ratios.
    private func peerText(_ theirs: [Double], ours: [Double], name: String) -> String {
        guard !theirs.isEmpty else { return "" }
        let ratios = zip(ours, theirs).map { $0 / max($1, 1e-9) }
        return String(format: "%@ %.0f, ratio %.2f×", name, median(theirs), median(ratios))
    }

    private func row(_ name: String, _ value: String, _ reference: String) {
        Out.print(name.padding(toLength: max(34, name.count + 1), withPad: " ", startingAt: 0)
                  + value.padding(toLength: max(24, value.count + 1), withPad: " ", startingAt: 0) + reference + "\n")
    }

    private struct ChildFigures { var train: Double, peakBytes: Int, eval: Double }

    /// One child process: its training samples/s, peak RSS and evaluation samples/s.
    private func runChild(_ part: Part) throws -> ChildFigures {
        var arguments = ["bench", "--child", "--only", part.rawValue, "--root", root,
                         "--steps", String(part == .shake ? max(steps / 10, 1) : steps)]
        if let data { arguments += ["--data", data] }
        if let threads { arguments += ["--threads", String(threads)] }
        let output = try runProcess(selfExecutable(), arguments)
        let fields = output.split(separator: " ")
        guard fields.count == 3, let rate = Double(fields[0]), let peak = Int(fields[1]), let eval = Double(fields[2]) else {
            Out.error("error: benchmark child printed '\(output)'\n")
            throw ExitCode.io
        }
        return ChildFigures(train: rate, peakBytes: peak, eval: eval)
    }

    private func selfExecutable() -> URL {
        let url = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL
        return FileManager.default.isExecutableFile(atPath: url.path) ? url : URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
    }

    private func measure(_ spec: String) throws {
        let result = try frontendOrExit(root + "/" + spec)
        guard let model = result.model else { throw ExitCode.diagnostics }
        var options = TrainOptions()
        options.threads = threads
        options.dataDirectory = data
        do {
            let r = try Interpreter.benchmark(model: model, steps: steps, options: options)
            let eval = try Interpreter.benchmarkEvaluation(model: model, options: options)
            Out.print("\(r.samplesPerSecond) \(r.peakRSS) \(eval)\n")
        } catch let error as TrainError {
            Out.error(error.description + "\n")
            throw error.exitCode
        }
    }
}

func median(_ values: [Double]) -> Double {
    guard !values.isEmpty else { return 0 }
    let sorted = values.sorted()
    return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

/// Runs a process and returns its standard output; a failure throws its status (and says so on
/// standard error unless `quiet`).
func runProcess(_ executable: URL, _ arguments: [String], quiet: Bool = false) throws -> String {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    if quiet { process.standardError = FileHandle.nullDevice }
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        if quiet { throw ExitCode(process.terminationStatus) }
        Out.error("error: \(executable.lastPathComponent) \(arguments.joined(separator: " ")) exited with status \(process.terminationStatus)\n")
        throw ExitCode(process.terminationStatus)
    }
    return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
}
