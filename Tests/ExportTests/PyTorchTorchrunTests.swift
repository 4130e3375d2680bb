import Check
@testable import Export
import Foundation
import Interpreter
import TestSupport
import Training
import XCTest

/// Issue 13, round trip 3(c): the exported mnist_mlp package trains under
/// `torchrun --nproc_per_node=2` (gloo, DistributedDataParallel, DistributedSampler) for a few
/// hundred steps; the loss falls and `regula eval` reads the checkpoint rank 0 writes.
final class PyTorchTorchrunTests: XCTestCase {
    static let steps = 300

    func testExportedTrainerRunsUnderTorchrunAndRegulaReadsItsCheckpoint() throws {
        let python = try TestTools.require(.torchPython)
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("regula-pytorch-torchrun-\(getpid())").path
        try? FileManager.default.removeItem(atPath: work)
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }

        let (model, path) = try checked(repoRoot + "/specs/mnist_mlp.yaml")
        let exported = PyTorchExport.export(model: model, specPath: path, version: "0.1.0")
        XCTAssertEqual(exported.diagnostics.map(\.message), [])
        for (name, text) in exported.files { try text.write(toFile: "\(work)/\(name)", atomically: true, encoding: .utf8) }

        // `python3 -m torch.distributed.run` is `torchrun`. Debian's torch 1.13 under Python 3.11 cannot
        // parse its default `--redirects 0 --tee 0` (Flag iteration skips 0), so stdout is tee'd
        // explicitly; the lines arrive prefixed with `[default0]:`.
        let output = try runProcess(python, ["-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2",
                                             "--redirects", "1", "--tee", "1", "train.py",
                                             "--data-dir", repoRoot + "/data/mnist", "--out", work + "/out",
                                             "--max-steps", String(Self.steps), "--log-every", "25"],
                                    directory: work, environment: ["OMP_NUM_THREADS": "1"])
        var losses: [Double] = []
        var final: [String: Any] = [:]
        for line in output.split(separator: "\n") {
            guard let brace = line.firstIndex(of: "{"),
                  let r = try? JSONSerialization.jsonObject(with: Data(line[brace...].utf8)) as? [String: Any] else { continue }
            if let loss = r["loss"] as? Double { losses.append(loss) } else if r["steps"] != nil { final = r }
        }
        XCTAssertEqual(losses.count, Self.steps / 25, output)
        let first = losses.prefix(2).reduce(0, +) / 2, last = losses.suffix(2).reduce(0, +) / 2
        XCTAssertLessThan(last, first, "the loss falls: \(losses)")
        XCTAssertEqual(final["steps"] as? Int, Self.steps)

        var options = TrainOptions()
        options.threads = 2
        options.dataDirectory = repoRoot + "/data/mnist"
        let r = try Interpreter.evaluate(model: model, checkpoint: work + "/out/model.safetensors", options: options)
        XCTAssertEqual(r.count, 10_000)
        XCTAssertGreaterThan(r.accuracy, 0.9)
        XCTAssertEqual(r.accuracy, final["test_accuracy"] as? Double ?? -1, accuracy: 5e-4, "regula eval and train.py agree")
        print(String(format: "torchrun mnist_mlp, 2 processes, %d steps: loss %.4f (steps 25, 50) -> %.4f (last two logs); "
                     + "regula eval accuracy %.4f, train.py %.4f", Self.steps, first, last, r.accuracy,
                     final["test_accuracy"] as? Double ?? .nan))
    }
}
