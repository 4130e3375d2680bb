import TestSupport
import XCTest
@testable import Diagnostics

final class RendererTests: XCTestCase {
    let source = SourceFile(path: "specs/cnn.yaml", text: """
    model: cnn
    layers:
      - conv2d: {filters: 8, filters: 9}
      - dense: {units: 10, in: 1586}
    \t- relu
    """)

    func r(_ l1: Int, _ c1: Int, _ l2: Int, _ c2: Int, file: String = "specs/cnn.yaml") -> SourceRange {
        SourceRange(file: file, start: SourceLocation(line: l1, column: c1), end: SourceLocation(line: l2, column: c2))
    }

    var sample: [Diagnostic] {
        [
            .error("duplicate-key", "duplicate key 'filters'", at: r(3, 26, 3, 33),
                   notes: [Note("'filters' is first defined here", at: r(3, 15, 3, 22))]),
            .error("input-size-mismatch", "dense layer declares 'in: 1586' but its input has 1568 features",
                   at: r(4, 28, 4, 32), notes: [Note("32·7·7 = 1568")],
                   fixIts: [FixIt("use the inferred size", range: r(4, 28, 4, 32), replacement: "1568")]),
            .warning("tab-indentation", "tab \"character\" used for indentation", at: r(5, 1, 5, 1),
                     fixIts: [FixIt("remove the tab", range: r(5, 1, 5, 2), replacement: ""),
                              FixIt("indent with spaces", range: r(5, 1, 5, 1), replacement: "  ")]),
            .error("multi-line", "a range over two lines", at: r(3, 5, 4, 8)),
            .error("unsupported-version", "no source for this file", at: r(1, 1, 1, 2, file: "other dir/x.yaml")),
        ]
    }

    func testText() {
        assertSnapshot(DiagnosticRenderer.text(sample, sources: [source.path: source]), named: "sample.txt")
    }

    func testTextCaretPinnedInline() {
        let d = Diagnostic.error("x", "bad units", at: r(4, 13, 4, 18))
        XCTAssertEqual(DiagnosticRenderer.text([d], sources: [source.path: source]), """
        specs/cnn.yaml:4:13: error: bad units
          - dense: {units: 10, in: 1586}
                    ^~~~~

        """)
    }

    func testColorOnlyWhenAsked() {
        let plain = DiagnosticRenderer.text(sample, sources: [source.path: source], color: false)
        let colored = DiagnosticRenderer.text(sample, sources: [source.path: source], color: true)
        XCTAssertFalse(plain.contains("\u{1B}["))
        XCTAssertTrue(colored.contains("\u{1B}[1;31merror:\u{1B}[0m"))
        XCTAssertEqual(colored.replacingOccurrences(of: "\u{1B}\\[[0-9;]*m", with: "", options: .regularExpression), plain)
    }

    func testJSON() throws {
        let json = DiagnosticRenderer.json(sample)
        assertSnapshot(json, named: "sample.json")
        let parsed = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]])
        XCTAssertEqual(parsed.count, 5)
        XCTAssertEqual(parsed[1]["line"] as? Int, 4)
        XCTAssertEqual(parsed[1]["endColumn"] as? Int, 32)
        XCTAssertEqual((parsed[1]["fixIts"] as? [[String: Any]])?.first?["replacement"] as? String, "1568")
        XCTAssertEqual(parsed[2]["message"] as? String, "tab \"character\" used for indentation")
    }

    func testSARIF() throws {
        let sarif = DiagnosticRenderer.sarif(sample, toolVersion: "0.1.0")
        assertSnapshot(sarif, named: "sample.sarif")
        let log = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(sarif.utf8)) as? [String: Any])
        XCTAssertEqual(log["version"] as? String, "2.1.0")
        let run = try XCTUnwrap((log["runs"] as? [[String: Any]])?.first)
        let driver = try XCTUnwrap((run["tool"] as? [String: Any])?["driver"] as? [String: Any])
        XCTAssertEqual(driver["name"] as? String, "regula")
        XCTAssertEqual(run["columnKind"] as? String, "unicodeCodePoints")
        XCTAssertEqual((driver["rules"] as? [[String: Any]])?.compactMap { $0["id"] as? String },
                       ["duplicate-key", "input-size-mismatch", "multi-line", "tab-indentation", "unsupported-version"])
        let results = try XCTUnwrap(run["results"] as? [[String: Any]])
        XCTAssertEqual(results.map { $0["level"] as? String }, ["error", "error", "warning", "error", "error"])
        XCTAssertEqual((results[0]["relatedLocations"] as? [Any])?.count, 1)
        XCTAssertEqual((results[2]["fixes"] as? [Any])?.count, 2)
        let uri = ((((results[4]["locations"] as? [[String: Any]])?.first?["physicalLocation"] as? [String: Any])?["artifactLocation"]) as? [String: Any])?["uri"] as? String
        XCTAssertEqual(uri, "other%20dir/x.yaml")
    }

    func testEmptyListsRenderAsEmptyDocuments() {
        XCTAssertEqual(DiagnosticRenderer.text([], sources: [:]), "")
        XCTAssertEqual(DiagnosticRenderer.json([]), "[]\n")
    }
}
