import Foundation

/// Serves LSP over standard input and output until `exit` or end of input; returns the exit
/// code LSP prescribes (0 after `shutdown`, 1 otherwise). Standard output carries only framed
/// messages, so nothing else may print to it while this runs.
public func serveStdio() -> Int32 {
    // A client that disappears must end the server through end of input, not kill it mid-write.
    signal(SIGPIPE, SIG_IGN)
    let output = FileHandle.standardOutput
    let server = Server { data in output.write(data) }
    var buffer = [UInt8](repeating: 0, count: 1 << 16)
    while server.exitCode == nil {
        let n = buffer.withUnsafeMutableBytes { read(STDIN_FILENO, $0.baseAddress, $0.count) }
        if n < 0 && errno == EINTR { continue }
        guard n > 0 else {
            server.endOfInput()
            break
        }
        server.receive(buffer[0..<n])
    }
    return server.exitCode ?? 1
}
