import XCTest
import Diagnostics
@testable import Syntax

/// The examples in Grammar.md are real: every complete one (not indented) parses cleanly.
final class GrammarDocTests: XCTestCase {
    func testExamplesInGrammarParse() throws {
        let url = URL(fileURLWithPath: "\(#filePath)").deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Grammar.md")
        let doc = try String(contentsOf: url, encoding: .utf8)
        var checked: [String: Int] = [:]
        let parts = doc.components(separatedBy: "```")
        for k in stride(from: 1, to: parts.count, by: 2) {
            let block = parts[k]
            guard let newline = block.firstIndex(of: "\n") else { continue }
            let language = String(block[..<newline])
            let body = String(block[block.index(after: newline)...])
            guard language == "yaml" || language == "regula", !body.hasPrefix(" ") else { continue }
            let (spec, diags) = parseSpec(SourceFile(path: "Grammar.\(language)", text: body))
            XCTAssertEqual(diags, [], "example:\n\(body)")
            XCTAssertNotNil(spec)
            checked[language, default: 0] += 1
        }
        XCTAssertEqual(checked["regula"], 1)
        XCTAssertEqual(checked["yaml"], 2)
    }
}
