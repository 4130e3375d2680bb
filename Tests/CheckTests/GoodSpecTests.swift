import XCTest
import Diagnostics
@testable import Check

/// Every spec in specs/ (not specs/broken) checks without errors or warnings.
final class GoodSpecTests: XCTestCase {
    func testEveryGoodSpecLintsClean() throws {
        let dir = repoRoot + "/specs"
        let files = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".yaml") }.sorted()
        XCTAssertGreaterThanOrEqual(files.count, 10)
        for f in files {
            let (model, d) = try checkFile("specs/" + f)
            XCTAssertEqual(lines(d), [], f)
            XCTAssertNotNil(model, f)
        }
    }
}
