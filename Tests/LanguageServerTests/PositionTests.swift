import Diagnostics
@testable import LanguageServer
import XCTest

/// LSP counts UTF-16 units from 0; Diagnostics counts Unicode scalars from 1.
final class PositionTests: XCTestCase {
    // Line 2 has "é" (1 unit, 1 scalar) and "𝔁" (2 units, 1 scalar); lines end in \n, \r\n and \r.
    let text = "ab\nxé𝔁y = 1\r\nz\rlast"

    func testLocationOfPosition() {
        let lines = LineIndex(text)
        XCTAssertEqual(lines.lineCount, 4)
        XCTAssertEqual(lines.location(of: Position(line: 0, character: 0)), SourceLocation(line: 1, column: 1))
        XCTAssertEqual(lines.location(of: Position(line: 1, character: 2)), SourceLocation(line: 2, column: 3))
        XCTAssertEqual(lines.location(of: Position(line: 1, character: 4)), SourceLocation(line: 2, column: 4))
        XCTAssertEqual(lines.location(of: Position(line: 1, character: 99)), SourceLocation(line: 2, column: 9))
        XCTAssertEqual(lines.location(of: Position(line: 3, character: 2)), SourceLocation(line: 4, column: 3))
    }

    func testPositionOfLocationRoundTrips() {
        let lines = LineIndex(text)
        XCTAssertEqual(lines.position(of: SourceLocation(line: 2, column: 4)), Position(line: 1, character: 4))
        XCTAssertEqual(lines.position(of: SourceLocation(line: 2, column: 5)), Position(line: 1, character: 5))
        XCTAssertEqual(lines.position(of: SourceLocation(line: 3, column: 2)), Position(line: 2, character: 1))
        XCTAssertEqual(lines.position(of: SourceLocation(line: 9, column: 1)), Position(line: 3, character: 4))
        for column in 1...9 {
            let p = lines.position(of: SourceLocation(line: 2, column: column))
            XCTAssertEqual(lines.location(of: p), SourceLocation(line: 2, column: column))
        }
    }

    func testIncrementalEditsUseUTF16Ranges() throws {
        var document = Document(uri: "file:///tmp/a%20b.regula", version: 1, text: text)
        XCTAssertEqual(document.path, "/tmp/a b.regula")
        // Replace "𝔁y" (units 2..<5 of line 1) with "q", then insert at the end, then delete a break.
        try document.apply(["range": ["start": ["line": 1, "character": 2], "end": ["line": 1, "character": 5]], "text": "q"])
        XCTAssertEqual(document.text, "ab\nxéq = 1\r\nz\rlast")
        try document.apply(["range": ["start": ["line": 3, "character": 4], "end": ["line": 3, "character": 4]], "text": "!\n"])
        XCTAssertEqual(document.text, "ab\nxéq = 1\r\nz\rlast!\n")
        try document.apply(["range": ["start": ["line": 0, "character": 2], "end": ["line": 1, "character": 0]], "text": ""])
        XCTAssertEqual(document.text, "abxéq = 1\r\nz\rlast!\n")
        try document.apply(["text": "whole"])
        XCTAssertEqual(document.text, "whole")
    }
}
