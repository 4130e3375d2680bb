import Foundation
@testable import LanguageServer
import XCTest

/// The protocol's lifecycle rules, on the server in process (no child, no timing).
final class LifecycleTests: XCTestCase {
    private var output: [JSONObject] = []

    private func server() -> Server {
        output = []
        return Server { [unowned self] data in
            var framer = MessageFramer()
            framer.append(data)
            if case .message(let body)? = framer.next(), let object = (try? JSONSerialization.jsonObject(with: body)) as? JSONObject {
                self.output.append(object)
            }
        }
    }

    private func send(_ server: Server, _ object: JSONObject) throws {
        server.receive(MessageFramer.frame(try JSONSerialization.data(withJSONObject: object)))
    }

    private var lastErrorCode: Int? { (output.last?["error"] as? JSONObject)?["code"] as? Int }

    func testRequestsBeforeInitializeAndAfterShutdownAreRefused() throws {
        let s = server()
        try send(s, ["jsonrpc": "2.0", "id": 1, "method": "textDocument/hover", "params": [:]])
        XCTAssertEqual(lastErrorCode, -32002)
        try send(s, ["jsonrpc": "2.0", "method": "textDocument/didOpen",
                     "params": ["textDocument": ["uri": "file:///a.regula", "version": 1, "text": "regula 1\n"]]])
        XCTAssertEqual(output.count, 1, "notifications before initialize are dropped")
        try send(s, ["jsonrpc": "2.0", "id": 2, "method": "initialize", "params": [:]])
        XCTAssertNotNil(output.last?["result"])
        try send(s, ["jsonrpc": "2.0", "id": "three", "method": "shutdown"])
        XCTAssertEqual(output.last?["id"] as? String, "three")
        XCTAssertTrue(output.last?["result"] is NSNull)
        try send(s, ["jsonrpc": "2.0", "id": 4, "method": "textDocument/documentSymbol", "params": [:]])
        XCTAssertEqual(lastErrorCode, -32600)
        XCTAssertNil(s.exitCode)
        try send(s, ["jsonrpc": "2.0", "method": "exit"])
        XCTAssertEqual(s.exitCode, 0)
    }

    func testNotificationsNeverGetResponsesEvenWhenMalformed() throws {
        let s = server()
        try send(s, ["jsonrpc": "2.0", "id": 1, "method": "initialize", "params": [:]])
        let count = output.count
        try send(s, ["jsonrpc": "2.0", "method": "$/cancelRequest", "params": ["id": 7]])
        try send(s, ["jsonrpc": "2.0", "method": "textDocument/didChange", "params": ["textDocument": ["uri": "file:///never-opened.regula"]]])
        try send(s, ["jsonrpc": "2.0", "method": "textDocument/didOpen", "params": "not an object"])
        XCTAssertEqual(output.count, count)
        s.endOfInput()
        XCTAssertEqual(s.exitCode, 1, "end of input without shutdown")
    }

    func testInvalidRequestsAreAnsweredWithTheirCodes() throws {
        let s = server()
        s.receive(MessageFramer.frame(Data("[]".utf8)))
        XCTAssertEqual(lastErrorCode, -32600)
        s.receive(MessageFramer.frame(Data(#"{"jsonrpc":"2.0","id":{"x":1},"method":"initialize"}"#.utf8)))
        XCTAssertEqual(lastErrorCode, -32600)
        try send(s, ["jsonrpc": "2.0", "id": 5, "method": "initialize", "params": [:]])
        try send(s, ["jsonrpc": "2.0", "id": 6, "method": "textDocument/hover", "params": ["textDocument": ["uri": "file:///x.regula"]]])
        XCTAssertEqual(lastErrorCode, -32602)
        XCTAssertEqual(output.last?["id"] as? Int, 6)
    }
}
