import XCTest
@testable import Diagnostics

/// The one JSON writer shared by the renderers, `regula schema` and the YAML printer's quoting.
final class JSONTests: XCTestCase {
    func testStringsAreEscaped() {
        XCTAssertEqual(JSON.quote("a\"b\\c\nd\u{1}"), #""a\"b\\c\nd\u0001""#)
    }

    func testNumbersRenderAsIntegersWhenWhole() {
        XCTAssertEqual(JSON.array([.number(3), .number(0.5), .int(-2)]).rendered(), "[\n  3,\n  0.5,\n  -2\n]\n")
    }

    func testObjectsKeepInsertionOrder() throws {
        let text = JSON.object([("z", .bool(true)), ("a", .null)]).rendered()
        XCTAssertLessThan(try XCTUnwrap(text.range(of: "\"z\"")).lowerBound, try XCTUnwrap(text.range(of: "\"a\"")).lowerBound)
        XCTAssertNotNil(try JSONSerialization.jsonObject(with: Data(text.utf8)))
    }
}
