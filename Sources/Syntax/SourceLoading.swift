import Diagnostics
import Foundation

/// A spec file that could not be read at all (missing, unreadable): an I/O problem, exit code 2.
public struct SourceLoadError: Error, CustomStringConvertible {
    public var path: String
    public var reason: String
    public var description: String { "cannot read '\(path)': \(reason)" }
}

/// Reads a spec file. Bytes that are not UTF-8 are a diagnostic (pointing at the first bad byte)
/// rather than an error, so the user sees the line; the returned text has them replaced by U+FFFD.
public func loadSourceFile(path: String) throws -> (file: SourceFile, diagnostics: [Diagnostic]) {
    guard let data = FileManager.default.contents(atPath: path) else {
        let exists = FileManager.default.fileExists(atPath: path)
        throw SourceLoadError(path: path, reason: exists ? "permission denied or not a file" : "no such file")
    }
    return decodeSource(path: path, bytes: [UInt8](data))
}

/// Decodes UTF-8 bytes (dropping a leading byte-order mark) and reports the first invalid byte
/// with its line, column and byte offset.
public func decodeSource(path: String, bytes: [UInt8]) -> (file: SourceFile, diagnostics: [Diagnostic]) {
    var body = bytes[...]
    if body.starts(with: [0xEF, 0xBB, 0xBF]) { body = body.dropFirst(3) }
    var diagnostics: [Diagnostic] = []
    if let bad = firstInvalidUTF8(body) {
        let prefix = String(decoding: body[body.startIndex..<bad], as: UTF8.self)
        var line = 1, column = 1
        for s in prefix.unicodeScalars {
            if s == "\n" { line += 1; column = 1 } else if s != "\r" { column += 1 }
        }
        let at = SourceLocation(line: line, column: column)
        let byte = String(body[bad], radix: 16, uppercase: true)
        diagnostics.append(.error("invalid-utf8",
            "invalid UTF-8 byte 0x\(byte.count == 1 ? "0" + byte : byte) at byte offset \(bad); spec files must be UTF-8",
            at: SourceRange(file: path, start: at, end: SourceLocation(line: line, column: column + 1))))
    }
    return (SourceFile(path: path, text: String(decoding: body, as: UTF8.self)), diagnostics)
}

/// The index of the first byte that does not belong to a well-formed UTF-8 sequence.
private func firstInvalidUTF8(_ bytes: ArraySlice<UInt8>) -> Int? {
    var i = bytes.startIndex
    while i < bytes.endIndex {
        let b = bytes[i]
        let length: Int
        switch b {
        case 0x00...0x7F: i += 1; continue
        case 0xC2...0xDF: length = 2
        case 0xE0...0xEF: length = 3
        case 0xF0...0xF4: length = 4
        default: return i
        }
        guard i + length <= bytes.endIndex else { return i }
        var scalar = UInt32(b) & (0xFF >> (length + 1))
        for k in 1..<length {
            let c = bytes[i + k]
            guard c & 0xC0 == 0x80 else { return i }
            scalar = scalar << 6 | UInt32(c & 0x3F)
        }
        let minimum: UInt32 = [0, 0, 0x80, 0x800, 0x10000][length]
        guard scalar >= minimum, scalar <= 0x10FFFF, !(0xD800...0xDFFF).contains(scalar) else { return i }
        i += length
    }
    return nil
}
