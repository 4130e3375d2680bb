import XCTest
import Diagnostics
@testable import Syntax

final class DSLParserTests: XCTestCase {
    func dsl(_ text: String) -> (Spec?, [Diagnostic]) {
        let r = parseDSL(SourceFile(path: "t.regula", text: text))
        return (r.spec, r.diagnostics)
    }

    func testDSLAndYAMLGiveTheSameAST() throws {
        let (fromYAML, yamlDiags) = parseYAML(SourceFile(path: "k.yaml", text: Fixtures.yaml))
        let (fromDSL, dslDiags) = parseDSL(SourceFile(path: "k.regula", text: Fixtures.dsl))
        XCTAssertEqual(yamlDiags, [])
        XCTAssertEqual(dslDiags, [])
        let y = try XCTUnwrap(fromYAML), d = try XCTUnwrap(fromDSL)
        XCTAssertEqual(d.strippingRanges(), y.strippingRanges())
        // Spot checks, so an agreement on something wrong is caught too.
        XCTAssertEqual(d.model?.value, "kitchen sink")
        XCTAssertEqual(d.blocks.map(\.name.value), ["resblock", "plain"])
        XCTAssertEqual(d.layers.count, 7)
        guard case .layer(let classifier) = d.layers[5] else { return XCTFail("not a layer") }
        XCTAssertEqual(classifier.from?.map(\.value), ["stem"])
        XCTAssertEqual(classifier.expect?.value.map(\.kind), [.int(10)])
    }

    func testRangesPointAtTheText() throws {
        let m = Marked("layers {\n  «n»c1 = «k»conv2d(«p»8, kernel: «v»3)\n}\n")
        let (spec, diags) = dsl(m.text)
        XCTAssertEqual(diags, [])
        guard case .layer(let l)? = spec?.layers.first else { return XCTFail("no layer") }
        XCTAssertEqual(l.name?.range.start, m["n"])
        XCTAssertEqual(l.kind.range.start, m["k"])
        XCTAssertEqual(l.primary?.range.start, m["p"])
        XCTAssertEqual(l.argument("kernel")?.value.range.start, m["v"])
        XCTAssertEqual(l.range.start, m["n"])
    }

    func testScopeDecidesWhetherANameIsAnExpression() throws {
        let (spec, diags) = dsl("block b(p) { dense(p, act: q) }\nlayers { repeat 2 as i { dense(i, act: p) } }\n")
        XCTAssertEqual(diags, [])
        let s = try XCTUnwrap(spec)
        guard case .layer(let inBlock)? = s.blocks.first?.body.first,
              case .repeat(let r)? = s.layers.first, case .layer(let inRepeat)? = r.body.first else { return XCTFail("shape") }
        XCTAssertEqual(inBlock.primary?.kind, .expr(.name("p")))
        XCTAssertEqual(inBlock.argument("act")?.value.kind, .string("q"))
        XCTAssertEqual(inRepeat.primary?.kind, .expr(.name("i")))
        XCTAssertEqual(inRepeat.argument("act")?.value.kind, .string("p"))
    }

    func testExpressionPrecedence() throws {
        let cases: [(String, String)] = [
            ("1 - 2 - 3", "1 - 2 - 3"), ("1 - (2 - 3)", "1 - (2 - 3)"), ("2 ** 3 ** 2", "2 ** 3 ** 2"),
            ("(2 ** 3) ** 2", "(2 ** 3) ** 2"), ("-x ** 2", "-x ** 2"), ("(-x) ** 2", "(-x) ** 2"),
            ("a * (b + c) // 2 % 3", "a * (b + c) // 2 % 3"), ("min(a, b + 1) / 2.5", "min(a, b + 1) / 2.5"),
        ]
        for (source, printed) in cases {
            let parser = DSLParser(tokens: DSLLexer.tokenize(source, file: "e").0, file: "e")
            let e = try XCTUnwrap(parser.parseExpr()?.0, source)
            XCTAssertEqual(printExpr(e), printed)
            XCTAssertEqual(parser.current.kind, .eof)
        }
        let parser = DSLParser(tokens: DSLLexer.tokenize("-2 ** 2 + 1", file: "e").0, file: "e")
        XCTAssertEqual(parser.parseExpr()?.0, .binary(.add, .negate(.binary(.power, .number(2, isInteger: true), .number(2, isInteger: true))),
                                                      .number(1, isInteger: true)))
    }

    func testSeveralMistakesGiveSeveralDiagnostics() {
        let m = Marked("""
        regula 1
        «s»modle m
        layers {
          dense(256, «a»units 3)
          relu
          conv2d(filters: «b»)
          dropout(0.5) «c»extra
          «d»@
        }
        train {lr: «e»}
        """)
        XCTAssertNil(dsl(m.text).0)
        let (spec, diags) = parseDSLPartially(SourceFile(path: "t.regula", text: m.text))
        XCTAssertEqual(diags.map(\.range.start), [m["s"], m["a"], m["b"], m["c"], m["d"], m["e"]])
        XCTAssertEqual(diags.map(\.message), [
            "expected a statement such as 'model' or 'layers', found 'modle'; did you mean 'model'?",
            "expected ':' after the argument name 'units'",
            "expected an expression, found ')'",
            "expected end of line after a layer, found 'extra'",
            "unexpected character '@'",
            "expected an expression, found '}'",
        ])
        guard case .layer(let relu)? = spec?.layers.first(where: { if case .layer(let l) = $0 { return l.kind.value == "relu" }; return false }) else {
            return XCTFail("recovery lost the layer after the error")
        }
        XCTAssertEqual(relu.kind.range.start.line, 5)
    }

    func testUnterminatedThingsAndVersion() {
        XCTAssertEqual(dsl("model \"abc\nlayers { relu }\n").1.map(\.message), ["unterminated string literal"])
        XCTAssertEqual(dsl("layers {\n  relu\n").1.map(\.message), ["expected '}' to close the layer list of 'layers'"])
        let (spec, diags) = dsl("regula 3\nlayers { relu }\n")
        XCTAssertNil(spec)
        XCTAssertEqual(diags.map(\.message), ["spec format version 3 is not supported by this regula (supports 1)"])
        XCTAssertEqual(dsl("layers { dense(99999999999999999999) }").1.map(\.message), ["number too large: 99999999999999999999"])
        XCTAssertEqual(dsl("\n \n").1.map(\.message), ["spec file is empty"])
    }

    func testDeepNestingIsRefusedWithoutOverflow() {
        for text in ["layers { dense(" + String(repeating: "[", count: 100_000) + ") }",
                     "layers { dense(" + String(repeating: "(", count: 100_000) + "1) }",
                     "layers { dense(" + String(repeating: "-", count: 100_000) + "1) }",
                     "layers { residual(body: " + String(repeating: "{ residual(body: ", count: 50_000)] {
            let (_, diags) = dsl(text)
            XCTAssertEqual(diags.map(\.message), ["nesting is deeper than 200 levels"])
        }
    }

    func testDuplicateStatementsAndArguments() {
        let m = Marked("«a»model a\n«b»model b\nlayers { conv2d(«x»filters: 1, «y»filters: 2) }\n")
        let diags = dsl(m.text).1
        XCTAssertEqual(diags.map(\.message), ["duplicate 'model' statement", "duplicate argument 'filters'"])
        XCTAssertEqual(diags.map(\.range.start), [m["b"], m["y"]])
        XCTAssertEqual(diags.map { $0.notes.first?.range?.start }, [m["a"], m["x"]])
    }

    func testParseSpecDispatchesOnExtension() {
        XCTAssertEqual(parseSpec(SourceFile(path: "a.regula", text: "model m\nlayers { relu }\n")).spec?.model?.value, "m")
        XCTAssertEqual(parseSpec(SourceFile(path: "a.yaml", text: "model: m\nlayers: [relu]\n")).spec?.model?.value, "m")
        XCTAssertEqual(parseSpec(SourceFile(path: "a.yml", text: "model m\n")).diagnostics.first?.id, "wrong-type")
    }

    /// Parsing does not depend on the caller's stack: maximal nesting parses on a 256 KB thread.
    func testDeepInputOnASmallCallerStack() {
        let done = expectation(description: "parsed")
        let thread = Thread {
            let yaml = parseYAML(SourceFile(path: "d.yaml", text: "layers: " + String(repeating: "[", count: 990) + String(repeating: "]", count: 990)))
            let dsl = parseDSL(SourceFile(path: "d.regula", text: "layers { dense(" + String(repeating: "(", count: 197) + "1" + String(repeating: ")", count: 197) + ") }"))
            XCTAssertEqual(yaml.diagnostics.map(\.message), ["nesting is deeper than 200 levels"])
            XCTAssertEqual(dsl.diagnostics, [])
            done.fulfill()
        }
        thread.stackSize = 256 << 10
        thread.start()
        wait(for: [done], timeout: 30)
    }

    func testTenThousandLayersParseFast() throws {
        var text = "model big\ninput [64]\nlayers {\n"
        for k in 0..<10_000 { text += "  d\(k) = dense(units: 64)\n" }
        text += "}\n"
        let start = Date()
        let (spec, diags) = dsl(text)
        let elapsed = Date().timeIntervalSince(start)
        XCTAssertEqual(diags, [])
        XCTAssertEqual(spec?.layers.count, 10_000)
        XCTAssertLessThan(elapsed, 5, "10,000 layers took \(elapsed) s")
        print("10,000-layer DSL spec parsed in \(elapsed) s")
    }
}
