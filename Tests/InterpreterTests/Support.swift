import Foundation
import XCTest
import Check
import Syntax
import Diagnostics
@testable import Interpreter

/// The repository root (specs/, data/).
let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

/// Parses and checks `specs/<name>.yaml`.
func loadSpec(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws -> CheckedModel {
    let path = repoRoot + "/specs/" + name + ".yaml"
    let (source, _) = try loadSourceFile(path: path)
    let (spec, parseDiags) = parseYAML(source)
    guard let spec else { throw TrainError.data("cannot parse \(path): \(parseDiags)") }
    let (model, diags) = check(spec, options: CheckOptions(physicalMemory: nil))
    guard let model else { throw TrainError.data("cannot check \(path): \(diags)") }
    return model
}

/// Options for quiet test runs writing into a fresh temporary folder.
func testOptions(_ tag: String) -> TrainOptions {
    var o = TrainOptions()
    o.progress = .quiet
    o.outDirectory = NSTemporaryDirectory() + "regula-interp-\(tag)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    return o
}

/// Checks a spec given as text.
func checkSpec(_ text: String) throws -> CheckedModel {
    let (spec, parseDiags) = parseYAML(SourceFile(path: "inline.yaml", text: text))
    guard let spec else { throw TrainError.data("cannot parse: \(parseDiags)") }
    let (model, diags) = check(spec, options: CheckOptions(physicalMemory: nil))
    guard let model else { throw TrainError.data("cannot check: \(diags)") }
    return model
}
