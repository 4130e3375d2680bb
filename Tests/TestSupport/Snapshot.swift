import Foundation
import XCTest

/// Compares `actual` with the golden file `Snapshots/<name>` beside this test file.
/// Run with `REGULA_RECORD=1` to write (re-record) the golden files instead.
public func assertSnapshot(_ actual: String, named name: String, testFile: StaticString = #filePath,
                    file: StaticString = #filePath, line: UInt = #line) {
    let folder = URL(fileURLWithPath: "\(testFile)").deletingLastPathComponent().appendingPathComponent("Snapshots")
    let url = folder.appendingPathComponent(name)
    if ProcessInfo.processInfo.environment["REGULA_RECORD"] == "1" {
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try actual.write(to: url, atomically: true, encoding: .utf8)
        } catch {
            XCTFail("cannot record snapshot \(name): \(error)", file: file, line: line)
        }
        return
    }
    guard let expected = try? String(contentsOf: url, encoding: .utf8) else {
        XCTFail("missing snapshot \(url.path); run with REGULA_RECORD=1 to record it", file: file, line: line)
        return
    }
    if expected != actual {
        XCTFail("output differs from snapshot \(name); run with REGULA_RECORD=1 to re-record\n--- expected\n\(expected)\n--- actual\n\(actual)",
                file: file, line: line)
    }
}
