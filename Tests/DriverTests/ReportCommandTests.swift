import Foundation
import XCTest

/// `regula train` leaves what `regula report` and TensorBoard read (run.json, an event file),
/// and `regula report` turns two runs into a page, its figures and a terminal table.
final class ReportCommandTests: XCTestCase {
    func testTrainThenReport() throws {
        let dir = NSTemporaryDirectory() + "regula-report-cli-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        for (name, spec) in [("mlp", "specs/mnist_mlp.yaml"), ("l1", "specs/mlp_l1.yaml")] {
            let r = try CLI.run(["train", spec, "--out", dir + "/" + name, "--steps", "4", "--limit", "256", "--epochs", "1"])
            XCTAssertEqual(r.status, 0, r.stderr)
        }
        let info = try String(contentsOfFile: dir + "/mlp/run.json", encoding: .utf8)
        XCTAssertTrue(info.contains("\"spec\": \"specs/mnist_mlp.yaml\""), info)
        XCTAssertTrue(info.contains("\"layer 2 dropout\": \"p 0.5\""), info)
        let files = try FileManager.default.contentsOfDirectory(atPath: dir + "/mlp")
        XCTAssertEqual(files.filter { $0.hasPrefix("events.out.tfevents.") }.count, 1, "\(files)")

        let report = try CLI.run(["report", dir + "/mlp", dir + "/l1", "-o", dir + "/out/report.html"])
        XCTAssertEqual(report.status, 0, report.stderr)
        XCTAssertTrue(report.stdout.hasPrefix("#  run"), report.stdout)
        XCTAssertTrue(report.stdout.contains("wrote \(dir)/out/report.html and"), report.stdout)
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/out/report.html"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/out/report-figures/loss.svg"))

        let missing = try CLI.run(["report", dir + "/nothing-here", "-o", dir + "/out/x.html"])
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.stderr.contains("neither a run folder"), missing.stderr)
    }
}
