import Codegen
import Foundation
import Interpreter
import Runtime
import Training
import TestSupport
import XCTest

/// The generated trainer reproduces `regula train`: same seed, same data, 20 steps, the same
/// per-step losses and bit-identical weights (every `state_dict` entry, buffers included).
///
/// Each package builds once (debug configuration) into a persistent scratch folder under the system temp dir
/// (`regula-codegen-conformance-<checkout>/<spec>`, `--runtime-path` = this checkout), so reruns are
/// incremental. MLP and CNN run by default; every other spec in `specs/` with REGULA_SLOW_TESTS=1
/// (REGULA_CONFORMANCE_SPECS=a.yaml,b.yaml narrows that to a list).
/// A generated package must build without a warning in its own sources.
final class ConformanceTests: XCTestCase {
    static let steps = 20

    func testMLPMatchesInterpreter() throws { try conform("mnist_mlp.yaml") }

    func testCNNMatchesInterpreter() throws { try conform("mnist_cnn.yaml") }

    /// Every other good spec in `specs/` (REGULA_SLOW_TESTS=1: each builds its own package).
    func testEveryGoodSpecMatchesInterpreter() throws {
        let covered: Set = ["mnist_mlp.yaml", "mnist_cnn.yaml", "mlp_early_stopping.yaml"]
        let specs = try FileManager.default.contentsOfDirectory(atPath: repoRoot + "/specs")
            .filter { $0.hasSuffix(".yaml") && !covered.contains($0) }.sorted()
        XCTAssertGreaterThan(specs.count, 20)
        // REGULA_CONFORMANCE_SPECS=a.yaml,b.yaml compares only those.
        let only = ProcessInfo.processInfo.environment["REGULA_CONFORMANCE_SPECS"].map { Set($0.split(separator: ",").map(String.init)) }
        for spec in specs where only?.contains(spec) ?? true {
            // CIFAR is not bundled: those specs train on generated files in its binary format.
            let format = try checkedSpec(spec).training.data.format
            try slow(spec, data: format == .cifar10 ? try syntheticCIFAR10() : nil)
        }
    }

    /// Softmax and log-softmax as layers, nearest upsampling, concat (and its backward, split)
    /// along channels and along the last axis (a spec written here: no spec in specs/ uses them).
    func testShapeOpsAndSoftmaxLayersMatchInterpreter() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("regula-codegen-specs")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent("shape_ops.yaml").path
        try """
        regula: 1
        model: shape_ops
        input: [1, 28, 28]
        layers:
          - conv2d: {filters: 4, kernel: 3, stride: 2, padding: 1, name: half}
          - upsample: {scale: 2, name: up}
          - conv2d: {filters: 3, kernel: 3, padding: 1, from: input, name: full}
          - concat: {from: [up, full], axis: 0}
          - conv2d: {filters: 4, kernel: 3, stride: 2, padding: 1}
          - relu
          - flatten
          - dense: {units: 16, activation: softmax, name: soft}
          - dense: {units: 16, activation: log_softmax, from: soft, name: logsoft}
          - concat: {from: [soft, logsoft], axis: -1}
          - dense: 10
        loss: cross_entropy
        train:
          optimizer: {kind: sgd, lr: 0.05}
          batch_size: 32
          epochs: 1
        data:
          format: idx
          dir: \(repoRoot)/data/mnist
          normalize: {scale: 255}
        """.write(toFile: path, atomically: true, encoding: .utf8)
        try slow(path)
    }

    /// A CIFAR-10 binary folder of generated images: 5 training batches of 128 records, a test
    /// batch of 16 (labels cycle through the 10 classes).
    private func syntheticCIFAR10() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("regula-codegen-cifar10").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for (name, count) in (1...5).map({ ("data_batch_\($0).bin", 128) }) + [("test_batch.bin", 16)] {
            let bytes = (0..<count).flatMap { cifarRecord([UInt8(($0 * 3 + name.count) % 10)]) }
            try Data(bytes).write(to: URL(fileURLWithPath: dir + "/" + name))
        }
        return dir
    }

    private func slow(_ spec: String, epochs: Int? = nil, data: String? = nil) throws {
        guard ProcessInfo.processInfo.environment["REGULA_SLOW_TESTS"] == "1" else {
            throw XCTSkip("set REGULA_SLOW_TESTS=1 to build and compare \(spec)")
        }
        try conform(spec, epochs: epochs, data: data)
    }

    /// Early stopping (restoring the best epoch) and a plateau schedule over several epochs: the
    /// validation metrics, the learning rates and the restored weights agree.
    func testEarlyStoppingAndPlateauMatchInterpreter() throws {
        try slow("mlp_early_stopping.yaml", epochs: 20)
    }

    /// `steps` optimizer steps on `steps` batches of examples, or with `epochs`, that many epochs on
    /// 12 batches of examples (10 % held out for validation when the spec says so).
    private func conform(_ spec: String, epochs: Int? = nil, data: String? = nil, file: StaticString = #filePath, line: UInt = #line) throws {
        let model = try checkedSpec(spec)
        let limit = model.training.batchSize * (epochs == nil ? Self.steps : 12)
        let dataDir = data ?? repoRoot + "/data/mnist"

        // The interpreter's losses and weights.
        // One scratch folder per checkout: two checkouts testing at once never share a package.
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("regula-codegen-conformance-\(checkoutTag)")
        let dir = root.appendingPathComponent((spec as NSString).lastPathComponent.replacingOccurrences(of: ".", with: "_")).path
        try? FileManager.default.removeItem(atPath: dir + "/interpreted")
        try? FileManager.default.removeItem(atPath: dir + "/run")
        var expected: [Double] = []
        var options = TrainOptions()
        options.threads = 2
        options.dataDirectory = dataDir
        options.limit = limit
        options.maxSteps = epochs == nil ? Self.steps : nil
        options.epochs = epochs
        options.outDirectory = dir + "/interpreted"
        options.evaluateTest = false
        options.progress = .quiet
        options.stepCallback = { expected.append($0.loss) }
        _ = try Interpreter.train(model: model, options: options, log: { _ in })

        // The generated package's.
        let package = try generate(spec, runtimePath: repoRoot)
        try package.write(to: dir)
        // Debug configuration: every target of the package and of the runtime is compiled with
        // `-O -target-cpu native` anyway, and it builds in half the time of `-c release`.
        let build = try run("/usr/bin/env", ["swift", "build", "--package-path", dir], in: dir)
        let warnings = build.split(separator: "\n").filter { $0.contains("warning:") && $0.contains(dir + "/Sources") }
        XCTAssertEqual(warnings, [], "\(spec): warnings in the generated sources", file: file, line: line)
        let binDir = try run("/usr/bin/env", ["swift", "build", "--package-path", dir, "--show-bin-path"], in: dir)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let exe = binDir + "/" + Names(spec: model.name)
        let length = epochs.map { ["--epochs", String($0)] } ?? ["--steps", String(Self.steps)]
        let out = try run(exe, ["--data", dataDir, "--limit", String(limit), "--threads", "2", "--log-steps", "--progress", "quiet",
                                "--out", dir + "/run"] + length, in: dir)
        let actual = out.split(separator: "\n").compactMap { l -> Double? in
            let parts = l.split(separator: " ")
            guard parts.count == 4, parts[0] == "step", parts[2] == "loss" else { return nil }
            // The trainer prints the loss as a Double (shortest round-trip digits): every bit compares.
            return Double(parts[3])
        }
        if epochs == nil { XCTAssertEqual(actual.count, Self.steps, out, file: file, line: line) }
        XCTAssertEqual(actual.count, expected.count, out, file: file, line: line)
        let identical = zip(actual, expected).filter { $0 == $1 }.count
        XCTAssertEqual(actual, expected, "\(spec): per-step losses", file: file, line: line)

        // The weights, and their moving average when the spec keeps one.
        let files = ["model.safetensors"] + (model.training.emaDecay == nil ? [] : ["model_ema.safetensors"])
        var total = 0, differing: [String] = []
        for name in files {
            let mine = try SafeTensors.read(dir + "/run/" + name).tensors
            let theirs = try SafeTensors.read(dir + "/interpreted/" + name).tensors
            total += theirs.count
            XCTAssertEqual(Set(mine.keys), Set(theirs.keys), name, file: file, line: line)
            differing += theirs.keys.sorted().filter { k in mine[k]?.floats != theirs[k]?.floats || mine[k]?.int64s != theirs[k]?.int64s }
                .map { name + ": " + $0 }
        }
        XCTAssertEqual(differing, [], "\(spec): tensors that differ after \(Self.steps) steps", file: file, line: line)
        print("conformance \(spec): \(identical)/\(actual.count) steps bit-identical, \(total - differing.count)/\(total) tensors bit-identical")
        // Every metrics row but its timing columns.
        func rows(_ folder: String) throws -> [String] {
            let text = try String(contentsOfFile: folder + "/metrics.csv", encoding: .utf8)
            let lines = text.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
            guard let header = lines.first else { return [] }
            let timing: Set = ["samples_per_sec", "elapsed"]
            let keep = header.indices.filter { !timing.contains(header[$0]) }
            return lines.map { r in keep.map { $0 < r.count ? r[$0] : "" }.joined(separator: ",") }
        }
        XCTAssertEqual(try rows(dir + "/run"), try rows(dir + "/interpreted"), "\(spec): metrics.csv", file: file, line: line)
    }

    /// A short tag of this checkout's path.
    private var checkoutTag: String {
        String(repoRoot.unicodeScalars.reduce(UInt32(2_166_136_261)) { ($0 ^ $1.value) &* 16_777_619 }, radix: 16)
    }

    /// The executable's name: the model's type name.
    private func Names(spec name: String) -> String {
        name.split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }

    @discardableResult
    private func run(_ tool: String, _ args: [String], in dir: String) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = args
        p.currentDirectoryURL = URL(fileURLWithPath: dir)
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        if p.terminationStatus != 0 { XCTFail("\(tool) \(args.joined(separator: " ")) failed:\n\(text)"); throw XCTSkip("failed") }
        return text
    }
}
