import Foundation
@testable import LanguageServer
import XCTest

/// Hover and go to definition on `${param}` uses and repeat indices, in both formats, in
/// process against `Analysis` (the session tests cover the wire).
final class ParameterTests: XCTestCase {
    static let dsl = """
        regula 1
        model p
        input [4, 8, 8]

        block resblock(filters = 4, survival = 1.0) {
          residual(body: {
            conv2d(filters: filters, kernel: 3, padding: 1)
          }, stochastic_depth: survival)
        }

        layers {
          resblock(filters: 2 + 2)
          repeat 2 as i {
            resblock(survival: 1 - 0.25 * (i + 1))
          }
          flatten
          dense(10)
        }

        loss cross_entropy

        """

    static let yaml = """
        regula: 1
        input: [4, 8, 8]
        blocks:
          resblock:
            params: {filters: 4, survival: 1.0}
            layers:
              - residual:
                  body:
                    - conv2d: {filters: "${filters}", kernel: 3, padding: 1}
                  stochastic_depth: "${survival}"
        layers:
          - resblock: ${2 + 2}
          - repeat:
              count: 2
              as: i
              layers:
                - resblock: {survival: "${1 - 0.25 * (i + 1)}"}
          - flatten
          - dense: 10
        loss: cross_entropy

        """

    /// The position of the `occurrence`-th (from 0) `needle` in `text`, `offset` characters in.
    private func position(_ needle: String, _ occurrence: Int = 0, in text: String, offset: Int = 1) throws -> Position {
        var seen = 0
        for (line, content) in text.components(separatedBy: "\n").enumerated() {
            var search = content.startIndex..<content.endIndex
            while let r = content.range(of: needle, range: search) {
                if seen == occurrence { return Position(line: line, character: content.utf16.distance(from: content.startIndex, to: r.lowerBound) + offset) }
                seen += 1
                search = r.upperBound..<content.endIndex
            }
        }
        throw XCTSkip("no occurrence \(occurrence) of '\(needle)'")
    }

    private func analysis(_ text: String, _ name: String) -> Analysis {
        let a = Analysis(Document(uri: "file:///tmp/regula-lsp-test/\(name)", version: 1, text: text))
        XCTAssertEqual(a.result.diagnostics.map(\.message), [], "the test spec checks")
        return a
    }

    private func hoverText(_ a: Analysis, _ p: Position) -> String {
        ((a.hover(at: p)?["contents"] as? JSONObject)?["value"] as? String) ?? ""
    }

    private func definitionStart(_ a: Analysis, _ p: Position) -> [Int]? {
        guard let range = a.definition(at: p)?["range"] as? JSONObject, let start = range["start"] as? JSONObject else { return nil }
        return [start["line"] as? Int ?? -1, start["character"] as? Int ?? -1]
    }

    func testDSLParameterHoverShowsTheValueAtEachUseAndDefinitionJumpsToTheSignature() throws {
        let text = Self.dsl
        let a = analysis(text, "p.regula")
        // `conv2d(filters: filters, ...)`: the second `filters` on that line is the use.
        let use = try position("filters", 2, in: text)
        let hover = hoverText(a, use)
        XCTAssertTrue(hover.contains("parameter of block `resblock`, default `4`"), hover)
        XCTAssertTrue(hover.contains("- line 12: `filters` = `2 + 2` → 4\n"), "the value the checker computed: \(hover)")
        XCTAssertTrue(hover.hasSuffix("- line 14: `filters` = `4` (default)"), "nothing to add to a literal: \(hover)")
        let range = try XCTUnwrap(a.hover(at: use)?["range"] as? NSDictionary)
        XCTAssertEqual(range, ["start": ["line": 6, "character": 20], "end": ["line": 6, "character": 27]])
        XCTAssertEqual(definitionStart(a, use), [4, 15], "the parameter in `block resblock(filters = 16, ...)`")

        XCTAssertEqual(hoverText(a, try position("filters", 0, in: text)), hover, "the declaration hovers like its uses")
        let references = a.references(at: try position("filters", 0, in: text), includeDeclaration: true)
            .compactMap { (($0["range"] as? JSONObject)?["start"] as? JSONObject).map { [$0["line"] as? Int ?? -1, $0["character"] as? Int ?? -1] } }
        XCTAssertEqual(references, [[4, 15], [6, 20]], "the declaration and the one use; not the `filters:` keys")
        let survival = try position("survival", 1, in: text)
        XCTAssertTrue(hoverText(a, survival).contains("- line 14: `survival` = `1 - 0.25 * (i + 1)` → 0.75, 0.5"),
                      "one value per repeat iteration: \(hoverText(a, survival))")
        XCTAssertEqual(definitionStart(a, survival), [4, 28])

        let index = try position("i + 1", in: text, offset: 0)
        XCTAssertTrue(hoverText(a, index).contains("repeat index: 0, 1, … up to `2` − 1"), hoverText(a, index))
        XCTAssertEqual(definitionStart(a, index), [12, 14], "the `i` of `repeat 2 as i`")

        // The block's use still goes to the block, and a plain attribute name is no parameter.
        XCTAssertEqual(definitionStart(a, try position("resblock(filters: 2 + 2)", in: text)), [4, 6])
        XCTAssertNil(a.definition(at: try position("kernel", in: text)))
    }

    func testYAMLParameterHoverAndDefinitionInsideDollarBraces() throws {
        let text = Self.yaml
        let a = analysis(text, "p.yaml")
        let use = try position("${filters}", in: text, offset: 3)
        let hover = hoverText(a, use)
        XCTAssertTrue(hover.contains("parameter of block `resblock`, default `4`"), hover)
        XCTAssertTrue(hover.contains("- line 12: `filters` = `${2 + 2}`"), "the primary argument binds the first parameter: \(hover)")
        XCTAssertTrue(hover.contains("- line 17: `filters` = `4` (default)"), hover)
        let range = try XCTUnwrap(a.hover(at: use)?["range"] as? NSDictionary)
        XCTAssertEqual(range, ["start": ["line": 8, "character": 35], "end": ["line": 8, "character": 42]])
        XCTAssertEqual(definitionStart(a, use), [4, 13], "the key in `params: {filters: 4, ...}`")
        XCTAssertEqual(a.references(at: use, includeDeclaration: false).count, 1, "the one use inside `${filters}`")

        let survival = try position("${survival}", in: text, offset: 4)
        XCTAssertTrue(hoverText(a, survival).contains("- line 17: `survival` = `\"${1 - 0.25 * (i + 1)}\"` → 0.75, 0.5"), hoverText(a, survival))
        XCTAssertEqual(definitionStart(a, survival), [4, 25])

        let index = try position("i + 1", in: text, offset: 0)
        XCTAssertTrue(hoverText(a, index).contains("repeat index"), hoverText(a, index))
        XCTAssertEqual(definitionStart(a, index), [14, 10], "the value of `as: i`")
    }

    func testBuiltinNamesHoverWithoutADefinition() throws {
        let text = "regula 1\ninput [4]\nlayers {\n  residual(body: { dense(4) }, stochastic_depth: 1 - 0.5 * depth / blocks)\n}\nloss cross_entropy\n"
        let a = analysis(text, "d.regula")
        let depth = try position("depth /", in: text)
        XCTAssertTrue(hoverText(a, depth).contains("residual block's position"), hoverText(a, depth))
        XCTAssertNil(a.definition(at: depth))
    }
}
