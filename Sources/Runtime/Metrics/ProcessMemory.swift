import Foundation

/// Resident-memory figures of this process, for `regula bench` and the 150 MB budget of issue 3.
public enum ProcessMemory {
    /// Peak resident set size in bytes: `VmHWM` from `/proc/self/status` on Linux, else
    /// `getrusage(RUSAGE_SELF).ru_maxrss` (kilobytes on Linux, bytes on macOS).
    public static func peakResidentBytes() -> Int? {
        if let kb = statusField("VmHWM:") { return kb * 1024 }
        var usage = rusage()
        #if os(Linux)
        let who = RUSAGE_SELF.rawValue
        #else
        let who = RUSAGE_SELF
        #endif
        guard getrusage(who, &usage) == 0 else { return nil }
        #if os(macOS)
        return Int(usage.ru_maxrss)
        #else
        return Int(usage.ru_maxrss) * 1024
        #endif
    }

    /// Current resident set size in bytes (`VmRSS`), Linux only.
    public static func currentResidentBytes() -> Int? {
        statusField("VmRSS:").map { $0 * 1024 }
    }

    /// The kilobyte value of a `/proc/self/status` line such as `VmHWM:   12345 kB`.
    static func statusField(_ name: String) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(name) {
            return Int(line.dropFirst(name.count).split(whereSeparator: { $0 == " " || $0 == "\t" }).first ?? "")
        }
        return nil
    }
}
