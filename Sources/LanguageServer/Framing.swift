import Foundation

/// Splits a byte stream into LSP messages: `Content-Length: N\r\n` headers, a blank line, then N
/// bytes of JSON. Reads from a pipe arrive in arbitrary pieces, so the framer buffers bytes and
/// hands out whole bodies only; a header block it cannot understand is skipped (reported as a
/// `.badHeader`) so one bad message never stalls the stream.
public struct MessageFramer {
    public enum Item: Equatable {
        /// The body of one message (not yet parsed as JSON).
        case message(Data)
        /// A header block without a usable Content-Length; the text is for the error message.
        case badHeader(String)
    }

    private var buffer: [UInt8] = []
    /// The largest body accepted; a bigger length is treated as garbage rather than awaited.
    public var maximumLength = 64 << 20

    public init() {}

    /// Adds bytes read from the stream.
    public mutating func append<S: Sequence>(_ bytes: S) where S.Element == UInt8 {
        buffer.append(contentsOf: bytes)
    }

    /// The next complete item, or nil when more bytes are needed.
    public mutating func next() -> Item? {
        guard let headerEnd = find([13, 10, 13, 10]) else {
            // Garbage without any header terminator would grow forever; keep only a tail that
            // could still be the start of a header.
            if buffer.count > 1 << 16 { buffer.removeFirst(buffer.count - 4) }
            return nil
        }
        let header = String(decoding: buffer[0..<headerEnd], as: UTF8.self)
        var length: Int?
        for line in header.components(separatedBy: "\r\n") {
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2 else { continue }
            // Garbage before a header ends up on the header's first line: find the field anywhere.
            let name = parts[0].trimmingCharacters(in: .whitespaces).lowercased()
            if name.hasSuffix("content-length") {
                length = Int(parts[1].trimmingCharacters(in: .whitespaces))
            }
        }
        guard let length, length >= 0, length <= maximumLength else {
            buffer.removeFirst(headerEnd + 4)
            return .badHeader(header)
        }
        let bodyStart = headerEnd + 4
        guard buffer.count >= bodyStart + length else { return nil }
        let body = Data(buffer[bodyStart..<bodyStart + length])
        buffer.removeFirst(bodyStart + length)
        return .message(body)
    }

    private func find(_ pattern: [UInt8]) -> Int? {
        guard buffer.count >= pattern.count else { return nil }
        var i = 0
        while i <= buffer.count - pattern.count {
            if buffer[i] == pattern[0] && Array(buffer[i..<i + pattern.count]) == pattern { return i }
            i += 1
        }
        return nil
    }

    /// The bytes of one framed message.
    public static func frame(_ body: Data) -> Data {
        var data = Data("Content-Length: \(body.count)\r\n\r\n".utf8)
        data.append(body)
        return data
    }
}
