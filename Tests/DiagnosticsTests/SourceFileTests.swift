import XCTest
@testable import Diagnostics

final class SourceFileTests: XCTestCase {
    func testLinesSplitOnEveryTerminator() {
        let f = SourceFile(path: "a.yaml", text: "a\nbb\r\nccc\rd")
        XCTAssertEqual(f.lines.map(String.init), ["a", "bb", "ccc", "d"])
        XCTAssertEqual(f.line(2).map(String.init), "bb")
        XCTAssertNil(f.line(5))
    }

    func testSortedPutsDiagnosticsInFileOrder() {
        var bag = DiagnosticBag()
        let r = { (l: Int) in SourceRange(file: "a", at: SourceLocation(line: l, column: 1)) }
        bag.append(.error("x", "second", at: r(3)))
        bag.append(.warning("y", "first", at: r(1)))
        XCTAssertEqual(bag.sorted.map(\.message), ["first", "second"])
        XCTAssertTrue(bag.hasErrors)
    }
}
