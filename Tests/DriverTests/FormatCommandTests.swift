import XCTest

/// `regula fmt` and `regula convert` keep comments and agree with the committed specs.
final class FormatCommandTests: XCTestCase {
    func testCommittedDSLSpecsAreCanonical() throws {
        let specs = try FileManager.default.contentsOfDirectory(atPath: CLI.root.appendingPathComponent("specs").path)
            .filter { $0.hasSuffix(".regula") }
        XCTAssertFalse(specs.isEmpty)
        for name in specs {
            let result = try CLI.run(["fmt", "--check", "specs/" + name])
            XCTAssertEqual(result.status, 0, "specs/\(name) is not in canonical form; run regula fmt --in-place")
        }
    }

    func testConvertKeepsComments() throws {
        let yaml = try String(contentsOf: CLI.root.appendingPathComponent("specs/mnist_cnn.yaml"), encoding: .utf8)
        let firstComment = try XCTUnwrap(yaml.split(separator: "\n").first { $0.hasPrefix("#") })
        let result = try CLI.run(["convert", "specs/mnist_cnn.yaml", "--to", "regula"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains(firstComment), result.stdout)
        XCTAssertTrue(result.stdout.contains("conv2d(filters: 16, kernel: 3, padding: 1)"), result.stdout)
    }

    func testFmtInPlaceRefusesYAML() throws {
        let result = try CLI.run(["fmt", "--in-place", "specs/mnist_cnn.yaml"])
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.stderr.contains("--in-place rewrites .regula files only"), result.stderr)
    }
}
