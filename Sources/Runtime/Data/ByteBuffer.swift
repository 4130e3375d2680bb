#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A growable byte buffer on `malloc`/`realloc` storage.
///
/// Datasets keep their examples in one of these in stored (uint8) form. Growth uses `realloc`,
/// which for large blocks remaps pages instead of copying (glibc `mremap`), so decompressing MNIST
/// never holds two copies of the 47 MB image set (the 150 MB process budget in issue 3).
public final class ByteBuffer: @unchecked Sendable {
    public private(set) var base: UnsafeMutablePointer<UInt8>
    public internal(set) var count: Int
    public private(set) var capacity: Int

    public init(capacity: Int) {
        let c = max(capacity, 16)
        guard let p = malloc(c) else { preconditionFailure("out of memory allocating \(c) bytes") }
        base = p.assumingMemoryBound(to: UInt8.self)
        self.capacity = c
        count = 0
    }

    public convenience init(_ bytes: [UInt8]) {
        self.init(capacity: bytes.count)
        append(bytes)
    }

    deinit { free(base) }

    /// Ensures room for `extra` more bytes (amortized doubling).
    @inline(__always)
    public func reserve(extra: Int) {
        if count + extra > capacity { grow(to: count + extra) }
    }

    func grow(to needed: Int) {
        var c = capacity
        while c < needed { c = c < (1 << 30) ? c * 2 : c + (1 << 30) }
        guard let p = realloc(base, c) else { preconditionFailure("out of memory growing a buffer to \(c) bytes") }
        base = p.assumingMemoryBound(to: UInt8.self)
        capacity = c
    }

    public func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { append($0) }
    }

    public func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        reserve(extra: bytes.count)
        if let src = bytes.baseAddress { (base + count).update(from: src, count: bytes.count) }
        count += bytes.count
    }

    public var array: [UInt8] { Array(UnsafeBufferPointer(start: base, count: count)) }

    /// Reads a whole file. Throws `DataError.missingFile` / `.unreadable` naming the file.
    public static func read(contentsOf path: String) throws -> ByteBuffer {
        guard let f = fopen(path, "rb") else {
            throw errno == ENOENT ? DataError.missingFile(path: path) : DataError.unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        defer { fclose(f) }
        var size = 0
        if fseek(f, 0, SEEK_END) == 0 { size = ftell(f); fseek(f, 0, SEEK_SET) }
        // One spare byte so the final zero-length read does not grow the buffer.
        let buf = ByteBuffer(capacity: max(size, 0) + 1)
        while true {
            if buf.count == buf.capacity { buf.reserve(extra: 1 << 16) }
            let n = fread(buf.base + buf.count, 1, buf.capacity - buf.count, f)
            buf.count += n
            if n == 0 {
                if ferror(f) != 0 { throw DataError.unreadable(path: path, reason: "read error") }
                break
            }
        }
        return buf
    }
}
