import XCTest
import Diagnostics
@testable import Syntax

/// Every name an expression reads keeps its range (`Value.names`), in both formats, so the
/// language server can hover and jump from a `${param}` use.
final class ExprNameRangeTests: XCTestCase {
    private func ranges(_ v: Value?) -> [String] {
        (v?.names ?? []).map { "\($0.value)@\($0.range.start.line):\($0.range.start.column)-\($0.range.end.column)" }
    }

    private func at(_ m: Marked, _ name: String, _ start: String, _ end: String) -> String {
        "\(name)@\(m[start].line):\(m[start].column)-\(m[end].column)"
    }

    func testYAMLExpressionNamesPointInsideTheScalar() throws {
        let m = Marked("""
        blocks:
          b:
            params: {filters: 16, p: 0.5}
            layers:
              - conv2d: {filters: "${«f»filters«fe» * 2}", kernel: 3}
              - dropout: ${ 1 - «p»p«pe» }
              - dense: "${«g»filters«ge»}"
              - dense: {units: "${max(«h»filters«he», 3)}", in: "${ 4 }"}
        layers:
          - b: {filters: 8}
        """)
        let (spec, diags) = parseYAML(SourceFile(path: "r.yaml", text: m.text))
        XCTAssertEqual(diags, [])
        let body = try XCTUnwrap(spec?.blocks.first?.body)
        guard case .layer(let conv) = body[0], case .layer(let drop) = body[1], case .layer(let d1) = body[2],
              case .layer(let d2) = body[3] else { return XCTFail("not layers") }
        XCTAssertEqual(ranges(conv.argument("filters")?.value), [at(m, "filters", "f", "fe")])
        XCTAssertEqual(ranges(drop.primary), [at(m, "p", "p", "pe")])
        XCTAssertEqual(ranges(d1.primary), [at(m, "filters", "g", "ge")])
        XCTAssertEqual(ranges(d2.argument("units")?.value), [at(m, "filters", "h", "he")], "a call's name, not the function")
        XCTAssertEqual(ranges(d2.argument("in")?.value), [], "a literal has no names")
    }

    func testDSLExpressionNamesAndBareParameters() throws {
        let m = Marked("""
        regula 1
        block b(filters = 16, p = 0.5) {
          conv2d(filters: «f»filters«fe» * 2, padding: same)
          dropout(1 - «p»p«pe»)
          repeat 2 as i {
            dense(«g»filters«ge», bias: true)
            dense(units: max(«h»filters«he», «i»i«ie» + 1))
          }
        }
        layers {
          b(8)
        }
        """)
        let (spec, diags) = parseDSL(SourceFile(path: "r.regula", text: m.text))
        XCTAssertEqual(diags, [])
        let body = try XCTUnwrap(spec?.blocks.first?.body)
        guard case .layer(let conv) = body[0], case .layer(let drop) = body[1], case .repeat(let r) = body[2],
              case .layer(let d1) = r.body[0], case .layer(let d2) = r.body[1] else { return XCTFail("not layers") }
        XCTAssertEqual(ranges(conv.argument("filters")?.value), [at(m, "filters", "f", "fe")])
        XCTAssertEqual(ranges(conv.argument("padding")?.value), [], "a bare string is no name use")
        XCTAssertEqual(ranges(drop.primary), [at(m, "p", "p", "pe")])
        XCTAssertEqual(ranges(d1.primary), [at(m, "filters", "g", "ge")], "a bare parameter is an expression with its name")
        XCTAssertEqual(ranges(d1.argument("bias")?.value), [])
        XCTAssertEqual(ranges(d2.argument("units")?.value), [at(m, "filters", "h", "he"), at(m, "i", "i", "ie")])
    }
}
