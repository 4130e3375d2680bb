import XCTest
import Diagnostics
@testable import Syntax

final class YAMLReaderTests: XCTestCase {
    func read(_ text: String, path: String = "t.yaml") -> (Spec?, [Diagnostic]) {
        let r = parseYAML(SourceFile(path: path, text: text))
        return (r.spec, r.diagnostics)
    }

    func layer(_ item: LayerItem?) -> Layer? {
        if case .layer(let l)? = item { return l }
        return nil
    }

    func testCoreFormat() throws {
        let m = Marked("""
        regula: 1
        model: mlp
        input: [784]
        defaults: {weight_decay: 5e-4}
        layers:
          - «flatten»flatten
          - dense: «units»256
          - relu
          - dropout: 0.5
          - {dense: 256, name: «fc2»fc2}
          - conv2d: {filters: 32, kernel: 3, padding: same}
          - dense: 10
            from: [fc2, input]
            expect: [10]
        loss: cross_entropy
        train: {optimizer: sgd, lr: 0.1, epochs: 3}
        """)
        let (spec, diags) = read(m.text)
        XCTAssertEqual(diags, [])
        let s = try XCTUnwrap(spec)
        XCTAssertEqual(s.version?.value, 1)
        XCTAssertEqual(s.model?.value, "mlp")
        XCTAssertEqual(s.input?.shape.map(\.kind), [.int(784)])
        XCTAssertEqual(s.defaults.map(\.key.value), ["weight_decay"])
        XCTAssertEqual(s.defaults.first?.value.kind, .float(5e-4))
        XCTAssertEqual(s.layers.count, 7)
        let flatten = try XCTUnwrap(layer(s.layers[0]))
        XCTAssertEqual(flatten.kind.value, "flatten")
        XCTAssertEqual(flatten.kind.range.start, m["flatten"])
        XCTAssertEqual(flatten.kind.range.end.column, m["flatten"].column + 7)
        let dense = try XCTUnwrap(layer(s.layers[1]))
        XCTAssertEqual(dense.primary?.kind, .int(256))
        XCTAssertEqual(dense.primary?.range.start, m["units"])
        let named = try XCTUnwrap(layer(s.layers[4]))
        XCTAssertEqual(named.name?.value, "fc2")
        XCTAssertEqual(named.name?.range.start, m["fc2"])
        let conv = try XCTUnwrap(layer(s.layers[5]))
        XCTAssertEqual(conv.arguments.map(\.key.value), ["filters", "kernel", "padding"])
        XCTAssertEqual(conv.argument("padding")?.value.kind, .string("same"))
        let last = try XCTUnwrap(layer(s.layers[6]))
        XCTAssertEqual(last.from?.map(\.value), ["fc2", "input"])
        XCTAssertEqual(last.expect?.value.map(\.kind), [.int(10)])
        XCTAssertEqual(s.loss?.kind, .string("cross_entropy"))
        guard case .map(let train)? = s.train?.kind else { return XCTFail("train is not a map") }
        XCTAssertEqual(train.map(\.key.value), ["optimizer", "lr", "epochs"])
    }

    func testInputMapAndPlacementInsideArguments() throws {
        let (spec, diags) = read("""
        input: {shape: [3, seq], dtype: int32, data_format: channels_last}
        layers:
          - {conv2d: {filters: 8}, name: c1, from: input}
          - add: {from: [c1, input], name: sum}
        """)
        XCTAssertEqual(diags, [])
        let s = try XCTUnwrap(spec)
        XCTAssertEqual(s.input?.shape.map(\.kind), [.int(3), .string("seq")])
        XCTAssertEqual(s.input?.dtype?.value, "int32")
        XCTAssertEqual(s.input?.dataFormat?.value, "channels_last")
        let c1 = try XCTUnwrap(layer(s.layers[0]))
        XCTAssertEqual(c1.name?.value, "c1")
        XCTAssertEqual(c1.from?.map(\.value), ["input"])
        let add = try XCTUnwrap(layer(s.layers[1]))
        XCTAssertEqual(add.arguments.count, 0)
        XCTAssertEqual(add.from?.map(\.value), ["c1", "input"])
        XCTAssertEqual(add.name?.value, "sum")
    }

    func testLayerListArgumentsBlocksRepeatAndExpressions() throws {
        let (spec, diags) = read("""
        blocks:
          resblock:
            params: {filters: 16, survival: 1.0}
            layers:
              - residual:
                  stochastic_depth: ${survival}
                  body:
                    - conv2d: {filters: "${ filters * 2 }", kernel: 3}
                    - relu
                  shortcut: [identity]
          plain:
            params: [width]
            layers: [{dense: "${width}"}]
        layers:
          - repeat: {count: 3, as: i, layers: [{resblock: {filters: 32, survival: "${1 - 0.5 * i / 2}"}}]}
          - shake_shake: {branches: [[relu], [tanh, relu]]}
          - dense: ${-3}
        """)
        XCTAssertEqual(diags, [])
        let s = try XCTUnwrap(spec)
        XCTAssertEqual(s.blocks.map(\.name.value), ["resblock", "plain"])
        XCTAssertEqual(s.blocks[0].parameters.map(\.name.value), ["filters", "survival"])
        XCTAssertEqual(s.blocks[0].parameters[1].defaultValue?.kind, .float(1.0))
        XCTAssertNil(s.blocks[1].parameters[0].defaultValue)
        let residual = try XCTUnwrap(layer(s.blocks[0].body.first))
        XCTAssertEqual(residual.argument("stochastic_depth")?.value.kind, .expr(.name("survival")))
        guard case .layers(let body)? = residual.argument("body")?.value.kind else { return XCTFail("body is not a layer list") }
        let conv = try XCTUnwrap(layer(body.first))
        XCTAssertEqual(conv.argument("filters")?.value.kind, .expr(.binary(.multiply, .name("filters"), .number(2, isInteger: true))))
        guard case .repeat(let rep) = s.layers[0] else { return XCTFail("not a repeat") }
        XCTAssertEqual(rep.count.kind, .int(3))
        XCTAssertEqual(rep.index?.value, "i")
        let use = try XCTUnwrap(layer(rep.body.first))
        XCTAssertEqual(use.kind.value, "resblock")
        XCTAssertEqual(use.argument("survival")?.value.kind,
                       .expr(.binary(.subtract, .number(1, isInteger: true),
                                     .binary(.divide, .binary(.multiply, .number(0.5, isInteger: false), .name("i")), .number(2, isInteger: true)))))
        let shake = try XCTUnwrap(layer(s.layers[1]))
        guard case .list(let branches)? = shake.argument("branches")?.value.kind else { return XCTFail("branches is not a list") }
        XCTAssertEqual(branches.count, 2)
        guard case .layers(let second) = branches[1].kind else { return XCTFail("a branch is not a layer list") }
        XCTAssertEqual(second.compactMap { layer($0)?.kind.value }, ["tanh", "relu"])
        XCTAssertEqual(layer(s.layers[2])?.primary?.kind, .int(-3))
    }

    func testScalars() throws {
        let (spec, diags) = read("""
        defaults: {a: 1, b: -2, c: 1e-3, d: .5, e: true, f: false, g: null, h: ~, i: "1", j: yes, k: 'x', l: +7, m: 2.0}
        """)
        XCTAssertEqual(diags, [])
        let kinds = try XCTUnwrap(spec).defaults.map(\.value.kind)
        XCTAssertEqual(kinds, [.int(1), .int(-2), .float(1e-3), .float(0.5), .bool(true), .bool(false), .null, .null,
                               .string("1"), .string("yes"), .string("x"), .int(7), .float(2.0)])
    }

    func testNumberTooLarge() {
        let m = Marked("layers:\n  - dense: «n»99999999999999999999\n  - dropout: 1e999\n")
        let (_, diags) = read(m.text)
        XCTAssertEqual(diags.map(\.message), ["number too large: 99999999999999999999", "number too large: 1e999"])
        XCTAssertEqual(diags.first?.range.start, m["n"])
    }

    func testVersion() {
        let m = Marked("regula: «v»2\nmodel: x\nlayers: [relu]\nbogus: 1\n")
        let (spec, diags) = read(m.text)
        XCTAssertNil(spec)
        XCTAssertEqual(diags.map(\.message), ["spec format version 2 is not supported by this regula (supports 1)"])
        XCTAssertEqual(diags.first?.range.start, m["v"])
    }

    func testUnknownTopLevelKeyAndWrongTypes() {
        let m = Marked("model: x\n«l»layer: [relu]\ndefaults: «d»[1]\ninput: «i»7\nlayers:\n  - «n»3\n")
        let (_, diags) = read(m.text)
        XCTAssertEqual(diags.map(\.message), [
            "unknown top-level key 'layer'; did you mean 'layers'?",
            "'defaults' must be a map of attributes, found a list",
            "'input' must be a list of dimensions or a map with 'shape', found a number",
            "a layer must be a kind name or a map, found a number",
        ])
        XCTAssertEqual(diags.map(\.range.start), [m["l"], m["d"], m["i"], m["n"]])
    }

    func testArgumentBesideKind() {
        let m = Marked("layers:\n  - «k»conv2d: {filters: 8}\n    «x»kernel: 3\n")
        let (_, diags) = read(m.text)
        XCTAssertEqual(diags.map(\.message), ["unexpected key 'kernel' beside layer kind 'conv2d'; arguments go inside the kind's map"])
        XCTAssertEqual(diags.first?.range.start, m["x"])
        XCTAssertEqual(diags.first?.notes.first?.range?.start, m["k"])
    }

    func testMalformedYAMLUsesLibyamlPosition() {
        let m = Marked("layers:\n  - dense: «open»[1, 2\n  - relu\n«end»")
        let (spec, diags) = read(m.text)
        XCTAssertNil(spec)
        XCTAssertEqual(diags.map(\.message), ["invalid YAML: did not find expected ',' or ']'"])
        XCTAssertEqual(diags.first?.range.start, m["end"])
        XCTAssertEqual(diags.first?.notes, [Note("while parsing a flow sequence", at: SourceRange(file: "t.yaml", at: m["open"]))])
    }

    func testTabsAreReportedAtTheTab() {
        let m = Marked("layers:\n  - relu\n«t»\t- tanh\n")
        let (spec, diags) = read(m.text)
        XCTAssertNil(spec)
        XCTAssertEqual(diags.map(\.message), ["tab character used for indentation; indent with spaces"])
        XCTAssertEqual(diags.first?.range.start, m["t"])
    }

    func testDuplicateKeysErrorAtSecondNoteAtFirst() {
        let m = Marked("""
        «m1»model: a
        layers:
          - conv2d: {«f1»filters: 8, kernel: 3, «f2»filters: 9}
        «m2»model: b
        """)
        let (_, diags) = read(m.text)
        XCTAssertEqual(diags.map(\.message), ["duplicate key 'filters'", "duplicate key 'model'"].sorted())
        let byKey = Dictionary(uniqueKeysWithValues: diags.map { ($0.message, $0) })
        XCTAssertEqual(byKey["duplicate key 'model'"]?.range.start, m["m2"])
        XCTAssertEqual(byKey["duplicate key 'model'"]?.notes.first?.range?.start, m["m1"])
        XCTAssertEqual(byKey["duplicate key 'filters'"]?.range.start, m["f2"])
        XCTAssertEqual(byKey["duplicate key 'filters'"]?.notes.first?.range?.start, m["f1"])
    }

    func testAnchorsAliasesAndMergeKeys() throws {
        let (spec, diags) = read("""
        defaults: &d {weight_decay: 0.1}
        layers:
          - conv2d: &c {filters: 8, kernel: 3}
          - conv2d: {<<: *c, filters: 16}
          - dense: {units: 4, reg: *d}
        """)
        XCTAssertEqual(diags, [])
        let s = try XCTUnwrap(spec)
        let second = try XCTUnwrap(layer(s.layers[1]))
        XCTAssertEqual(second.arguments.map(\.key.value), ["kernel", "filters"])
        XCTAssertEqual(second.argument("filters")?.value.kind, .int(16))
    }

    func testBillionLaughsIsCapped() {
        var text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for k in 1...9 {
            text += "a\(k): &a\(k) [" + Array(repeating: "*a\(k - 1)", count: 10).joined(separator: ", ") + "]\n"
        }
        text += "layers: [relu]\n"
        let start = Date()
        let (spec, diags) = read(text)
        XCTAssertNil(spec)
        XCTAssertEqual(diags.map(\.message), ["alias expansion exceeds 1000000 nodes"])
        XCTAssertLessThan(Date().timeIntervalSince(start), 10)
    }

    func testAliasAsKeyIsRefusedBeforeComposing() {
        let (spec, diags) = read("a: &a [1, 2]\n*a : 3\n")
        XCTAssertNil(spec)
        XCTAssertEqual(diags.map(\.id), ["complex-key"])
    }

    func testEmptyFile() {
        for text in ["", "  \n\n", "# only a comment\n"] {
            let (spec, diags) = read(text)
            XCTAssertNil(spec)
            XCTAssertEqual(diags.map(\.message), ["spec file is empty"], "for \(text.debugDescription)")
        }
    }

    func testDeepNestingNeitherCrashesNorHangs() {
        for text in [String(repeating: "[", count: 100_000), "layers: " + String(repeating: "[", count: 300) + String(repeating: "]", count: 300)] {
            let (spec, diags) = read(text)
            XCTAssertNil(spec)
            XCTAssertEqual(diags.count, 1)
            XCTAssertEqual(diags.first?.severity, .error)
        }
    }

    func testTenThousandLayersParseFast() throws {
        var text = "model: big\ninput: [64]\nlayers:\n"
        for k in 0..<10_000 { text += "  - dense: {units: 64, name: d\(k)}\n" }
        let start = Date()
        let (spec, diags) = read(text)
        let elapsed = Date().timeIntervalSince(start)
        XCTAssertEqual(diags, [])
        XCTAssertEqual(spec?.layers.count, 10_000)
        XCTAssertLessThan(elapsed, 5, "10,000 layers took \(elapsed) s")
    }

    func testInvalidUTF8IsReportedWithPosition() {
        let bytes: [UInt8] = Array("model: x\nlayers: [re".utf8) + [0xFF] + Array("lu]\n".utf8)
        let (file, diags) = decodeSource(path: "bad.yaml", bytes: bytes)
        XCTAssertEqual(diags.map(\.message), ["invalid UTF-8 byte 0xFF at byte offset 20; spec files must be UTF-8"])
        XCTAssertEqual(diags.first?.range.start, SourceLocation(line: 2, column: 12))
        XCTAssertEqual(file.lines.count, 3)
        XCTAssertEqual(decodeSource(path: "ok", bytes: [0xEF, 0xBB, 0xBF] + Array("a: é".utf8)).file.text, "a: é")
    }

    func testLoadSourceFile() throws {
        XCTAssertThrowsError(try loadSourceFile(path: "/nonexistent/spec.yaml")) { error in
            XCTAssertEqual("\(error)", "cannot read '/nonexistent/spec.yaml': no such file")
        }
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("regula-load-\(UUID().uuidString).yaml")
        try Data([0x61, 0x3A, 0x20, 0xC3, 0x28, 0x0A]).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let (file, diags) = try loadSourceFile(path: url.path)
        XCTAssertEqual(diags.map(\.id), ["invalid-utf8"])
        XCTAssertEqual(diags.first?.range.start, SourceLocation(line: 1, column: 4))
        XCTAssertEqual(file.lines.first.map(String.init), "a: \u{FFFD}(")
    }

    func testBadExpression() {
        let m = Marked("layers:\n  - dense: \"${ 2 * «e»}\"\n")
        let (_, diags) = read(m.text)
        XCTAssertEqual(diags.map(\.id), ["invalid-expression"])
        XCTAssertEqual(diags.first?.message, "invalid expression: expected an expression, found end of file")
        XCTAssertEqual(diags.first?.range.start, m["e"])
    }
}
