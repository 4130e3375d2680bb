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

    /// The DSL twin of every spec checks clean and gives the same model, row for row and tensor for tensor.
    func testDSLTwinsCheckToTheSameModel() throws {
        let dir = repoRoot + "/specs"
        let files = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".regula") }.sorted()
        XCTAssertGreaterThanOrEqual(files.count, 10)
        for f in files {
            let (dslModel, d) = try checkFile("specs/" + f)
            XCTAssertEqual(lines(d), [], f)
            let yaml = try checkFile("specs/" + f.replacingOccurrences(of: ".regula", with: ".yaml")).model
            let (a, b) = (try XCTUnwrap(dslModel, f), try XCTUnwrap(yaml, f))
            XCTAssertEqual(summarize(a), summarize(b), f)
            XCTAssertEqual(a.parameters, b.parameters, f)
            XCTAssertEqual(a.nodes.map(\.op), b.nodes.map(\.op), f)
            XCTAssertEqual(a.training, b.training, f)
        }
    }
}
