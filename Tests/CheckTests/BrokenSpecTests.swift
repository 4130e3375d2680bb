import XCTest
import Diagnostics
@testable import Check

/// Walks specs/broken: each file carries its expected diagnostics as comments
/// (`# expected-error {{message}}`, `# expected-warning@+1 {{message}}`; see specs/broken/README.md),
/// and the set of (line, severity, message) the parser and checker produce must equal them exactly.
final class BrokenSpecTests: XCTestCase {
    struct Expectation: Hashable, CustomStringConvertible {
        var line: Int
        var severity: String
        var message: String
        var description: String { "\(line): \(severity): \(message)" }
    }

    /// The expectations written in `text`.
    static func expectations(in text: String) -> [Expectation] {
        var out: [Expectation] = []
        let pattern = try! NSRegularExpression(pattern: #"expected-(error|warning)(@[+-]\d+)?\s*\{\{(.*?)\}\}"#)
        for (k, line) in text.components(separatedBy: "\n").enumerated() {
            guard let hash = line.firstIndex(of: "#") else { continue }
            let comment = String(line[hash...])
            let ns = comment as NSString
            for m in pattern.matches(in: comment, range: NSRange(location: 0, length: ns.length)) {
                let severity = ns.substring(with: m.range(at: 1))
                let offset = m.range(at: 2).location == NSNotFound ? 0 : Int(ns.substring(with: m.range(at: 2)).dropFirst()) ?? 0
                out.append(Expectation(line: k + 1 + offset, severity: severity, message: ns.substring(with: m.range(at: 3))))
            }
        }
        return out
    }

    func testEveryBrokenSpecProducesExactlyItsExpectedDiagnostics() throws {
        let dir = repoRoot + "/specs/broken"
        let files = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".regula") }.sorted()
        XCTAssertGreaterThanOrEqual(files.count, 20)
        var seenIDs: Set<String> = []
        for f in files {
            let text = try String(contentsOfFile: dir + "/" + f, encoding: .utf8)
            let expected = Self.expectations(in: text)
            XCTAssertFalse(expected.isEmpty, "\(f) has no expectations")
            let (_, diagnostics) = checkYAML(text, file: "specs/broken/" + f, options: CheckOptions(physicalMemory: 1 << 30))
            let actual = diagnostics.filter { $0.severity != .note }.map {
                Expectation(line: $0.range.start.line, severity: $0.severity.rawValue, message: $0.message)
            }
            seenIDs.formUnion(diagnostics.map(\.id))
            let missing = expected.filter { !actual.contains($0) }
            let unexpected = actual.filter { !expected.contains($0) }
            XCTAssertTrue(missing.isEmpty && unexpected.isEmpty && expected.count == actual.count,
                          "\(f):\n  missing: \(missing)\n  unexpected: \(unexpected)")
        }
        // The corpus covers every rule issue 2 names.
        for id in ["unknown-kind", "unknown-argument", "wrong-type", "missing-argument", "out-of-range", "duplicate-name",
                   "unknown-reference", "cycle", "recursive-block", "size-mismatch", "missing-flatten", "spatial-size",
                   "shape-mismatch", "norm-mismatch", "heads-mismatch", "reshape-mismatch", "expect-failed",
                   "decay-on-norm", "decay-on-bias", "dropout-before-batchnorm", "stochastic-depth-without-shortcut",
                   "label-smoothing-loss", "memory", "unknown-key", "conflicting-rules", "unused-rule", "augment-input", "groups-mismatch", "block-size",
                   "conflicting-arguments"] {
            XCTAssertTrue(seenIDs.contains(id), "no broken spec exercises \(id)")
        }
    }

    func testExpectationParserReadsOffsetsAndSeveralPerLine() {
        let text = "a: 1 # expected-error {{one}} expected-warning {{two}}\n# expected-error@+1 {{three}}\nb: 2\n"
        XCTAssertEqual(Self.expectations(in: text).map(\.description), ["1: error: one", "1: warning: two", "3: error: three"])
    }
}
