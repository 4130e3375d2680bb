import Foundation
import Runtime
import TestSupport
@testable import Training
import XCTest

/// `data: {format: cifar10, dir: …}` loads the extracted binary folder's standard files.
final class CIFARDataTests: XCTestCase {
    private func folder() throws -> String {
        let dir = NSTemporaryDirectory() + "regula-cifar-\(getpid())-\(UInt32.random(in: 0...UInt32.max))/cifar-10-batches-bin"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: (dir as NSString).deletingLastPathComponent) }
        for b in 1...5 {
            let bytes = (0..<4).flatMap { cifarRecord([UInt8((b + $0) % 10)]) }
            try Data(bytes).write(to: URL(fileURLWithPath: dir + "/data_batch_\(b).bin"))
        }
        try Data([7, 8, 9].flatMap { cifarRecord([$0]) }).write(to: URL(fileURLWithPath: dir + "/test_batch.bin"))
        return dir
    }

    private func recipe(_ dir: String) -> DataRecipe {
        DataRecipe(format: .cifar10, trainInputs: dir, testInputs: dir, inputShape: [3, 32, 32], classes: 10,
                   normalization: Normalization(scale: 255))
    }

    func testTheFiveTrainingBatchesAndTheTestBatch() throws {
        let dir = try folder()
        let data = try TrainingData.load(recipe(dir), options: TrainOptions())
        XCTAssertEqual(data.train.count, 20)
        XCTAssertEqual(Array(data.train.labels.prefix(8)), [1, 2, 3, 4, 2, 3, 4, 5], "batch 1's records, then batch 2's")
        XCTAssertEqual(Array(try XCTUnwrap(data.test).labels), [7, 8, 9])
        XCTAssertEqual(data.train.element(0, 1024 + 33), Float((1 * 7 + 31 + 3 + 1) % 256))
    }

    /// `--data` may name the folder itself (or its parent, as for every other format).
    func testDataOptionNamesTheFolderOrItsParent() throws {
        let dir = try folder()
        for given in [dir, (dir as NSString).deletingLastPathComponent] {
            var o = TrainOptions()
            o.dataDirectory = given
            XCTAssertEqual(try TrainingData.load(recipe("elsewhere/cifar-10-batches-bin"), options: o).train.count, 20, given)
        }
    }

    func testAMissingBatchIsNamed() throws {
        let dir = try folder()
        try FileManager.default.removeItem(atPath: dir + "/data_batch_3.bin")
        XCTAssertThrowsError(try TrainingData.load(recipe(dir), options: TrainOptions())) { error in
            XCTAssertTrue("\(error)".contains("data_batch_3.bin"), "\(error)")
        }
    }
}
