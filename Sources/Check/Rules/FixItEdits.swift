import Diagnostics
import Syntax

/// A fix-it that adds `key: value` to a non-empty map: before its first key, on the same line in
/// a flow map (`{dir: …}`) and on a line of its own, equally indented, in a block map.
func insertingEntry(_ key: String, _ value: String, into map: Value?, message: String) -> FixIt? {
    guard let map, let first = map.mapValue?.first else { return nil }
    let at = SourceRange(file: first.key.range.file, at: first.key.range.start)
    let flow = map.range.start != first.key.range.start
    let replacement = flow ? "\(key): \(value), "
                           : "\(key): \(value)\n" + String(repeating: " ", count: first.key.range.start.column - 1)
    return FixIt(message, range: at, replacement: replacement)
}
