import XCTest
import Diagnostics
@testable import Syntax

/// Walks specs/broken/ for the files that test the readers (`syntax_*.yaml` and every
/// `.regula`): each carries its expected diagnostics as `# expected-error {{...}}` comments
/// (see specs/broken/README.md). When the reader stops, it must produce exactly those; when it
/// hands the spec on, its diagnostics must be among them (the checker's test walks the YAML
/// files too, parsing and checking them, and requires the whole set).
final class BrokenSyntaxTests: XCTestCase {
    func testBrokenSyntaxSpecs() throws {
        let folder = URL(fileURLWithPath: "\(#filePath)").deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("specs/broken")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
            .filter { ($0.hasPrefix("syntax_") && $0.hasSuffix(".yaml")) || $0.hasSuffix(".regula") }.sorted()
        XCTAssertGreaterThanOrEqual(names.count, 7)
        for name in names {
            let bytes = try [UInt8](Data(contentsOf: folder.appendingPathComponent(name)))
            let (source, decodeErrors) = decodeSource(path: name, bytes: bytes)
            let (spec, diags) = parseSpec(source)
            XCTAssertTrue(diags.contains { $0.severity == .error } || !decodeErrors.isEmpty, "\(name) parsed without errors")

            let actual = (decodeErrors + diags).map { "\($0.range.start.line): \($0.severity.rawValue): \($0.message)" }
            let expected = expectations(in: source)
            if spec == nil {
                XCTAssertEqual(actual.sorted(), expected.sorted(), name)
            } else {
                // The checker goes on with this file; its test checks the checker's share.
                XCTAssertEqual(actual.filter { !expected.contains($0) }, [], "\(name): unexpected reader diagnostics")
                XCTAssertFalse(actual.isEmpty, name)
            }
        }
    }

    /// `line: severity: message` for every `expected-SEVERITY[@±N] {{MESSAGE}}` comment.
    func expectations(in file: SourceFile) -> [String] {
        var result: [String] = []
        for (index, line) in file.lines.enumerated() {
            var rest = Substring(line)
            while let r = rest.range(of: "expected-") {
                rest = rest[r.upperBound...]
                guard let open = rest.range(of: "{{"), let close = rest.range(of: "}}", range: open.upperBound..<rest.endIndex) else { break }
                let head = rest[..<open.lowerBound].trimmingCharacters(in: .whitespaces)
                let parts = head.split(separator: "@", maxSplits: 1)
                let severity = parts.first.map(String.init) ?? ""
                let offset = parts.count > 1 ? Int(parts[1].replacingOccurrences(of: "+", with: "")) ?? 0 : 0
                result.append("\(index + 1 + offset): \(severity): \(rest[open.upperBound..<close.lowerBound])")
                rest = rest[close.upperBound...]
            }
        }
        return result
    }
}
