import XCTest
import Diagnostics
import Syntax
@testable import Check

/// The repository root (Tests/CheckTests/Support.swift → ../..).
let repoRoot: String = {
    var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
    parts.removeLast(3)
    return parts.joined(separator: "/")
}()

/// Options that make the memory lint independent of the machine.
let plentyOfMemory = CheckOptions(physicalMemory: 1 << 40)

/// Parses (YAML, or the DSL for `.regula` files) and checks text; `file` is the path diagnostics
/// and data paths use.
func checkYAML(_ text: String, file: String = "specs/test.yaml", options: CheckOptions = plentyOfMemory)
    -> (model: CheckedModel?, diagnostics: [Diagnostic]) {
    let (spec, parseDiagnostics) = parseSpec(SourceFile(path: file, text: text))
    guard let spec = spec else { return (nil, parseDiagnostics) }
    let (model, d) = check(spec, options: options)
    // As the driver does: a spec the reader had to repair yields no model.
    let parseFailed = parseDiagnostics.contains { $0.severity == .error }
    return (parseFailed ? nil : model, parseDiagnostics + d)
}

func checkFile(_ relative: String, options: CheckOptions = plentyOfMemory) throws -> (model: CheckedModel?, diagnostics: [Diagnostic]) {
    let path = repoRoot + "/" + relative
    let text = try String(contentsOfFile: path, encoding: .utf8)
    return checkYAML(text, file: path, options: options)
}

/// `line:col: severity: message` lines, for readable assertions.
func lines(_ d: [Diagnostic]) -> [String] {
    d.map { "\($0.range.start.line):\($0.range.start.column): \($0.severity.rawValue): \($0.message)" }
}

/// A spec with the given `layers:` body (indented by two spaces per item) on input `input`.
func spec(input: String, _ layers: String, extra: String = "") -> String {
    "regula: 1\ninput: \(input)\nlayers:\n" + layers.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n") + "\n" + extra
}
