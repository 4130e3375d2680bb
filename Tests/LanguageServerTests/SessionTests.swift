import Foundation
@testable import LanguageServer
import TestSupport
import XCTest

/// Scripted sessions against the real `regula lsp` binary, as an editor would drive it.
final class SessionTests: XCTestCase {
    static let broken = """
        regula 1
        model tiny
        input [784]

        layers {
          dense(256, activation: relu)
          dropout(0.5)
          dens(10)
        }

        loss cross_entropy
        train {
          optimizer: {kind: adamw, lr: 0.001, weight_decay: 0.01}
          batch_size: 32
          epochs: 1
        }

        """

    private func start() throws -> LSPClient {
        let client = try LSPClient()
        let response = try client.request("initialize", ["processId": NSNull(), "rootUri": NSNull(), "capabilities": [:]])
        let capabilities = (response["result"] as? JSONObject)?["capabilities"] as? JSONObject ?? [:]
        XCTAssertEqual(Set(capabilities.keys), ["positionEncoding", "textDocumentSync", "hoverProvider", "documentSymbolProvider",
                                                "completionProvider", "documentFormattingProvider", "codeActionProvider",
                                                "inlayHintProvider", "definitionProvider", "referencesProvider"])
        client.notify("initialized", [:])
        return client
    }

    private func finish(_ client: LSPClient) throws {
        let response = try client.request("shutdown", [:])
        XCTAssertTrue(response["result"] is NSNull, "\(response)")
        client.notify("exit", [:])
        XCTAssertEqual(client.exitStatus(), 0)
    }

    func testBrokenSpecFixedByItsCodeAction() throws {
        let client = try start()
        let uri = "file:///tmp/regula-lsp-test/tiny.regula"
        client.notify("textDocument/didOpen", ["textDocument": ["uri": uri, "languageId": "regula", "version": 1, "text": Self.broken]])
        let diagnostics = try client.diagnostics(uri)
        XCTAssertEqual(diagnostics.count, 1)
        let d = try XCTUnwrap(diagnostics.first)
        XCTAssertEqual(d["code"] as? String, "unknown-kind")
        XCTAssertEqual(d["severity"] as? Int, 1)
        XCTAssertEqual(d["message"] as? String, "unknown layer kind 'dens'; did you mean 'dense'?")
        XCTAssertEqual(d["range"] as? NSDictionary, ["start": ["line": 7, "character": 2], "end": ["line": 7, "character": 6]])

        let actions = try client.request("textDocument/codeAction", ["textDocument": ["uri": uri], "range": d["range"] ?? [:],
                                                                      "context": ["diagnostics": [d]]])
        let action = try XCTUnwrap((actions["result"] as? [JSONObject])?.first)
        XCTAssertEqual(action["title"] as? String, "replace with 'dense'")
        let edits = try XCTUnwrap(((action["edit"] as? JSONObject)?["changes"] as? JSONObject)?[uri] as? [JSONObject])
        // Apply the edit as the editor would, and send it back as an incremental change.
        var document = Document(uri: uri, version: 1, text: Self.broken)
        for edit in edits { try document.apply(["range": edit["range"] ?? [:], "text": edit["newText"] ?? ""]) }
        XCTAssertTrue(document.text.contains("  dense(10)\n"))
        client.notify("textDocument/didChange", ["textDocument": ["uri": uri, "version": 2],
                                                 "contentChanges": edits.map { ["range": $0["range"] ?? [:], "text": $0["newText"] ?? ""] }])
        XCTAssertEqual(try client.diagnostics(uri).count, 0)

        // `regula lint` agrees that the fixed text is clean.
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("regula-lsp-\(getpid()).regula")
        try document.text.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let lint = Process()
        lint.executableURL = LSPClient.binary
        lint.arguments = ["lint", file.path]
        lint.standardOutput = FileHandle.nullDevice
        try lint.run()
        lint.waitUntilExit()
        XCTAssertEqual(lint.terminationStatus, 0)

        // Hover on the first layer: its shapes, parameters and resolved decay.
        let hover = try client.request("textDocument/hover", ["textDocument": ["uri": uri], "position": ["line": 5, "character": 4]])
        let contents = try XCTUnwrap(((hover["result"] as? JSONObject)?["contents"] as? JSONObject)?["value"] as? String)
        XCTAssertTrue(contents.contains("**dense** (also `linear`): fully connected layer over the last axis"), contents)
        XCTAssertTrue(contents.contains("[784] → **[256]**"), contents)
        XCTAssertTrue(contents.contains("parameters: 200960"), contents)
        XCTAssertTrue(contents.contains("`weight` [256, 784]: wd 0.01"), contents)

        let symbols = try client.request("textDocument/documentSymbol", ["textDocument": ["uri": uri]])
        let outline = (symbols["result"] as? [JSONObject] ?? []).map { "\($0["name"] ?? "") \($0["detail"] ?? "")" }
        XCTAssertEqual(outline, ["dense [256]", "dropout [256]", "dense [10]"])
        try finish(client)
        assertSnapshot(client.transcript.joined(separator: "\n") + "\n", named: "session-quickfix.txt")
    }

    func testCompletionAtThreePositions() throws {
        let client = try start()
        let uri = "file:///tmp/regula-lsp-test/c.regula"
        let text = "regula 1\nmodel c\ninput [8]\nlayers {\n  dense(4, \n  co\n  dense(4, activation: \n}\n"
        client.notify("textDocument/didOpen", ["textDocument": ["uri": uri, "languageId": "regula", "version": 1, "text": text]])
        _ = try client.diagnostics(uri)
        func labels(_ line: Int, _ character: Int) throws -> [String] {
            let r = try client.request("textDocument/completion", ["textDocument": ["uri": uri], "position": ["line": line, "character": character]])
            return (r["result"] as? [JSONObject] ?? []).compactMap { $0["label"] as? String }
        }
        let attributes = try labels(4, 11)
        XCTAssertTrue(attributes.contains("units") && attributes.contains("activation"), "\(attributes)")
        XCTAssertFalse(attributes.contains("filters"))
        let kinds = try labels(5, 4)
        XCTAssertTrue(kinds.contains("conv2d") && kinds.contains("dense"), "\(kinds)")
        let activations = try labels(6, 23)
        XCTAssertTrue(activations.contains("relu") && activations.contains("gelu"), "after 'activation:' its values: \(activations)")
        XCTAssertFalse(activations.contains("units"))
        try finish(client)
    }

    func testCompletionInYAML() throws {
        let client = try start()
        let uri = "file:///tmp/regula-lsp-test/c.yaml"
        let text = "regula: 1\ninput: [1, 8, 8]\nlayers:\n  - conv2d: {filters: 4, \n  - \n"
        client.notify("textDocument/didOpen", ["textDocument": ["uri": uri, "languageId": "yaml", "version": 1, "text": text]])
        _ = try client.diagnostics(uri)
        func labels(_ line: Int, _ character: Int) throws -> [String] {
            let r = try client.request("textDocument/completion", ["textDocument": ["uri": uri], "position": ["line": line, "character": character]])
            return (r["result"] as? [JSONObject] ?? []).compactMap { $0["label"] as? String }
        }
        let attributes = try labels(3, 27)
        XCTAssertTrue(attributes.contains("kernel") && attributes.contains("padding"), "\(attributes)")
        XCTAssertFalse(attributes.contains("units"))
        XCTAssertTrue(try labels(4, 4).contains("dense"))
        let top = try labels(1, 3)
        XCTAssertTrue(top.contains("input") && top.contains("train"), "a top-level key: \(top)")
        XCTAssertFalse(top.contains("dense"), "a section key is not a layer")
        try finish(client)
    }

    func testFormattingUsesTheCanonicalPrinter() throws {
        let client = try start()
        let uri = "file:///tmp/regula-lsp-test/f.regula"
        let text = "regula 1\nmodel f\ninput [8]\nlayers {\n      dense(4)   # four\n relu\n}\nloss mse\n"
        client.notify("textDocument/didOpen", ["textDocument": ["uri": uri, "languageId": "regula", "version": 1, "text": text]])
        _ = try client.diagnostics(uri)
        let r = try client.request("textDocument/formatting", ["textDocument": ["uri": uri], "options": ["tabSize": 2, "insertSpaces": true]])
        let edit = try XCTUnwrap((r["result"] as? [JSONObject])?.first)
        XCTAssertEqual(edit["newText"] as? String, "regula 1\nmodel f\ninput [8]\n\nlayers {\n  dense(4)  # four\n  relu\n}\n\nloss mse\n")
        XCTAssertEqual(edit["range"] as? NSDictionary, ["start": ["line": 0, "character": 0], "end": ["line": 8, "character": 0]])
        try finish(client)
    }

    func testYAMLDiagnosticsCarryRelatedLocations() throws {
        let client = try start()
        let uri = "file:///tmp/regula-lsp-test/y.yaml"
        let text = "regula: 1\ninput: [8]\nlayers:\n  - dense: {units: 4, name: a}\n  - dense: {units: 4, name: a}\n"
        client.notify("textDocument/didOpen", ["textDocument": ["uri": uri, "languageId": "yaml", "version": 1, "text": text]])
        let diagnostics = try client.diagnostics(uri)
        XCTAssertFalse(diagnostics.isEmpty)
        let withNotes = diagnostics.first { $0["relatedInformation"] != nil }
        let related = try XCTUnwrap((withNotes?["relatedInformation"] as? [JSONObject])?.first, "\(diagnostics)")
        XCTAssertEqual((related["location"] as? JSONObject)?["uri"] as? String, uri)
        try finish(client)
    }

    func testBlockDefinitionInlayHintsAndABurstOfChanges() throws {
        let client = try start()
        let uri = "file:///tmp/regula-lsp-test/b.regula"
        let text = "regula 1\nmodel b\ninput [8]\n\nblock twice(units = 4) {\n  dense(units)\n  relu\n}\n\nlayers {\n  twice(16)\n  dense(3)\n}\n\nloss cross_entropy\n"
        client.notify("textDocument/didOpen", ["textDocument": ["uri": uri, "languageId": "regula", "version": 1, "text": text]])
        XCTAssertEqual(try client.diagnostics(uri).count, 0)
        let definition = try client.request("textDocument/definition", ["textDocument": ["uri": uri], "position": ["line": 10, "character": 4]])
        XCTAssertEqual(definition["result"] as? NSDictionary,
                       ["uri": uri, "range": ["start": ["line": 4, "character": 6], "end": ["line": 4, "character": 11]]])
        let references = try client.request("textDocument/references", ["textDocument": ["uri": uri], "position": ["line": 4, "character": 8],
                                                                       "context": ["includeDeclaration": true]])
        let referenceLines = (references["result"] as? [JSONObject] ?? []).compactMap { ((($0["range"] as? JSONObject)?["start"]) as? JSONObject)?["line"] as? Int }
        XCTAssertEqual(referenceLines, [4, 10])
        let blockHover = try client.request("textDocument/hover", ["textDocument": ["uri": uri], "position": ["line": 10, "character": 3]])
        let signature = (((blockHover["result"] as? JSONObject)?["contents"] as? JSONObject)?["value"] as? String) ?? ""
        XCTAssertTrue(signature.contains("block twice(units = 4)"), signature)
        let hints = try client.request("textDocument/inlayHint", ["textDocument": ["uri": uri],
                                                                 "range": ["start": ["line": 0, "character": 0], "end": ["line": 15, "character": 0]]])
        let labels = (hints["result"] as? [JSONObject] ?? []).map { "\(($0["position"] as? JSONObject)?["line"] ?? -1) \($0["label"] ?? "")" }
        XCTAssertTrue(labels.contains("11 → [3]"), "\(labels)")
        XCTAssertFalse(labels.contains { $0.hasPrefix("5 ") }, "layers inside a block get no hint: \(labels)")

        // Three changes written in one go: checked once, at the last version, which a request
        // in the same burst already sees; a request cancelled in the same burst is not run.
        var burst = Data()
        for (version, width) in [(2, "5"), (3, "6"), (4, "7")] {
            let change: JSONObject = ["jsonrpc": "2.0", "method": "textDocument/didChange",
                                      "params": ["textDocument": ["uri": uri, "version": version],
                                                 "contentChanges": [["range": ["start": ["line": 11, "character": 8], "end": ["line": 11, "character": 9]], "text": width]]]]
            burst.append(MessageFramer.frame(try JSONSerialization.data(withJSONObject: change)))
        }
        let hover: JSONObject = ["jsonrpc": "2.0", "id": 99, "method": "textDocument/hover",
                                 "params": ["textDocument": ["uri": uri], "position": ["line": 11, "character": 3]]]
        burst.append(MessageFramer.frame(try JSONSerialization.data(withJSONObject: hover)))
        // A request the editor gave up on before the server reached it: RequestCancelled, not run.
        var stale = hover
        stale["id"] = 98
        let cancel: JSONObject = ["jsonrpc": "2.0", "method": "$/cancelRequest", "params": ["id": 98]]
        burst.append(MessageFramer.frame(try JSONSerialization.data(withJSONObject: stale)))
        burst.append(MessageFramer.frame(try JSONSerialization.data(withJSONObject: cancel)))
        client.sendRaw(burst)
        let published = try client.wait { $0["method"] as? String == "textDocument/publishDiagnostics" }
        XCTAssertEqual((published["params"] as? JSONObject)?["version"] as? Int, 4)
        let answer = try client.wait { $0["id"] as? Int == 99 }
        let value = (((answer["result"] as? JSONObject)?["contents"] as? JSONObject)?["value"] as? String) ?? ""
        XCTAssertTrue(value.contains("**[7]**"), value)
        let cancelled = try client.wait { $0["id"] as? Int == 98 }
        XCTAssertEqual((cancelled["error"] as? JSONObject)?["code"] as? Int, -32800, "\(cancelled)")
        XCTAssertThrowsError(try client.wait(timeout: 0.2) { $0["method"] as? String == "textDocument/publishDiagnostics" },
                             "stale versions are never published")
        try finish(client)
    }

    /// A checked-in YAML spec with a residual body: hover inside the body, and the outline nests it.
    func testYAMLHoverAndSymbolsInsideAResidualBody() throws {
        let client = try start()
        let uri = "file:///tmp/regula-lsp-test/r.yaml"
        let text = """
            regula: 1
            input: [4, 8, 8]
            layers:
              - residual:
                  body:
                    - conv2d: {filters: 4, kernel: 3, padding: 1}
                    - relu
              - flatten
              - dense: 10
            loss: cross_entropy

            """
        client.notify("textDocument/didOpen", ["textDocument": ["uri": uri, "languageId": "yaml", "version": 1, "text": text]])
        let diagnostics = try client.diagnostics(uri)
        XCTAssertEqual(diagnostics.count, 0, "\(diagnostics)")
        let hover = try client.request("textDocument/hover", ["textDocument": ["uri": uri], "position": ["line": 5, "character": 20]])
        let value = (((hover["result"] as? JSONObject)?["contents"] as? JSONObject)?["value"] as? String) ?? ""
        XCTAssertTrue(value.contains("[4, 8, 8] → **[4, 8, 8]**") && value.contains("parameters: 148"), value)
        let symbols = try client.request("textDocument/documentSymbol", ["textDocument": ["uri": uri]])
        let top = symbols["result"] as? [JSONObject] ?? []
        XCTAssertEqual(top.map { $0["name"] as? String ?? "" }, ["residual", "flatten", "dense"])
        XCTAssertEqual((top.first?["children"] as? [JSONObject] ?? []).map { $0["name"] as? String ?? "" }, ["conv2d", "relu"])
        try finish(client)
    }

    func testGarbageAndUnknownMethodsGetErrorsAndTheServerLives() throws {
        let client = try start()
        client.sendRaw(Data("Content-Length: 9\r\n\r\n{garbage}".utf8))
        let parseError = try client.wait { ($0["error"] as? JSONObject)?["code"] as? Int == -32700 }
        XCTAssertTrue(parseError["id"] is NSNull)
        client.sendRaw(Data("no header here\r\n\r\n".utf8))
        _ = try client.wait { ($0["error"] as? JSONObject)?["code"] as? Int == -32700 }
        let unknown = try client.request("textDocument/teleport", [:])
        XCTAssertEqual((unknown["error"] as? JSONObject)?["code"] as? Int, -32601)
        client.notify("$/unknownNotification", [:])  // ignored, no response
        let stillAlive = try client.request("textDocument/hover", ["textDocument": ["uri": "file:///nowhere.regula"], "position": ["line": 0, "character": 0]])
        XCTAssertEqual((stillAlive["error"] as? JSONObject)?["code"] as? Int, -32602)
        try finish(client)
    }

    func testExitWithoutShutdownExitsOne() throws {
        let client = try start()
        client.notify("exit", [:])
        XCTAssertEqual(client.exitStatus(), 1)
    }
}
