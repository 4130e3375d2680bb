import ArgumentParser
import Diagnostics
import Driver
import Foundation

struct Lint: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check specs for syntax, shape and regularization mistakes.",
        discussion: "Exits 0 when no spec has errors (warnings allowed), 1 when any has, 2 when a file cannot be read.")

    @Argument(help: "Spec files (.yaml, .yml or .regula), or folders to search for them.")
    var files: [String]

    @OptionGroup var output: DiagnosticOptions

    func run() throws {
        var diagnostics: [Diagnostic] = []
        var sources: [SourceFile] = []
        var unreadable = false
        for path in files.flatMap(specFiles) {
            do {
                let result = try Frontend.run(path: path)
                diagnostics += result.diagnostics
                sources.append(result.source)
            } catch let error as DriverError {
                Out.error("error: \(error.message)\n")
                unreadable = true
            }
        }
        let text = output.style.render(diagnostics, sources: sources, handle: STDOUT_FILENO)
        if !text.isEmpty { Out.print(text.hasSuffix("\n") ? text : text + "\n") }
        if unreadable { throw ExitCode.io }
        if diagnostics.contains(where: { $0.severity == .error }) { throw ExitCode.diagnostics }
    }
}

/// `path` itself, or the spec files below it when it is a folder (sorted, so output is stable).
func specFiles(_ path: String) -> [String] {
    var isFolder: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue else { return [path] }
    let extensions: Set<String> = ["yaml", "yml", "regula"]
    let found = FileManager.default.enumerator(atPath: path)?.compactMap { $0 as? String } ?? []
    return found.filter { extensions.contains(URL(fileURLWithPath: $0).pathExtension) }
        .sorted()
        .map { (path.hasSuffix("/") ? path : path + "/") + $0 }
}
