import Foundation
@testable import Training
import XCTest

/// Progress lines, the bar, the divergence warning and the run folder's lock.
final class ProgressTests: XCTestCase {
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

    /// Learning rates and losses in progress lines read as people write them.
    func testNumbersPrintWithFourSignificantDigits() {
        XCTAssertEqual(significant(0.0024471741852423235), "0.002447")
        XCTAssertEqual(significant(0.1), "0.1")
        XCTAssertEqual(significant(250_860), "2.509e+05")
    }

    func testDivergenceGuardFiresOnceOnAGrowingLossOnly() {
        var g = DivergenceGuard()
        for step in 1...200 { XCTAssertNil(g.observe(step: step, loss: 2.3 - Double(step) * 0.005, learningRate: 0.1)) }
        var h = DivergenceGuard()
        var fired: [Int] = []
        for step in 1...200 {
            let loss = step <= 30 ? 2.3 : 2.3 * pow(1.2, Double(step - 30))
            if h.observe(step: step, loss: loss, learningRate: 0.1) != nil { fired.append(step) }
        }
        XCTAssertEqual(fired.count, 1)
        XCTAssertEqual(h.warning?.hasPrefix("the training loss is diverging: its running mean is "), true)
        // One spike does not fire it.
        var k = DivergenceGuard()
        for step in 1...200 { XCTAssertNil(k.observe(step: step, loss: step == 100 ? 50 : 2.0, learningRate: 0.1)) }
        // Exploding at the first update (unnormalized inputs, lr 0.1) fires too.
        var e = DivergenceGuard()
        XCTAssertNil(e.observe(step: 1, loss: 40, learningRate: 0.1))
        XCTAssertEqual((2...30).compactMap { e.observe(step: $0, loss: 30_000, learningRate: 0.1) }.count, 1)
    }

    /// The lock is created exclusively: a lock that a live process holds is never replaced, even
    /// if it appeared after the check for a running run.
    func testTheLockIsExclusive() throws {
        let folder = RunFolder(path: NSTemporaryDirectory() + "regula-lock-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(atPath: folder.path, withIntermediateDirectories: true)
        try folder.lock()
        XCTAssertEqual(try String(contentsOfFile: folder.lockPath, encoding: .utf8), "\(getpid())\n")
        try "\(getppid())\n".write(toFile: folder.lockPath, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try folder.lock()) { error in
            XCTAssertEqual(error as? TrainError, .io("\(folder.path) is in use by another regula train (its run.lock appeared just now); choose another --out"))
        }
        XCTAssertEqual(try String(contentsOfFile: folder.lockPath, encoding: .utf8), "\(getppid())\n")
    }
}
