import Foundation
@testable import LanguageServer
import XCTest

/// `$/cancelRequest` and stale changes, on the server in process: every message of a test is
/// fed in one read, as a client's burst arrives, so what is skipped does not depend on timing.
final class CancellationTests: XCTestCase {
    private var output: [JSONObject] = []
    private let uri = "file:///tmp/regula-lsp-test/k.regula"

    private func server() throws -> Server {
        output = []
        let s = Server { [unowned self] data in
            var framer = MessageFramer()
            framer.append(data)
            if case .message(let body)? = framer.next(), let object = (try? JSONSerialization.jsonObject(with: body)) as? JSONObject {
                self.output.append(object)
            }
        }
        s.receive(try frame(["jsonrpc": "2.0", "id": 0, "method": "initialize", "params": [:]]))
        output = []
        return s
    }

    private func frame(_ messages: JSONObject...) throws -> Data {
        var data = Data()
        for m in messages { data.append(MessageFramer.frame(try JSONSerialization.data(withJSONObject: m))) }
        return data
    }

    private func text(units: Int) -> String { "regula 1\ninput [8]\nlayers {\n  dense(\(units))\n}\nloss cross_entropy\n" }

    private func open(version: Int, units: Int) -> JSONObject {
        ["jsonrpc": "2.0", "method": "textDocument/didOpen",
         "params": ["textDocument": ["uri": uri, "languageId": "regula", "version": version, "text": text(units: units)]]]
    }

    private func change(version: Int, units: Int) -> JSONObject {
        ["jsonrpc": "2.0", "method": "textDocument/didChange",
         "params": ["textDocument": ["uri": uri, "version": version], "contentChanges": [["text": text(units: units)]]]]
    }

    private func hover(_ id: Any) -> JSONObject {
        ["jsonrpc": "2.0", "id": id, "method": "textDocument/hover",
         "params": ["textDocument": ["uri": uri], "position": ["line": 3, "character": 4]]]
    }

    private func cancel(_ id: Any) -> JSONObject {
        ["jsonrpc": "2.0", "method": "$/cancelRequest", "params": ["id": id]]
    }

    private var publishedVersions: [Int] {
        output.filter { $0["method"] as? String == "textDocument/publishDiagnostics" }
            .compactMap { ($0["params"] as? JSONObject)?["version"] as? Int }
    }

    private func response(_ id: Int) -> JSONObject? { output.first { $0["id"] as? Int == id } }

    private func hoverValue(_ id: Int) -> String {
        (((response(id)?["result"] as? JSONObject)?["contents"] as? JSONObject)?["value"] as? String) ?? ""
    }

    func testACancelledRequestGetsRequestCancelledAndTheOthersRun() throws {
        let s = try server()
        s.receive(try frame(open(version: 1, units: 3), hover(1), hover(2), hover("three"), cancel(2), cancel("three")))
        XCTAssertTrue(hoverValue(1).contains("**[3]**"), hoverValue(1))
        let cancelled = try XCTUnwrap(response(2)?["error"] as? JSONObject)
        XCTAssertEqual(cancelled["code"] as? Int, -32800)
        XCTAssertNil(response(2)?["result"])
        let byString = try XCTUnwrap(output.first { $0["id"] as? String == "three" })
        XCTAssertEqual((byString["error"] as? JSONObject)?["code"] as? Int, -32800)
        XCTAssertEqual(output.filter { $0["id"] != nil }.count, 3, "one response per request, none for the cancellations")

        // A cancellation of a request already answered (in an earlier read) changes nothing.
        output = []
        s.receive(try frame(cancel(1), hover(4)))
        XCTAssertTrue(hoverValue(4).contains("**[3]**"))
        XCTAssertEqual(output.count, 1, "\(output)")
    }

    func testAnalysesOfVersionsSupersededInTheSameReadAreNotPublished() throws {
        let s = try server()
        // The hover needs version 2 and sees it; version 3 follows in the queue, so only its
        // diagnostics are published, and version 1 is never checked for anyone.
        s.receive(try frame(open(version: 1, units: 3), change(version: 2, units: 5), hover(1), change(version: 3, units: 7)))
        XCTAssertTrue(hoverValue(1).contains("**[5]**"), "the request sees the document as of its place in the stream: \(hoverValue(1))")
        XCTAssertEqual(publishedVersions, [3])

        // A change whose request is cancelled is not checked for it either: one publish, at the end.
        output = []
        s.receive(try frame(change(version: 4, units: 9), hover(2), cancel(2), change(version: 5, units: 11)))
        XCTAssertEqual(publishedVersions, [5])
        XCTAssertEqual((response(2)?["error"] as? JSONObject)?["code"] as? Int, -32800)
        output = []
        s.receive(try frame(hover(3)))
        XCTAssertTrue(hoverValue(3).contains("**[11]**"), hoverValue(3))
        XCTAssertEqual(publishedVersions, [], "nothing changed since the last publish")
    }
}
