import Foundation

/// The protocol state machine: decodes messages, runs handlers, and writes responses and
/// notifications through `send`. Transport-free, so tests can drive it with bytes directly.
public final class Server {
    /// Where framed output goes (stdout in `regula lsp`).
    private let send: (Data) -> Void
    private var framer = MessageFramer()
    private var documents = DocumentStore()
    /// The analysis of each open document's current version.
    private var analyses: [String: Analysis] = [:]
    /// Documents changed since their last analysis. Checking waits until every message already
    /// read has been handled, so a burst of keystrokes that arrives together is checked once, at
    /// its last version, instead of once per stale version.
    private var stale: [String] = []
    /// The messages of the current read not yet handled.
    private var pending: [IncomingMessage] = []
    /// Ids of requests in `pending` that a `$/cancelRequest` in the same read cancelled.
    private var cancelled: Set<String> = []
    private var initialized = false
    private var shuttingDown = false
    /// Set by `exit`: the process exit code (0 after `shutdown`, 1 without, as LSP specifies).
    public private(set) var exitCode: Int32?

    public init(send: @escaping (Data) -> Void) {
        self.send = send
    }

    /// Feeds bytes read from the client; handles every message they complete.
    ///
    /// The messages of one read are queued before any is handled, so work they make stale is
    /// skipped: a request that a `$/cancelRequest` in the same read cancels gets
    /// RequestCancelled without running, and a document changed again later in the queue is
    /// checked for a request in between but its diagnostics are published only for the last version.
    public func receive<S: Sequence>(_ bytes: S) where S.Element == UInt8 {
        framer.append(bytes)
        while let item = framer.next() {
            switch item {
            case .message(let body): pending.append(JSONRPC.decode(body))
            case .badHeader:
                pending.append(.invalid(ResponseError(.parseError, "a message header without a valid Content-Length"), id: nil))
            }
        }
        for case .notification("$/cancelRequest", let params) in pending {
            if let id = (params as? JSONObject)?["id"], let key = Self.key(id) { cancelled.insert(key) }
        }
        while exitCode == nil, !pending.isEmpty { handle(pending.removeFirst()) }
        pending.removeAll()
        cancelled.removeAll()
        while let uri = stale.first { analyze(uri) }
    }

    /// A request id as a set key (ids are numbers or strings, and 1 is not "1").
    private static func key(_ id: Any) -> String? {
        if let s = id as? String { return "s" + s }
        if let n = id as? NSNumber { return "n" + n.stringValue }
        return nil
    }

    /// The client hung up: like `exit` without `shutdown`, unless shutdown already came.
    public func endOfInput() {
        if exitCode == nil { exitCode = shuttingDown ? 0 : 1 }
    }

    private func handle(_ message: IncomingMessage) {
        switch message {
        case .response: return
        case .invalid(let error, let id): reply(JSONRPC.errorResponse(id: id, error))
        case .notification(let method, let params): notify(method, params as? JSONObject ?? [:])
        case .request(let id, let method, let params):
            if let key = Self.key(id), cancelled.remove(key) != nil {
                reply(JSONRPC.errorResponse(id: id, ResponseError(.requestCancelled, "the request was cancelled")))
                return
            }
            do {
                let result = try request(method, params as? JSONObject ?? [:])
                reply(JSONRPC.response(id: id, result: result))
            } catch let error as ResponseError {
                reply(JSONRPC.errorResponse(id: id, error))
            } catch {
                reply(JSONRPC.errorResponse(id: id, ResponseError(.internalError, "\(error)")))
            }
        }
    }

    private func reply(_ body: Data) { send(MessageFramer.frame(body)) }

    private func request(_ method: String, _ params: JSONObject) throws -> Any? {
        if method == "initialize" {
            initialized = true
            return ["capabilities": Capabilities.advertised, "serverInfo": ["name": "regula", "version": Capabilities.version]]
        }
        guard initialized else { throw ResponseError(.serverNotInitialized, "the first request must be 'initialize'") }
        guard !shuttingDown else { throw ResponseError(.invalidRequest, "the server is shutting down") }
        switch method {
        case "shutdown":
            shuttingDown = true
            return nil
        case "textDocument/hover":
            return try analysis(params).hover(at: try position(params))
        case "textDocument/documentSymbol":
            return try analysis(params).documentSymbols()
        case "textDocument/completion":
            return try analysis(params).completions(at: try position(params))
        case "textDocument/formatting":
            return try analysis(params).formattingEdits()
        case "textDocument/codeAction":
            return try analysis(params).codeActions(in: try params.object("range"))
        case "textDocument/inlayHint":
            return try analysis(params).inlayHints(in: try params.object("range"))
        case "textDocument/definition":
            return try analysis(params).definition(at: try position(params))
        case "textDocument/references":
            let context = params["context"] as? JSONObject
            return try analysis(params).references(at: try position(params),
                                                   includeDeclaration: context?["includeDeclaration"] as? Bool ?? false)
        default:
            throw ResponseError(.methodNotFound, "unknown method '\(method)'")
        }
    }

    /// Notifications never get a response; a malformed one is dropped (there is no one to tell).
    private func notify(_ method: String, _ params: JSONObject) {
        if method == "exit" {
            exitCode = shuttingDown ? 0 : 1
            return
        }
        guard initialized else { return }
        do {
            switch method {
            case "textDocument/didOpen":
                let item = try params.object("textDocument")
                documents.open(Document(uri: try item.string("uri"), version: (try? item.int("version")) ?? 0,
                                        text: try item.string("text")))
                markStale(try item.string("uri"))
            case "textDocument/didChange":
                let id = try params.object("textDocument")
                let uri = try id.string("uri")
                let changes = params["contentChanges"] as? [JSONObject] ?? []
                try documents.change(uri, version: (try? id.int("version")) ?? 0, changes: changes)
                markStale(uri)
            case "textDocument/didClose":
                let uri = try params.object("textDocument").string("uri")
                documents.close(uri)
                analyses[uri] = nil
                stale.removeAll { $0 == uri }
                reply(JSONRPC.notification(method: "textDocument/publishDiagnostics", params: ["uri": uri, "diagnostics": []]))
            default:
                return  // initialized, didSave, unknown notifications: nothing to do ($/cancelRequest is read in `receive`)
            }
        } catch {
            return
        }
    }

    private func markStale(_ uri: String) {
        if !stale.contains(uri) { stale.append(uri) }
    }

    /// Re-checks a document and publishes its diagnostics, unless a change or close of the
    /// document is still queued (then that version's diagnostics would be stale on arrival).
    private func analyze(_ uri: String) {
        stale.removeAll { $0 == uri }
        guard let document = documents[uri] else { return }
        let analysis = Analysis(document)
        analyses[uri] = analysis
        if pending.contains(where: { Self.changes($0, uri) }) { return }
        reply(JSONRPC.notification(method: "textDocument/publishDiagnostics", params: analysis.publishParams))
    }

    /// Whether `message` changes or closes the document `uri`.
    private static func changes(_ message: IncomingMessage, _ uri: String) -> Bool {
        guard case .notification(let method, let params) = message,
              method == "textDocument/didChange" || method == "textDocument/didClose" else { return false }
        return ((params as? JSONObject)?["textDocument"] as? JSONObject)?["uri"] as? String == uri
    }

    /// The current analysis of the request's document; a request that follows a change in the
    /// same read sees that change.
    private func analysis(_ params: JSONObject) throws -> Analysis {
        let uri = try params.object("textDocument").string("uri")
        if stale.contains(uri) { analyze(uri) }
        guard let analysis = analyses[uri] else { throw ResponseError(.invalidParams, "'\(uri)' is not open") }
        return analysis
    }

    private func position(_ params: JSONObject) throws -> Position {
        try Position(json: try params.object("position"))
    }
}

/// What `initialize` advertises: exactly the requests `Server` answers.
enum Capabilities {
    static let version = "0.1.0"

    static let advertised: JSONObject = [
        "positionEncoding": "utf-16",
        // 2 = incremental: the client may send ranges or whole texts.
        "textDocumentSync": ["openClose": true, "change": 2],
        "hoverProvider": true,
        "documentSymbolProvider": true,
        "completionProvider": ["triggerCharacters": ["(", "{", " ", "-"]],
        "documentFormattingProvider": true,
        "codeActionProvider": ["codeActionKinds": ["quickfix"]],
        "inlayHintProvider": true,
        "definitionProvider": true,
        "referencesProvider": true,
    ]
}
