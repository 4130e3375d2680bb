import TestSupport
import XCTest

/// `--help` is user-facing text: pinned by snapshots (`REGULA_RECORD=1` re-records).
final class HelpSnapshotTests: XCTestCase {
    func testHelpOfEveryCommand() throws {
        let commands = ["", "lint", "summary", "convert", "fmt", "schema", "ir", "train", "eval", "compile", "bench"]
        for command in commands {
            let arguments = command.isEmpty ? ["--help"] : ["help", command]
            let result = try CLI.run(arguments)
            XCTAssertEqual(result.status, 0, result.stderr)
            assertSnapshot(result.stdout, named: "help\(command.isEmpty ? "" : "-" + command).txt")
        }
    }
}
