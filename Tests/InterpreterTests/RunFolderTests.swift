import XCTest
import Foundation
@testable import Interpreter
import Training

/// No lost work: a run folder is never overwritten by accident, interrupted and checkpointed runs
/// resume bit-identically (weights and metrics rows), and a diverging run says so.
final class RunFolderTests: XCTestCase {
    func options(_ dir: String? = nil) -> TrainOptions {
        var o = testOptions("run")
        if let dir { o.outDirectory = dir }
        o.limit = 1280
        o.epochs = 2
        o.threads = 2
        o.evaluateTest = false
        return o
    }

    func file(_ dir: String, _ name: String) throws -> Data {
        try Data(contentsOf: URL(fileURLWithPath: dir + "/" + name))
    }

    func testAFolderHoldingARunIsRefusedUnlessResumeOrForce() throws {
        let model = try loadSpec("mnist_mlp")
        var o = options()
        o.maxSteps = 3
        let first = try train(model: model, options: o) { _ in }
        let dir = try XCTUnwrap(first.runDirectory)
        let weights = try file(dir, "model.safetensors"), metrics = try file(dir, "metrics.csv")
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/run.lock"), "the lock is removed at the end")
        XCTAssertThrowsError(try train(model: model, options: o) { _ in }) { error in
            XCTAssertEqual(error as? TrainError, .io("\(dir) already holds a run (checkpoint or metrics); "
                + "continue it with --resume, discard it with --force, or choose another --out"))
        }
        XCTAssertEqual(try file(dir, "model.safetensors"), weights, "a refused run touches nothing")
        XCTAssertEqual(try file(dir, "metrics.csv"), metrics)
        var forced = o
        forced.force = true
        forced.seed = 7
        _ = try train(model: model, options: forced) { _ in }
        XCTAssertNotEqual(try file(dir, "model.safetensors"), weights, "--force trains anew")
    }

    func testARunningRunIsRefusedAndAStaleLockIsNot() throws {
        let model = try loadSpec("mnist_mlp")
        var o = options()
        o.maxSteps = 1
        let dir = try XCTUnwrap(o.outDirectory)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        // The parent of this process is alive and is not this process.
        try "\(getppid())\n".write(toFile: dir + "/run.lock", atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try train(model: model, options: o) { _ in }) { error in
            XCTAssertEqual(error as? TrainError, .io("\(dir) is in use by another regula train (process \(getppid())); wait for it, "
                + "choose another --out, or delete \(dir)/run.lock if that process is not a trainer"))
        }
        // A process id that is not running (beyond the kernel's pid range) is a stale lock.
        try "2147483646\n".write(toFile: dir + "/run.lock", atomically: true, encoding: .utf8)
        XCTAssertNoThrow(try train(model: model, options: o) { _ in })
    }

    func testTheDefaultFolderMovesOnToANumberedOne() throws {
        let model = try loadSpec("mnist_mlp")
        let cwd = FileManager.default.currentDirectoryPath
        let tmp = NSTemporaryDirectory() + "regula-default-\(getpid())"
        try FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: true)
        _ = FileManager.default.changeCurrentDirectoryPath(tmp)
        defer { _ = FileManager.default.changeCurrentDirectoryPath(cwd) }
        var o = options()
        o.outDirectory = nil
        o.maxSteps = 1
        var lines: [String] = []
        XCTAssertEqual(try train(model: model, options: o) { _ in }.runDirectory, "runs/mnist_mlp")
        XCTAssertEqual(try train(model: model, options: o) { lines.append($0) }.runDirectory, "runs/mnist_mlp-2")
        XCTAssertEqual(lines.first, "runs/mnist_mlp holds an earlier run; this one goes to runs/mnist_mlp-2")
        XCTAssertEqual(try train(model: model, options: o) { _ in }.runDirectory, "runs/mnist_mlp-3")
    }

    /// `--checkpoint-every` inside an epoch, then a stop (as a signal does) and `--resume`: the
    /// same losses, weights and metrics rows as an uninterrupted run.
    func testStopAndCheckpointEveryResumeBitIdentically() throws {
        let model = try loadSpec("mnist_mlp")
        let full = try train(model: model, options: options()) { _ in }
        let fullDir = try XCTUnwrap(full.runDirectory)

        var cut = options()
        cut.checkpointEvery = 4
        var steps = 0
        cut.stepCallback = { _ in steps += 1 }
        cut.stopRequested = { steps == 13 }
        var log: [String] = []
        let stopped = try train(model: model, options: cut) { log.append($0) }
        XCTAssertTrue(stopped.interrupted)
        XCTAssertEqual(stopped.steps, 13)
        let dir = try XCTUnwrap(stopped.runDirectory)
        XCTAssertTrue(log.contains("interrupted at step 13 (epoch 2, batch 3/10); checkpoint written to \(dir)/model.safetensors"), "\(log)")
        // The steps run are in the metrics, the unfinished epoch as a row that ends at step 13.
        let stoppedRows = String(decoding: try file(dir, "metrics.csv"), as: UTF8.self).split(separator: "\n")
        XCTAssertEqual(stoppedRows.count, 3)
        XCTAssertTrue(stoppedRows.last?.hasPrefix("2,13,") == true, "\(stoppedRows)")

        var rest = options(dir)
        rest.resume = true
        let resumed = try train(model: model, options: rest) { _ in }
        XCTAssertEqual(resumed.steps, full.steps)
        XCTAssertEqual(try file(dir, "model.safetensors"), try file(fullDir, "model.safetensors"))
        // Metrics rows equal but for timing columns.
        func rows(_ d: String) throws -> [String] {
            String(decoding: try file(d, "metrics.csv"), as: UTF8.self).split(separator: "\n").map {
                $0.split(separator: ",", omittingEmptySubsequences: false).prefix(7).joined(separator: ",")
            }
        }
        XCTAssertEqual(try rows(dir), try rows(fullDir))
        XCTAssertEqual(try rows(dir).count, 3)
    }

    /// A checkpoint whose model and state files come from different steps (a write cut between
    /// the two) is refused instead of resumed from a mixture.
    func testMismatchedCheckpointFilesAreRefused() throws {
        let model = try loadSpec("mnist_mlp")
        var o = options()
        o.maxSteps = 4
        o.checkpointEvery = 2
        let dir = try XCTUnwrap(try train(model: model, options: o) { _ in }.runDirectory)
        let state4 = try file(dir, "train_state.safetensors")
        var o2 = options()
        o2.maxSteps = 2
        o2.force = true
        o2.outDirectory = dir
        _ = try train(model: model, options: o2) { _ in }
        try state4.write(to: URL(fileURLWithPath: dir + "/train_state.safetensors"))
        var r = options(dir)
        r.resume = true
        XCTAssertThrowsError(try train(model: model, options: r) { _ in }) { error in
            XCTAssertEqual(error as? TrainError, .checkpoint("\(dir)/model.safetensors is from step 2 but \(dir)/train_state.safetensors from step 4 "
                + "(a checkpoint write was cut off); continuing would mix them"))
        }
    }

    func testADivergingRunWarns() throws {
        let model = try checkSpec("""
        regula: 1
        model: diverge
        input: [1, 28, 28]
        layers:
          - flatten
          - dense: 10
        train: {optimizer: {kind: sgd, lr: 0.1}, batch_size: 16}
        data: {dir: \(repoRoot)/data/mnist, normalize: {scale: 1}}
        """)
        var o = options()
        o.limit = 1600
        o.epochs = 1
        var lines: [String] = []
        let r = try train(model: model, options: o) { lines.append($0) }
        let warning = try XCTUnwrap(r.divergence)
        XCTAssertTrue(lines.contains("warning: " + warning), "\(lines)")
        let events = String(decoding: try file(try XCTUnwrap(r.runDirectory), "metrics.jsonl"), as: UTF8.self)
        XCTAssertTrue(events.contains("\"event\":\"divergence\""), events)
    }
}
