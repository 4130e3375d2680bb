import Foundation
import Diagnostics

/// Training keeps each trainable float32 parameter four times (value, gradient and two optimizer
/// moments) and each buffer once; a spec that needs more than the machine's physical memory
/// cannot train here, whatever the batch size.
func lintMemory(_ params: [ParamInfo], physicalMemory: UInt64?, at range: SourceRange) -> [Diagnostic] {
    guard let have = physicalMemory else { return [] }
    var need: UInt64 = 0
    for p in params {
        let (b, o) = UInt64(p.count).multipliedReportingOverflow(by: p.trainable ? 16 : 4)
        let (s, o2) = need.addingReportingOverflow(b)
        need = o || o2 ? .max : s
    }
    guard need > have else { return [] }
    return [Msg.memory(formatBytes(need), formatBytes(have)).warning(range)]
}

/// Physical memory in bytes, from /proc/meminfo (Linux) or sysconf; nil when unknown.
public func physicalMemory() -> UInt64? {
    if let text = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8),
       let line = text.split(separator: "\n").first(where: { $0.hasPrefix("MemTotal:") }),
       let kb = UInt64(line.split(separator: " ").dropFirst().first ?? "") {
        return kb * 1024
    }
    let pages = sysconf(Int32(_SC_PHYS_PAGES)), size = sysconf(Int32(_SC_PAGESIZE))
    return pages > 0 && size > 0 ? UInt64(pages) * UInt64(size) : nil
}

/// `1.2 MB`, `16 GB` (powers of 1024, one decimal below 10).
public func formatBytes(_ n: UInt64) -> String {
    let units = ["bytes", "KB", "MB", "GB", "TB", "PB", "EB"]
    var x = Double(n), u = 0
    while x >= 1024 && u < units.count - 1 { x /= 1024; u += 1 }
    if u == 0 { return "\(n) bytes" }
    return x < 10 ? String(format: "%.1f %@", x, units[u]) : "\(Int(x.rounded())) \(units[u])"
}
