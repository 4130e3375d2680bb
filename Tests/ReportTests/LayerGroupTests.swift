@testable import Report
import XCTest

/// Which weight tensors one histogram compares across runs.
final class LayerGroupTests: XCTestCase {
    private func run(_ name: String, _ weights: [(String, [Int])]) -> RunRecord {
        RunRecord(name: name, folder: name, rows: [],
                  weights: weights.map { RunRecord.Weight(name: $0.0, shape: $0.1, values: [0, 1]) })
    }

    func testStateDictNamesSortByLayerNumber() {
        XCTAssertEqual(["10.weight", "2.weight", "2.bias", "0.weight"].sorted(by: stateDictOrder),
                       ["0.weight", "2.bias", "2.weight", "10.weight"])
    }

    /// Dropout layers shift PyTorch's indices (0, 3, 6 instead of 0, 2, 4); the same shapes in
    /// the same order still pair up.
    func testSameShapesPairByPositionAcrossIndexShifts() {
        let a = run("plain", [("0.weight", [256, 784]), ("2.weight", [10, 256])])
        let b = run("dropout", [("0.weight", [256, 784]), ("3.weight", [10, 256])])
        let groups = layerGroups([a, b])
        XCTAssertEqual(groups.map(\.title), ["0.weight [256×784]", "2.weight / 3.weight [10×256]"])
        XCTAssertEqual(groups.map { $0.members.map(\.run) }, [[0, 1], [0, 1]])
    }

    func testDifferentNetworksPairByName() {
        let a = run("mlp", [("0.weight", [256, 784]), ("2.weight", [10, 256])])
        let b = run("wide", [("0.weight", [512, 784]), ("2.weight", [10, 512])])
        let groups = layerGroups([a, b, run("empty", [])])
        XCTAssertEqual(groups.map(\.title), ["0.weight", "2.weight"])
        XCTAssertEqual(groups.map { $0.members.map(\.run) }, [[0, 1], [0, 1]])
    }

    /// A sweep's legend names each variant by the overrides that differ, not by its folder name.
    func testSweepLegendsNameTheOverridesThatDiffer() {
        var a = run("dropout=0_weight_decay=0_validation_split=0.1", []), b = run("dropout=0.5_weight_decay=1e-4_validation_split=0.1", [])
        a.overrides = ["layers.*.dropout": "0", "defaults.weight_decay": "0", "data.validation_split": "0.1"]
        b.overrides = ["layers.*.dropout": "0.5", "defaults.weight_decay": "1e-4", "data.validation_split": "0.1"]
        XCTAssertEqual(legendLabels([a, b]), ["1 weight_decay=0 dropout=0", "2 weight_decay=1e-4 dropout=0.5"])
        XCTAssertEqual(legendLabels([run("plain", []), run("l1", [])]), ["1 plain", "2 l1"])
    }
}
