import XCTest

/// The CLI's exit-code contract: 0 clean (warnings allowed), 1 diagnostics with errors, 2 usage or I/O.
final class ExitCodeTests: XCTestCase {
    func testGoodSpecsLintCleanWithExitZero() throws {
        let specs = try FileManager.default.contentsOfDirectory(atPath: CLI.root.appendingPathComponent("specs").path)
            .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".regula") }
            .map { "specs/" + $0 }
        XCTAssertFalse(specs.isEmpty)
        let result = try CLI.run(["lint"] + specs)
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
    }

    func testBrokenSpecExitsOne() throws {
        let broken = try FileManager.default.contentsOfDirectory(atPath: CLI.root.appendingPathComponent("specs/broken").path)
            .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".regula") }
            .sorted()
        XCTAssertFalse(broken.isEmpty)
        for name in broken {
            let text = try String(contentsOf: CLI.root.appendingPathComponent("specs/broken/" + name), encoding: .utf8)
            guard text.contains("expected-error") else { continue }
            let result = try CLI.run(["lint", "specs/broken/" + name])
            XCTAssertEqual(result.status, 1, "\(name): \(result.stdout)\(result.stderr)")
            XCTAssertTrue(result.stdout.contains("specs/broken/\(name):"), "\(name): \(result.stdout)")
        }
    }

    func testMissingFileExitsTwo() throws {
        let result = try CLI.run(["lint", "specs/does-not-exist.yaml"])
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.stderr.contains("cannot read 'specs/does-not-exist.yaml'"), result.stderr)
    }

    func testUnknownOptionExitsTwo() throws {
        let result = try CLI.run(["lint", "--no-such-option", "specs/mnist_mlp.yaml"])
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.stderr.contains("--no-such-option"), result.stderr)
    }
}

/// `regula lint FOLDER` searches the folder for spec files.
final class LintFolderTests: XCTestCase {
    func testFolderArgumentLintsEverySpecBelowIt() throws {
        let result = try CLI.run(["lint", "--format", "json", "specs/broken"])
        XCTAssertEqual(result.status, 1)
        // Every broken spec that expects an error appears (the memory warning depends on the machine).
        let folder = CLI.root.appendingPathComponent("specs/broken")
        let broken = try FileManager.default.contentsOfDirectory(atPath: folder.path)
            .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".regula") }
            .filter { (try? String(contentsOf: folder.appendingPathComponent($0), encoding: .utf8))?.contains("expected-error") == true }
        let reported = Set(try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
            .compactMap { $0["file"] as? String })
        XCTAssertGreaterThan(broken.count, 30)
        XCTAssertTrue(Set(broken.map { "specs/broken/" + $0 }).isSubset(of: reported))
    }
}

/// Every command that reads a spec prints its diagnostics and exits 1 on a broken one.
final class BrokenSpecCommandTests: XCTestCase {
    func testEveryCommandReportsDiagnosticsOnABrokenSpec() throws {
        let spec = "specs/broken/in_features_flatten.yaml"
        for command in [["summary"], ["ir"], ["train", "--steps", "1"], ["eval", "--checkpoint", "none.safetensors"], ["compile", "-o", NSTemporaryDirectory() + "regula-broken-out"]] {
            let result = try CLI.run(command + [spec])
            XCTAssertEqual(result.status, 1, "\(command): \(result.stderr)")
            XCTAssertTrue(result.stderr.contains("\(spec):8:28: error: expected in_features 1568 (32·7·7) but declared 1600"),
                          "\(command): \(result.stderr)")
        }
    }

    func testParseOnlyCommandsReportSyntaxErrors() throws {
        let spec = "specs/broken/syntax_duplicate_keys.yaml"
        for command in [["convert"], ["fmt"]] {
            let result = try CLI.run(command + [spec])
            XCTAssertEqual(result.status, 1, "\(command): \(result.stderr)")
            XCTAssertTrue(result.stderr.contains("error: duplicate key"), "\(command): \(result.stderr)")
        }
    }
}
