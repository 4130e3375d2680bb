import Foundation
@testable import LanguageServer
import XCTest

final class FramingTests: XCTestCase {
    private func framed(_ json: String) -> [UInt8] { [UInt8](MessageFramer.frame(Data(json.utf8))) }

    func testMessageSplitAcrossReadsComesOutWhole() {
        var framer = MessageFramer()
        let bytes = framed(#"{"jsonrpc":"2.0","method":"initialized"}"#)
        for byte in bytes.dropLast() {
            framer.append([byte])
            XCTAssertNil(framer.next())
        }
        framer.append([bytes[bytes.count - 1]])
        XCTAssertEqual(framer.next(), .message(Data(#"{"jsonrpc":"2.0","method":"initialized"}"#.utf8)))
        XCTAssertNil(framer.next())
    }

    func testSeveralMessagesInOneRead() {
        var framer = MessageFramer()
        framer.append(framed("1") + framed("[2]") + Array("Content-Length: 3\r\n\r\n{}".utf8))
        XCTAssertEqual(framer.next(), .message(Data("1".utf8)))
        XCTAssertEqual(framer.next(), .message(Data("[2]".utf8)))
        XCTAssertNil(framer.next(), "the third body is one byte short")
        framer.append(Array("}".utf8))
        XCTAssertEqual(framer.next(), .message(Data("{}}".utf8)))
    }

    func testHeaderWithoutLengthIsSkippedAndTheStreamGoesOn() {
        var framer = MessageFramer()
        framer.append(Array("garbage\r\n\r\n".utf8) + framed("{}"))
        guard case .badHeader = framer.next() else { return XCTFail("expected a bad header") }
        XCTAssertEqual(framer.next(), .message(Data("{}".utf8)))
    }

    func testGarbageBeforeAHeaderAndOtherHeaderFields() {
        var framer = MessageFramer()
        framer.append(Array("xx\u{1}yzContent-Length: 2\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n{}".utf8))
        XCTAssertEqual(framer.next(), .message(Data("{}".utf8)))
    }

    func testDecodingClassifiesMessages() {
        guard case .invalid(let e, _) = JSONRPC.decode(Data("{not json".utf8)) else { return XCTFail() }
        XCTAssertEqual(e.code, -32700)
        guard case .invalid(let e2, _) = JSONRPC.decode(Data("[1]".utf8)) else { return XCTFail() }
        XCTAssertEqual(e2.code, -32600)
        guard case .request(let id, "hover", _) = JSONRPC.decode(Data(#"{"jsonrpc":"2.0","id":"a","method":"hover"}"#.utf8)) else { return XCTFail() }
        XCTAssertEqual(id as? String, "a")
        guard case .notification("exit", _) = JSONRPC.decode(Data(#"{"jsonrpc":"2.0","method":"exit"}"#.utf8)) else { return XCTFail() }
    }
}
