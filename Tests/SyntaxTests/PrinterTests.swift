import TestSupport
import XCTest
import Diagnostics
@testable import Syntax

final class PrinterTests: XCTestCase {
    func parsed(_ path: String, _ text: String, file: StaticString = #filePath, line: UInt = #line) -> Spec? {
        let (spec, diags) = parseSpec(SourceFile(path: path, text: text))
        XCTAssertEqual(diags, [], "reading \(path)", file: file, line: line)
        return spec
    }

    /// Parse → print (both formats) → parse gives the same AST.
    func assertRoundTrips(_ spec: Spec, _ label: String, file: StaticString = #filePath, line: UInt = #line) {
        let dsl = printDSL(spec)
        let yaml = printYAML(spec, primaryArgument: Fixtures.primaryArgument).text
        if let again = parsed("\(label).regula", dsl, file: file, line: line) {
            XCTAssertEqual(again.strippingRanges(), spec.strippingRanges(), "DSL round trip of \(label):\n\(dsl)", file: file, line: line)
            XCTAssertEqual(printDSL(again), dsl, "printDSL is not stable for \(label)", file: file, line: line)
        }
        if let again = parsed("\(label).yaml", yaml, file: file, line: line) {
            XCTAssertEqual(again.strippingRanges(), spec.strippingRanges(), "YAML round trip of \(label):\n\(yaml)", file: file, line: line)
        }
    }

    func testFixturesRoundTripThroughBothPrinters() throws {
        assertRoundTrips(try XCTUnwrap(parsed("k.yaml", Fixtures.yaml)), "kitchen-sink-yaml")
        assertRoundTrips(try XCTUnwrap(parsed("k.regula", Fixtures.dsl)), "kitchen-sink-dsl")
    }

    func testCanonicalOutput() throws {
        let spec = try XCTUnwrap(parsed("k.yaml", Fixtures.yaml))
        assertSnapshot(printDSL(spec), named: "kitchen-sink.regula")
        assertSnapshot(printYAML(spec, primaryArgument: Fixtures.primaryArgument).text, named: "kitchen-sink.yaml")
    }

    func testCommentsAreKept() throws {
        let source = SourceFile(path: "c.regula", text: """
        # A model.
        regula 1
        model m   # the name

        # Building blocks.
        block b(width) {
          # inside a block
          dense(width)   # trailing in a block
        }

        layers {
          # first layer
          flatten
          residual(body: {   # the body
            relu   # "quoted # not a comment" is fine here
          })
          dense(10)   # classifier
        }
        # the end
        """)
        let (spec, diags) = parseDSL(source)
        XCTAssertEqual(diags, [])
        let found = comments(in: source)
        XCTAssertEqual(found.filter { !$0.ownLine }.map(\.line), [3, 8, 14, 15, 17])
        let printed = printDSL(try XCTUnwrap(spec), comments: found)
        XCTAssertEqual(printed, """
        # A model.
        regula 1
        model m  # the name

        # Building blocks.
        block b(width) {
          # inside a block
          dense(width)  # trailing in a block
        }

        # first layer
        layers {
          flatten
          residual(body: {  # the body
            relu  # "quoted # not a comment" is fine here
          })
          dense(10)  # classifier
        }
        # the end

        """)
        // fmt is idempotent with comments, and they do not change the AST.
        let again = SourceFile(path: "c2.regula", text: printed)
        XCTAssertEqual(printDSL(try XCTUnwrap(parseDSL(again).spec), comments: comments(in: again)), printed)
        XCTAssertEqual(parseDSL(again).spec?.strippingRanges(), spec?.strippingRanges())
        // And they survive conversion to YAML.
        let yaml = printYAML(try XCTUnwrap(spec), comments: found, primaryArgument: Fixtures.primaryArgument).text
        XCTAssertTrue(yaml.contains("  - flatten\n"))
        XCTAssertTrue(yaml.contains("  - dense: 10  # classifier\n"))
        XCTAssertTrue(yaml.hasPrefix("# A model.\nregula: 1\nmodel: m\n"))
        let y = SourceFile(path: "c.yaml", text: yaml)
        XCTAssertEqual(parseYAML(y).spec?.strippingRanges(), spec?.strippingRanges())
        XCTAssertEqual(comments(in: y).count, found.count, yaml)
    }

    func testYAMLCommentsInQuotesAreNotComments() {
        let file = SourceFile(path: "q.yaml", text: "a: \"x # y\"  # real\nb: 'it''s # no'\nc: d#e\n")
        XCTAssertEqual(comments(in: file).map(\.text), ["# real"])
    }

    func testStringsThatLookLikeOtherThingsAreQuoted() throws {
        let spec = try XCTUnwrap(parsed("q.yaml", """
        layers:
          - act: {a: "true", b: "1", c: "null", d: "x y", e: "${ not }", f: "yes", g: "", h: "a:b"}
        """))
        assertRoundTrips(spec, "quoting")
    }

    func testEverySpecRoundTrips() throws {
        let root = URL(fileURLWithPath: "\(#filePath)").deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let folder = root.appendingPathComponent("specs")
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [])
            .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".regula") }.sorted()
        try XCTSkipIf(names.isEmpty, "no specs in \(folder.path) yet")
        for name in names {
            let text = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
            guard let spec = parsed("specs/\(name)", text) else { continue }
            assertRoundTrips(spec, name)
        }
    }

    /// The specs exist in both formats and say the same thing in each.
    func testEveryYAMLSpecHasAnEquivalentDSLTwin() throws {
        let folder = URL(fileURLWithPath: "\(#filePath)").deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("specs")
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).sorted()
        let yamls = names.filter { $0.hasSuffix(".yaml") }
        try XCTSkipIf(yamls.isEmpty, "no specs in \(folder.path) yet")
        for name in yamls {
            let twin = String(name.dropLast(5)) + ".regula"
            guard names.contains(twin) else {
                XCTFail("specs/\(name) has no DSL twin specs/\(twin) (write it with printDSL / regula convert)")
                continue
            }
            let y = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
            let d = try String(contentsOf: folder.appendingPathComponent(twin), encoding: .utf8)
            guard let ys = parsed("specs/\(name)", y), let ds = parsed("specs/\(twin)", d) else { continue }
            XCTAssertEqual(ds.strippingRanges(), ys.strippingRanges(), "specs/\(twin) differs from specs/\(name)")
        }
    }

    /// A positional argument next to named ones is printed by name in YAML, never dropped.
    func testYAMLKeepsNamedArgumentsBesideAPositionalOne() throws {
        let spec = try XCTUnwrap(parsed("m.regula", """
        regula 1
        input [784]
        block widen(width, act = relu) {
          dense(width, activation: act)
        }
        layers {
          dense(256, activation: relu, l2: 0.01, max_norm: 3)
          dropout(0.5, scaling: classic)
          widen(128, act: tanh)
          dense(10)
        }
        """))
        let printed = printYAML(spec, primaryArgument: Fixtures.primaryArgument)
        XCTAssertEqual(printed.refused, [])
        XCTAssertTrue(printed.text.contains("- dense: {units: 256, activation: relu, l2: 0.01, max_norm: 3}"), printed.text)
        XCTAssertTrue(printed.text.contains("- dropout: {p: 0.5, scaling: classic}"), printed.text)
        XCTAssertTrue(printed.text.contains("- widen: {width: 128, act: tanh}"), printed.text)
        XCTAssertTrue(printed.text.contains("- dense: 10\n"), printed.text)
        // Reading it back gives every argument, by name.
        let again = try XCTUnwrap(parsed("m.yaml", printed.text))
        guard case .layer(let first) = again.layers[0] else { return XCTFail("not a layer") }
        XCTAssertNil(first.primary)
        XCTAssertEqual(first.arguments.map(\.key.value), ["units", "activation", "l2", "max_norm"])
    }

    /// A positional argument whose name is unknown (a misspelt kind) is refused at its place.
    func testYAMLRefusesWhatItCannotName() throws {
        let spec = try XCTUnwrap(parsed("m.regula", """
        regula 1
        input [784]
        layers {
          dens(256, l2: 0.01)
        }
        """))
        let printed = printYAML(spec, primaryArgument: Fixtures.primaryArgument)
        XCTAssertEqual(printed.refused.count, 1)
        let refusal = try XCTUnwrap(printed.refused.first)
        XCTAssertEqual(refusal.severity, .error)
        XCTAssertEqual(refusal.message, "cannot write layer 'dens' in YAML: its positional argument has no known name, and YAML has no positional form next to named arguments")
        XCTAssertEqual(refusal.range.start.line, 4)
        XCTAssertEqual(refusal.range.start.column, 8)
    }
}
