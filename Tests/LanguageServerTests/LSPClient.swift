import Foundation
@testable import LanguageServer
import XCTest

/// Drives a `regula lsp` child process: writes framed messages to its stdin, collects framed
/// messages from its stdout, and waits for them with a deadline so a broken server fails the
/// test instead of hanging it.
struct Timeout: Error {}

final class LSPClient {
    let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    private let lock = NSLock()
    private var framer = MessageFramer()
    private var received: [JSONObject] = []
    private var nextID = 1
    /// Every message exchanged, for the session transcript.
    private(set) var transcript: [String] = []

    static var binary: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("regula")
    }

    init() throws {
        // The test target depends on the executable target, so it is built beside the bundle.
        process.executableURL = Self.binary
        process.arguments = ["lsp"]
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        output.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self, !data.isEmpty else { return }
            self.lock.lock()
            self.framer.append(data)
            while case .message(let body)? = self.framer.next() {
                if let object = (try? JSONSerialization.jsonObject(with: body)) as? JSONObject { self.received.append(object) }
            }
            self.lock.unlock()
        }
        try process.run()
    }

    deinit {
        if process.isRunning { process.terminate() }
    }

    func sendRaw(_ bytes: Data) {
        input.fileHandleForWriting.write(bytes)
    }

    func send(_ object: JSONObject) {
        let body = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        transcript.append("→ " + String(decoding: body, as: UTF8.self))
        sendRaw(MessageFramer.frame(body))
    }

    func notify(_ method: String, _ params: JSONObject) {
        send(["jsonrpc": "2.0", "method": method, "params": params])
    }

    /// Sends a request and waits for its response (the whole response object).
    @discardableResult
    func request(_ method: String, _ params: JSONObject, timeout: TimeInterval = 5) throws -> JSONObject {
        let id = nextID
        nextID += 1
        send(["jsonrpc": "2.0", "id": id, "method": method, "params": params])
        return try wait(timeout: timeout) { ($0["id"] as? Int) == id }
    }

    /// Waits for the first unconsumed message matching `predicate` and removes it.
    func wait(timeout: TimeInterval = 5, _ predicate: (JSONObject) -> Bool) throws -> JSONObject {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            lock.lock()
            if let i = received.firstIndex(where: predicate) {
                let message = received.remove(at: i)
                lock.unlock()
                let body = (try? JSONSerialization.data(withJSONObject: message, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
                transcript.append("← " + String(decoding: body, as: UTF8.self))
                return message
            }
            lock.unlock()
            Thread.sleep(forTimeInterval: 0.002)
        }
        throw Timeout()
    }

    /// The next `publishDiagnostics` for `uri`.
    func diagnostics(_ uri: String) throws -> [JSONObject] {
        let message = try wait { $0["method"] as? String == "textDocument/publishDiagnostics"
            && ($0["params"] as? JSONObject)?["uri"] as? String == uri }
        return (message["params"] as? JSONObject)?["diagnostics"] as? [JSONObject] ?? []
    }

    /// Waits for the process to end; nil on timeout (the process is then killed).
    func exitStatus(timeout: TimeInterval = 5) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.005) }
        if process.isRunning {
            process.terminate()
            return nil
        }
        return process.terminationStatus
    }
}
