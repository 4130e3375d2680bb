import Foundation

/// JSON values as JSONSerialization produces them; LSP payloads are small and loosely typed, so
/// handlers read fields with the helpers below rather than decoding a Codable type per message.
public typealias JSONObject = [String: Any]

/// The JSON-RPC 2.0 and LSP error codes the server answers with.
public enum ErrorCode: Int {
    case parseError = -32700
    case invalidRequest = -32600
    case methodNotFound = -32601
    case invalidParams = -32602
    case internalError = -32603
    case serverNotInitialized = -32002
    /// LSP's answer to a request the client cancelled with `$/cancelRequest`.
    case requestCancelled = -32800
}

/// A failure a handler reports as the response's `error`.
public struct ResponseError: Error {
    public var code: Int
    public var message: String

    public init(_ code: ErrorCode, _ message: String) {
        self.code = code.rawValue
        self.message = message
    }
}

/// One decoded incoming message.
public enum IncomingMessage {
    /// A request: `id` is a number or a string and must be echoed back unchanged.
    case request(id: Any, method: String, params: Any?)
    case notification(method: String, params: Any?)
    /// A response to a request the server sent (the server sends none; ignored).
    case response
    /// Not JSON-RPC at all; the error response to send (with a null id, as the protocol asks).
    case invalid(ResponseError, id: Any?)
}

public enum JSONRPC {
    /// Decodes a message body.
    public static func decode(_ body: Data) -> IncomingMessage {
        guard let value = try? JSONSerialization.jsonObject(with: body, options: [.fragmentsAllowed]) else {
            return .invalid(ResponseError(.parseError, "the message is not valid JSON"), id: nil)
        }
        guard let object = value as? JSONObject else {
            return .invalid(ResponseError(.invalidRequest, "a message must be a JSON object"), id: nil)
        }
        let id = object["id"].flatMap { $0 is NSNull ? nil : $0 }
        guard let method = object["method"] as? String else {
            if object["result"] != nil || object["error"] != nil { return .response }
            return .invalid(ResponseError(.invalidRequest, "a request needs a string 'method'"), id: id)
        }
        if let id {
            guard id is String || id is NSNumber else {
                return .invalid(ResponseError(.invalidRequest, "a request id must be a number or a string"), id: nil)
            }
            return .request(id: id, method: method, params: object["params"])
        }
        return .notification(method: method, params: object["params"])
    }

    /// The body of a successful response (`result` nil is sent as JSON null).
    public static func response(id: Any, result: Any?) -> Data {
        encode(["jsonrpc": "2.0", "id": id, "result": result ?? NSNull()])
    }

    public static func errorResponse(id: Any?, _ error: ResponseError) -> Data {
        encode(["jsonrpc": "2.0", "id": id ?? NSNull(), "error": ["code": error.code, "message": error.message]])
    }

    public static func notification(method: String, params: Any) -> Data {
        encode(["jsonrpc": "2.0", "method": method, "params": params])
    }

    /// Serializes an object built from JSON-compatible values; keys sorted so output is stable.
    static func encode(_ object: JSONObject) -> Data {
        (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]))
            ?? Data(#"{"jsonrpc":"2.0","id":null,"error":{"code":-32603,"message":"unencodable response"}}"#.utf8)
    }
}

/// Typed reads out of loosely typed params, throwing InvalidParams when a field is missing.
extension Dictionary where Key == String, Value == Any {
    func string(_ key: String) throws -> String {
        guard let s = self[key] as? String else { throw ResponseError(.invalidParams, "missing string '\(key)'") }
        return s
    }

    func object(_ key: String) throws -> JSONObject {
        guard let o = self[key] as? JSONObject else { throw ResponseError(.invalidParams, "missing object '\(key)'") }
        return o
    }

    func int(_ key: String) throws -> Int {
        guard let n = self[key] as? NSNumber else { throw ResponseError(.invalidParams, "missing number '\(key)'") }
        return n.intValue
    }
}
