@testable import Training
import XCTest

/// The command line of generated trainers: `regula train`'s options, and clear usage errors.
final class TrainerCommandTests: XCTestCase {
    func testEveryTrainOptionReachesTheOptions() throws {
        let o = try TrainerCommand.parse(["--data", "d", "--epochs", "4", "--steps", "30", "--seed", "7", "--threads", "3",
                                          "--limit", "100", "--out", "runs/x", "--force", "--init", "m.safetensors",
                                          "--checkpoint-every", "50", "--progress", "quiet"])
        XCTAssertEqual(o.dataDirectory, "d")
        XCTAssertEqual(o.epochs, 4)
        XCTAssertEqual(o.maxSteps, 30)
        XCTAssertEqual(o.seed, 7)
        XCTAssertEqual(o.threads, 3)
        XCTAssertEqual(o.limit, 100)
        XCTAssertEqual(o.outDirectory, "runs/x")
        XCTAssertTrue(o.force)
        XCTAssertEqual(o.initCheckpoint, "m.safetensors")
        XCTAssertEqual(o.checkpointEvery, 50)
        XCTAssertEqual(o.progress, .quiet)
        XCTAssertNil(o.stepCallback)
        XCTAssertTrue(try TrainerCommand.parse(["--resume"]).resume)
        XCTAssertNotNil(try TrainerCommand.parse(["--log-steps"]).stepCallback)
        XCTAssertEqual(try TrainerCommand.parse([]).progress, .auto, "as regula train")
    }

    func testUsageMistakesAreNamed() {
        func message(_ args: [String], evaluating: Bool = false) -> String? {
            do { _ = try TrainerCommand.parse(args, evaluating: evaluating); return nil } catch { return (error as? TrainerCommand.UsageError)?.message }
        }
        XCTAssertEqual(message(["--bogus"]), "unknown option '--bogus'")
        XCTAssertEqual(message(["--epochs"]), "--epochs needs a value")
        XCTAssertEqual(message(["--epochs", "0"]), "--epochs needs a whole number ≥ 1, not '0'")
        XCTAssertEqual(message(["--seed", "-1"]), "--seed needs a whole number ≥ 0, not '-1'")
        XCTAssertEqual(message(["--threads", "two"]), "--threads needs a whole number ≥ 1, not 'two'")
        XCTAssertEqual(message(["--progress", "loud"]), "--progress takes bar, lines or quiet, not 'loud'")
        XCTAssertEqual(message(["--resume", "--init", "m"]), "--resume and --init cannot be combined")
        XCTAssertEqual(message(["--resume", "--force"]), "--resume and --force cannot be combined")
        // An evaluation program takes --checkpoint and none of the training options.
        XCTAssertEqual(message(["--epochs", "3"], evaluating: true), "--epochs is not an option of this program")
        XCTAssertEqual(message(["--checkpoint", "m"]), "--checkpoint is not an option of this program")
        XCTAssertNil(message(["--checkpoint", "m", "--limit", "10"], evaluating: true))
    }
}
