import XCTest
import Foundation
import Check
@testable import Interpreter

final class EarlyStoppingTests: XCTestCase {
    /// Keras semantics with a validation split: min_delta 10 makes only the first epoch an
    /// improvement, so with patience 0 the run stops after epoch 2 and restores epoch 1's
    /// weights, which must equal a 1-epoch run bit for bit; metrics files get one row per epoch.
    func testStopsAndRestoresTheBestEpoch() throws {
        var model = try loadSpec("mnist_mlp")
        model.training.data.validationSplit = 0.2
        var es = EarlyStoppingConfig()
        es.monitor = "val_loss"
        es.minDelta = 10
        es.patience = 0
        es.restoreBest = true
        model.training.earlyStopping = es
        var o = testOptions("es")
        o.limit = 1280
        o.epochs = 5
        o.evaluateTest = false
        let r = try train(model: model, options: o) { _ in }
        XCTAssertTrue(r.stoppedEarly)
        XCTAssertEqual(r.epochs.count, 2)
        XCTAssertEqual(r.bestEpoch, 1)
        XCTAssertNotNil(r.epochs[0].valLoss)
        let dir = try XCTUnwrap(r.runDirectory)
        o.epochs = 1
        o.outDirectory = dir + "-one"
        let one = try train(model: model, options: o) { _ in }
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: dir + "/model.safetensors")),
                       try Data(contentsOf: URL(fileURLWithPath: try XCTUnwrap(one.runDirectory) + "/model.safetensors")))
        let csv = try String(contentsOfFile: dir + "/metrics.csv", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(csv.first, "epoch,step,lr,train_loss,train_acc,val_loss,val_acc,samples_per_sec,elapsed")
        XCTAssertEqual(csv.count, 3)
        let jsonl = try String(contentsOfFile: dir + "/metrics.jsonl", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(jsonl.count, 2)
        let row = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(jsonl[1].utf8)) as? [String: Any])
        XCTAssertEqual(row["epoch"] as? Int, 2)
        XCTAssertNotNil(row["val_loss"] as? Double)
    }
}
