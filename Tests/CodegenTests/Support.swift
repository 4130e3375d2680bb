import Check
import Codegen
import Driver
import Foundation
import XCTest

/// The repository root (for specs, data and `--runtime-path`).
let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

/// `specs/<name>`, or `name` itself when it is an absolute path.
func specPath(_ name: String) -> String { name.hasPrefix("/") ? name : repoRoot + "/specs/" + name }

/// The checked model of `specs/<name>`.
func checkedSpec(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws -> CheckedModel {
    let r = try Frontend.run(path: specPath(name))
    guard let m = r.model else {
        XCTFail("\(name) does not check: \(r.diagnostics)", file: file, line: line)
        throw XCTSkip("spec does not check")
    }
    return m
}

/// Generates the package for `specs/<name>` (runtime by path when `runtimePath` is given).
func generate(_ name: String, runtimePath: String? = "RUNTIME", inference: Bool = false) throws -> GeneratedPackage {
    let model = try checkedSpec(name)
    let path = specPath(name)
    let text = try String(contentsOfFile: path, encoding: .utf8)
    return try compilePackage(model, source: SpecSource(path: path, text: text),
                              options: CompileOptions(runtimePath: runtimePath, inference: inference))
}

/// Every file of a package, in path order, as one text (for snapshots).
func render(_ p: GeneratedPackage) -> String {
    p.files.sorted { $0.key < $1.key }.map { "==> \($0.key) <==\n\($0.value)" }.joined(separator: "\n")
}
