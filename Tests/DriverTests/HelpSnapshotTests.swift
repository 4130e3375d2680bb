import TestSupport
import XCTest

/// `--help` is user-facing text: pinned by snapshots (`REGULA_RECORD=1` re-records).
final class HelpSnapshotTests: XCTestCase {
    func testHelpOfEveryCommand() throws {
        let commands = ["", "lint", "summary", "convert", "fmt", "schema", "kinds", "ir", "train", "sweep", "eval", "compile", "bench",
                        "export", "export onnx", "export pytorch", "report", "lsp"]
        for command in commands {
            let arguments = command.isEmpty ? ["--help"] : ["help"] + command.split(separator: " ").map(String.init)
            let result = try CLI.run(arguments)
            XCTAssertEqual(result.status, 0, result.stderr)
            assertSnapshot(result.stdout, named: "help\(command.isEmpty ? "" : "-" + command.replacingOccurrences(of: " ", with: "-")).txt")
        }
    }

    /// `regula kinds` is the terminal reference; pinned like help text.
    func testKindsReference() throws {
        for (arguments, name) in [(["kinds"], "kinds.txt"), (["kinds", "conv"], "kinds-conv2d.txt"),
                                  (["kinds", "train.early_stopping"], "kinds-early-stopping.txt"),
                                  (["kinds", "regularize"], "kinds-regularize.txt")] {
            let result = try CLI.run(arguments)
            XCTAssertEqual(result.status, 0, result.stderr)
            assertSnapshot(result.stdout, named: name)
        }
        let unknown = try CLI.run(["kinds", "dens"])
        XCTAssertEqual(unknown.status, 2)
        XCTAssertEqual(unknown.stderr, "error: no layer kind or section named 'dens'; did you mean 'dense'?\n")
        let markdown = try CLI.run(["kinds", "--markdown"])
        let checkedIn = try String(contentsOf: CLI.root.appendingPathComponent("docs/reference.md"), encoding: .utf8)
        XCTAssertEqual(markdown.stdout, checkedIn, "docs/reference.md is what `regula kinds --markdown` prints")
    }
}
