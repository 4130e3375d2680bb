import Diagnostics
import Syntax
import TestSupport
import XCTest
@testable import Check

/// Diagnostics at the use: an error inside a block or a repeat names the chain of uses that
/// reached it, innermost first, each at its place; SARIF carries the chain as related locations.
final class UseChainTests: XCTestCase {
    func diagnostics() throws -> (SourceFile, [Diagnostic]) {
        let path = "specs/broken/block_use_chain.yaml"
        let source = SourceFile(path: path, text: try String(contentsOfFile: repoRoot + "/" + path, encoding: .utf8))
        let (spec, pd) = parseSpec(source)
        XCTAssertEqual(pd, [])
        return (source, check(try XCTUnwrap(spec), options: plentyOfMemory).diagnostics)
    }

    func testOnlyTheWrongUseIsReportedWithItsChain() throws {
        let (_, d) = try diagnostics()
        XCTAssertEqual(d.count, 2)
        let residual = try XCTUnwrap(d.first)
        XCTAssertEqual(residual.message, "residual body output [24, 8, 8] does not match its identity shortcut [16, 8, 8]")
        XCTAssertEqual(residual.notes.map { "\($0.range.map { "\($0.start.line):\($0.start.column)" } ?? "-") \($0.message)" }, [
            "13:15 the body ends here",
            "21:15 in block 'res' used here with filters: 24",
            "18:18 in repeat iteration i = 1 of 0..<2",
            "28:5 in block 'stage' used here with n: 8",
        ])
        // A mistake in a block's definition that every use repeats is reported once.
        let typo = d[1]
        XCTAssertEqual(typo.message, "unknown argument 'dropuot' for 'dense'")
        XCTAssertEqual(typo.notes.map(\.message), ["in block 'plain' used here", "the same error in 1 more use"])
    }

    func testRenderedChainInTextAndSARIF() throws {
        let (source, d) = try diagnostics()
        assertSnapshot(DiagnosticRenderer.text(d, sources: [source.path: source], color: false), named: "use-chain.txt")
        let sarif = DiagnosticRenderer.sarif(d, toolVersion: "test")
        assertSnapshot(sarif, named: "use-chain.sarif")
        let root = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(sarif.utf8)) as? [String: Any])
        let runs = try XCTUnwrap(root["runs"] as? [[String: Any]])
        let results = try XCTUnwrap(runs.first?["results"] as? [[String: Any]])
        let related = try XCTUnwrap(results.first?["relatedLocations"] as? [[String: Any]])
        let texts = related.compactMap { ($0["message"] as? [String: Any])?["text"] as? String }
        XCTAssertEqual(texts.suffix(3), ["in block 'res' used here with filters: 24", "in repeat iteration i = 1 of 0..<2",
                                         "in block 'stage' used here with n: 8"])
    }
}
