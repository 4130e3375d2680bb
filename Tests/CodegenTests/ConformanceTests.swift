import Codegen
import Foundation
import Interpreter
import XCTest

/// The generated trainer reproduces `regula train`: same seed, same data, 20 steps, per-step
/// losses equal to a relative 1e-5.
///
/// Each package builds once (debug configuration) into a persistent scratch folder under the system temp dir
/// (`regula-codegen-conformance/<spec>`, `--runtime-path` = this checkout), so reruns are
/// incremental. MLP and CNN run by default; the other trainable specs with REGULA_SLOW_TESTS=1.
final class ConformanceTests: XCTestCase {
    static let steps = 20

    func testMLPMatchesInterpreter() throws { try conform("mnist_mlp.yaml") }

    func testCNNMatchesInterpreter() throws { try conform("mnist_cnn.yaml") }

    func testL1MatchesInterpreter() throws { try slow("mlp_l1.yaml") }
    func testL2MatchesInterpreter() throws { try slow("mlp_l2.yaml") }
    func testElasticNetMatchesInterpreter() throws { try slow("mlp_elastic_net.yaml") }
    func testStochasticDepthMatchesInterpreter() throws { try slow("resnet_stochastic_depth.yaml") }
    func testShakeShakeMatchesInterpreter() throws { try slow("shake_shake.yaml") }
    func testShakeShakeWithStochasticDepthMatchesInterpreter() throws { try slow("shake_stochastic_depth.yaml") }
    func testShakeDropMatchesInterpreter() throws { try slow("shakedrop.yaml") }
    func testTransformerMatchesInterpreter() throws { try slow("transformer_block.yaml") }
    func testWeightNormMatchesInterpreter() throws { try slow("mlp_weight_norm.yaml") }
    func testSpectralNormMatchesInterpreter() throws { try slow("mlp_spectral_norm.yaml") }
    func testRMSpropMatchesInterpreter() throws { try slow("mlp_rmsprop.yaml") }
    func testLionMatchesInterpreter() throws { try slow("mlp_lion.yaml") }
    func testGaussianNoiseMatchesInterpreter() throws { try slow("mlp_gaussian_noise.yaml") }
    func testSELUAlphaDropoutMatchesInterpreter() throws { try slow("mlp_selu.yaml") }
    func testLockedDropoutMatchesInterpreter() throws { try slow("gru_locked_dropout.yaml") }
    func testAugmentationMatchesInterpreter() throws { try slow("cnn_augment.yaml") }
    func testGroupNormMatchesInterpreter() throws { try slow("cnn_groupnorm.yaml") }
    func testDropConnectMatchesInterpreter() throws { try slow("mlp_dropconnect.yaml") }
    func testRegularizeRulesMatchInterpreter() throws { try slow("cnn_rules.yaml") }
    /// LSTM with variational input dropout, recurrent dropout and zoneout (the runtime's
    /// `RecurrentLayer`, shared with the interpreter, draws the masks).
    func testLSTMMatchesInterpreter() throws { try slow("lstm_classifier.yaml") }
    func testMSEMatchesInterpreter() throws { try slow("mlp_mse.yaml") }
    func testBCEMatchesInterpreter() throws { try slow("mlp_bce.yaml") }
    func testEmbeddingMatchesInterpreter() throws { try slow("embedding_pixels.yaml") }
    func testBidirectionalRecurrentMatchesInterpreter() throws { try slow("birnn_classifier.yaml") }

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

    private func slow(_ spec: String) throws {
        guard ProcessInfo.processInfo.environment["REGULA_SLOW_TESTS"] == "1" else {
            throw XCTSkip("set REGULA_SLOW_TESTS=1 to build and compare \(spec)")
        }
        try conform(spec)
    }

    private func conform(_ spec: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let model = try checkedSpec(spec)
        let limit = model.training.batchSize * Self.steps
        let dataDir = repoRoot + "/data/mnist"

        // The interpreter's losses.
        var expected: [Double] = []
        var options = TrainOptions()
        options.threads = 2
        options.dataDirectory = dataDir
        options.limit = limit
        options.maxSteps = Self.steps
        options.writeCheckpoints = false
        options.writeMetrics = false
        options.evaluateTest = false
        options.progress = .quiet
        options.stepCallback = { expected.append($0.loss) }
        _ = try Interpreter.train(model: model, options: options, log: { _ in })

        // The generated package's.
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("regula-codegen-conformance")
        let dir = root.appendingPathComponent((spec as NSString).lastPathComponent.replacingOccurrences(of: ".", with: "_")).path
        let package = try generate(spec, runtimePath: repoRoot)
        try package.write(to: dir)
        // Debug configuration: every target of the package and of the runtime is compiled with
        // `-O -target-cpu native` anyway, and it builds in half the time of `-c release`.
        try run("/usr/bin/env", ["swift", "build", "--package-path", dir], in: dir)
        let binDir = try run("/usr/bin/env", ["swift", "build", "--package-path", dir, "--show-bin-path"], in: dir)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let exe = binDir + "/" + Names(spec: model.name)
        let out = try run(exe, ["--data", dataDir, "--limit", String(limit), "--steps", String(Self.steps), "--threads", "2",
                                "--log-steps", "--out", dir + "/run"], in: dir)
        let actual = out.split(separator: "\n").compactMap { l -> Double? in
            let parts = l.split(separator: " ")
            guard parts.count == 4, parts[0] == "step", parts[2] == "loss" else { return nil }
            // The trainer prints the Float loss (shortest round-trip digits): parse it as a Float.
            return Float(parts[3]).map(Double.init)
        }
        XCTAssertEqual(actual.count, Self.steps, out, file: file, line: line)
        XCTAssertEqual(expected.count, Self.steps, file: file, line: line)
        let worst = zip(actual, expected).map { abs($0 - $1) / max(abs($1), 1e-12) }.max() ?? 0
        let identical = zip(actual, expected).filter { $0 == $1 }.count
        print("conformance \(spec): \(identical)/\(actual.count) steps bit-identical, max relative loss difference \(worst)")
        for (k, (a, e)) in zip(actual, expected).enumerated() {
            XCTAssertEqual(a, e, accuracy: 1e-5 * max(abs(e), 1e-12), "\(spec) step \(k + 1)", file: file, line: line)
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/run/model.safetensors"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/run/metrics.csv"))
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
