import Foundation
import Runtime
import TestSupport
@testable import Training
import XCTest

/// The loop's TensorBoard event files, read back by TensorBoard's own reader (the `tensorboard`
/// package that scripts/test installs): the expected tags and step counts, and no doubled steps
/// after `--resume`.
final class TensorBoardTests: XCTestCase {
    private func folder() -> String {
        let dir = NSTemporaryDirectory() + "regula-tb-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        return dir
    }

    private func train(_ out: String, steps: Int? = nil, resume: Bool = false) throws {
        var o = TrainOptions()
        o.outDirectory = out
        o.maxSteps = steps
        o.resume = resume
        o.progress = .quiet
        let (train, validation) = LinearModel.data(count: 64).split(validationFraction: 0.25)
        let data = TrainingData(train: train, validation: validation, test: nil, normalization: Normalization())
        _ = try TrainingLoop.run(LinearModel(batch: 8), recipe: LinearModel.recipe(epochs: 3, validation: 0.25), data: data, options: o) { _ in }
    }

    /// Tags, steps and histogram counts as TensorBoard's `EventAccumulator` sees them.
    private func read(_ dir: String) throws -> [String: Any] {
        let python = try TestTools.require(.python)
        let script = """
            import json, sys
            from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
            ea = EventAccumulator(sys.argv[1], size_guidance={'scalars': 0, 'histograms': 0}); ea.Reload()
            tags = ea.Tags()
            out = {t: [e.step for e in ea.Scalars(t)] for t in tags['scalars']}
            out.update({t: [e.step for e in ea.Histograms(t)] for t in tags['histograms']})
            out['num'] = ea.Histograms('weights/weight')[-1].histogram_value.num
            print(json.dumps(out))
            """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python)
        p.arguments = ["-c", script, dir]
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0)
        return try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
    }

    func testEventFilesHoldScalarsPerStepAndEpochAndWeightHistograms() throws {
        let dir = folder()
        try train(dir)
        let tags = try read(dir)
        // 48 training examples, batch 8: 6 steps per epoch, 3 epochs.
        XCTAssertEqual(tags["step/train_loss"] as? [Int], Array(1...18))
        for t in ["epoch/train_loss", "epoch/train_acc", "epoch/val_loss", "epoch/val_acc", "epoch/lr", "weights/weight", "weights/bias"] {
            XCTAssertEqual(tags[t] as? [Int], [6, 12, 18], t)
        }
        XCTAssertEqual(tags["num"] as? Double, Double(LinearModel.features))
    }

    /// A run that dies after step 9 with its last checkpoint at step 6 leaves events of steps
    /// 7–9 behind; resumed from step 6 it writes them again in a new file, and TensorBoard keeps
    /// only the new ones (the new file opens with SessionLog START), so every step appears once.
    func testResumeAddsAFileWithoutDoublingSteps() throws {
        let dir = folder(), saved = folder()
        try train(dir, steps: 6)  // the end of epoch 1
        try FileManager.default.createDirectory(atPath: saved, withIntermediateDirectories: true)
        for f in ["model.safetensors", "train_state.safetensors", "metrics.csv", "metrics.jsonl"] {
            try FileManager.default.copyItem(atPath: dir + "/" + f, toPath: saved + "/" + f)
        }
        try train(dir, steps: 9, resume: true)
        for f in ["model.safetensors", "train_state.safetensors", "metrics.csv", "metrics.jsonl"] {
            try FileManager.default.removeItem(atPath: dir + "/" + f)
            try FileManager.default.copyItem(atPath: saved + "/" + f, toPath: dir + "/" + f)
        }
        try train(dir, resume: true)
        let files = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasPrefix("events.out.tfevents.") }
        XCTAssertEqual(files.count, 3)
        let tags = try read(dir)
        XCTAssertEqual(tags["step/train_loss"] as? [Int], Array(1...18))
        XCTAssertEqual(tags["epoch/train_loss"] as? [Int], [6, 12, 18])
        XCTAssertEqual(tags["weights/weight"] as? [Int], [6, 12, 18])
    }
}
