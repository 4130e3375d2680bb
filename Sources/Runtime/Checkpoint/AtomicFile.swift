import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

#if canImport(Glibc)
private let systemWrite = Glibc.write
#else
private let systemWrite = Darwin.write
#endif

/// Atomic file replacement: write to a temporary file in the destination's folder, `fsync` it,
/// `rename` it over the destination (atomic within one file system), then `fsync` the folder so the
/// rename itself is durable.
public enum AtomicFile {
    public static func write(_ bytes: [UInt8], to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        let temp = folder + "/." + url.lastPathComponent + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        guard fd >= 0 else { throw CheckpointError.io(path: path, reason: "cannot create \(temp): \(String(cString: strerror(errno)))") }
        var ok = false
        defer { if !ok { unlink(temp) } }
        var written = 0
        let failure: String? = bytes.withUnsafeBytes { raw -> String? in
            while written < raw.count {
                let n = systemWrite(fd, raw.baseAddress.map { $0 + written }, raw.count - written)
                if n < 0 {
                    if errno == EINTR { continue }
                    return String(cString: strerror(errno))
                }
                written += n
            }
            return nil
        }
        if let failure { close(fd); throw CheckpointError.io(path: path, reason: "write failed: \(failure)") }
        if fsync(fd) != 0 { let e = String(cString: strerror(errno)); close(fd); throw CheckpointError.io(path: path, reason: "fsync failed: \(e)") }
        close(fd)
        guard rename(temp, path) == 0 else {
            throw CheckpointError.io(path: path, reason: "rename failed: \(String(cString: strerror(errno)))")
        }
        ok = true
        let dfd = open(folder, O_RDONLY)
        if dfd >= 0 { _ = fsync(dfd); close(dfd) }
    }
}
