import Foundation
import XCTest
@testable import Runtime

final class MetricsTests: XCTestCase {
    func testCSVAndJSONLines() throws {
        let dir = TempDir()
        let w = try MetricsWriter(folder: dir.url.path)
        w.append(EpochMetrics(epoch: 1, step: 469, lr: 0.001, trainLoss: 0.25, trainAccuracy: 0.93, valLoss: 0.125,
                              valAccuracy: 0.96, samplesPerSecond: 51234.5, elapsed: 1.5))
        w.append(EpochMetrics(epoch: 2, step: 938, lr: 1e-5, trainLoss: .nan, trainAccuracy: 0.5, samplesPerSecond: 10, elapsed: 3))
        let csv = try String(contentsOfFile: w.csvPath, encoding: .utf8)
        XCTAssertEqual(csv, """
            epoch,step,lr,train_loss,train_acc,val_loss,val_acc,samples_per_sec,elapsed
            1,469,0.001,0.25,0.93,0.125,0.96,51234.5,1.5
            2,938,1e-05,nan,0.5,,,10.0,3.0

            """)
        let lines = try String(contentsOfFile: w.jsonlPath, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 2)
        let first = try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any]
        XCTAssertEqual(first?["val_acc"] as? Double, 0.96)
        XCTAssertEqual(first?["step"] as? Int, 469)
        let second = try JSONSerialization.jsonObject(with: Data(lines[1].utf8)) as? [String: Any]
        XCTAssertTrue(second?["train_loss"] is NSNull)
        XCTAssertTrue(second?["val_loss"] is NSNull)
        // Resuming appends without a second header.
        let resumed = try MetricsWriter(folder: dir.url.path, append: true)
        resumed.append(EpochMetrics(epoch: 3, step: 1407, lr: 0, trainLoss: 0.1, trainAccuracy: 0.97, samplesPerSecond: 1, elapsed: 4))
        XCTAssertEqual(try String(contentsOfFile: w.csvPath, encoding: .utf8).split(separator: "\n").count, 4)
    }

    func testPeakResidentMemoryGrowsWithAllocation() {
        guard let before = ProcessMemory.peakResidentBytes() else { return XCTFail("no peak RSS on this platform") }
        #if os(Linux)
        XCTAssertNotNil(ProcessMemory.statusField("VmHWM:"), "/proc/self/status VmHWM must parse")
        XCTAssertNotNil(ProcessMemory.currentResidentBytes())
        #endif
        XCTAssertGreaterThan(before, 1 << 20)
        let n = 64 << 20
        let p = UnsafeMutablePointer<UInt8>.allocate(capacity: n)
        p.initialize(repeating: 1, count: n)                 // touch the pages
        let after = ProcessMemory.peakResidentBytes() ?? 0
        XCTAssertGreaterThanOrEqual(after, before)
        XCTAssertGreaterThanOrEqual(after, (ProcessMemory.currentResidentBytes() ?? 0))
        XCTAssertGreaterThan(after, n)
        p.deallocate()
    }
}
