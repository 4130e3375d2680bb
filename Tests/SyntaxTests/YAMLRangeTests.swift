import XCTest
import Diagnostics
@testable import Syntax

/// Yams records where a node starts; the reader works out where it ends. These pin the ends.
final class YAMLRangeTests: XCTestCase {
    func testScalarAndCollectionRanges() throws {
        let m = Marked("""
        layers:
          - «c»conv2d: {filters: «q»"${ 2 * 8 }"«qe», padding: «s»'it''s'«se», kernel: «l»[3, 3]«le»}
            name: «n»c1«ne»
          - «d»dense: «p»10«pe»
        """)
        let (spec, diags) = parseYAML(SourceFile(path: "r.yaml", text: m.text))
        XCTAssertEqual(diags, [])
        let s = try XCTUnwrap(spec)
        guard case .layer(let conv) = s.layers[0], case .layer(let dense) = s.layers[1] else { return XCTFail("not layers") }
        let filters = try XCTUnwrap(conv.argument("filters")?.value)
        XCTAssertEqual([filters.range.start, filters.range.end], [m["q"], m["qe"]])
        let padding = try XCTUnwrap(conv.argument("padding")?.value)
        XCTAssertEqual(padding.kind, .string("it's"))
        XCTAssertEqual([padding.range.start, padding.range.end], [m["s"], m["se"]])
        let kernel = try XCTUnwrap(conv.argument("kernel")?.value)
        XCTAssertEqual([kernel.range.start, kernel.range.end], [m["l"], m["le"]])
        XCTAssertEqual([conv.name?.range.start, conv.name?.range.end], [m["n"], m["ne"]])
        XCTAssertEqual(conv.range.start, m["c"])
        XCTAssertEqual(conv.range.end, m["ne"])
        XCTAssertEqual([dense.primary?.range.start, dense.primary?.range.end], [m["p"], m["pe"]])
        XCTAssertEqual(dense.range.start, m["d"])
    }

    func testExpressionErrorsPointInsideTheScalar() {
        let m = Marked("layers:\n  - dense: \"${ 2 * «x»@ }\"\n")
        let (_, diags) = parseYAML(SourceFile(path: "r.yaml", text: m.text))
        XCTAssertEqual(diags.first?.range.start, m["x"])
        XCTAssertEqual(diags.first?.message, "invalid expression: unexpected character '@'")
    }

    func testMultiByteCharactersCountAsOneColumn() throws {
        let m = Marked("model: «a»résumé\nlayers: [«r»relu]\n")
        let (spec, diags) = parseYAML(SourceFile(path: "r.yaml", text: m.text))
        XCTAssertEqual(diags, [])
        XCTAssertEqual(spec?.model?.range.end, SourceLocation(line: 1, column: m["a"].column + 6))
        guard case .layer(let relu)? = spec?.layers.first else { return XCTFail("no layer") }
        XCTAssertEqual(relu.kind.range.start, m["r"])
    }
}
