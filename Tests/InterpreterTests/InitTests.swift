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

    func testProgressBarAndDurations() {
        XCTAssertEqual(ProgressDisplay.barGlyphs(5, 10, width: 4), "[==  ]")
        XCTAssertEqual(duration(75), "1m15s")
        XCTAssertEqual(duration(3720), "1h02m")
        var lines: [String] = []
        var p = ProgressDisplay(style: .lines, lineEvery: 2) { lines.append($0) }
        for s in 1...4 { p.step(epoch: 1, epochs: 1, step: s, stepsPerEpoch: 4, loss: 0.5, accuracy: 0.9, samplesPerSecond: 100, eta: 1) }
        XCTAssertEqual(lines.count, 2)
        XCTAssertTrue(lines[0].hasPrefix("epoch 1/1  step 2/4  loss 0.5000  acc 90.00%"))
    }

    /// On a terminal the bar is redrawn in place with `\r` and cleared before the next line.
    func testProgressBarRedrawsInPlace() {
        var lines: [String] = [], bar: [String] = []
        var p = ProgressDisplay(style: .bar, lineEvery: 1, log: { lines.append($0) }, bar: { bar.append($0) })
        p.step(epoch: 2, epochs: 3, step: 4, stepsPerEpoch: 4, loss: 0.25, accuracy: 0.5, samplesPerSecond: 1000, eta: 75)
        p.line("epoch 2/3: done")
        XCTAssertEqual(bar.count, 2)
        XCTAssertTrue(bar[0].hasPrefix("\r\u{1B}[K[====================] epoch 2/3  step 4/4  loss 0.2500"), bar[0])
        XCTAssertTrue(bar[0].hasSuffix("ETA 1m15s"), bar[0])
        XCTAssertFalse(bar[0].contains("\n"))
        XCTAssertEqual(bar[1], "\r\u{1B}[K")
        XCTAssertEqual(lines, ["epoch 2/3: done"])
    }
}
