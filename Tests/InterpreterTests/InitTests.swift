import XCTest
import Check
@testable import Interpreter

final class InitTests: XCTestCase {
    func param(_ name: String, _ shape: [Int], _ initializer: ParamInit) -> ParamInfo {
        ParamInfo(name: name, shape: shape, role: .weight, trainable: true, initializer: initializer)
    }

    /// PyTorch's default U(−1/√fanIn, 1/√fanIn): every value inside the bound, spread across it.
    func testUniformFanInStaysInsideTheBoundAndFillsIt() {
        let store = ParameterStore(parameters: [param("0.weight", [64, 100], .uniformFanIn(fanIn: 100))], seed: 7)
        let v = store.tensors[0].array
        XCTAssertTrue(v.allSatisfy { abs($0) <= 0.1 })
        XCTAssertGreaterThan(v.max() ?? 0, 0.095)
        XCTAssertLessThan(v.min() ?? 0, -0.095)
        XCTAssertEqual(Double(v.reduce(0, +)) / Double(v.count), 0, accuracy: 0.005)
    }

    /// Same seed → same weights; another seed or another position → different weights.
    func testInitializationIsKeyedBySeedAndPosition() {
        let ps = [param("0.weight", [10, 10], .uniformFanIn(fanIn: 10)), param("1.weight", [10, 10], .uniformFanIn(fanIn: 10))]
        let a = ParameterStore(parameters: ps, seed: 1), b = ParameterStore(parameters: ps, seed: 1)
        let c = ParameterStore(parameters: ps, seed: 2)
        XCTAssertEqual(a.tensors[0].array, b.tensors[0].array)
        XCTAssertNotEqual(a.tensors[0].array, c.tensors[0].array)
        XCTAssertNotEqual(a.tensors[0].array, a.tensors[1].array)
    }

    func testConstantInitializers() {
        let store = ParameterStore(parameters: [param("g", [5], .ones), param("b", [5], .zeros)], seed: 0)
        XCTAssertEqual(store.tensors[0].array, [1, 1, 1, 1, 1])
        XCTAssertEqual(store.tensors[1].array, [0, 0, 0, 0, 0])
    }
}
