import ArgumentParser
import Diagnostics
import Driver
import Foundation
import Syntax
import Check

enum SpecFormat: String, ExpressibleByArgument, CaseIterable {
    case yaml, regula
}

struct Convert: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Convert a spec between YAML and the Regula DSL.")

    @Argument(help: "The spec file.")
    var file: String

    @Option(help: "Target format: yaml or regula (default: the other one).")
    var to: SpecFormat?

    @Option(name: .shortAndLong, help: "Write to this file instead of standard output.")
    var output: String?

    func run() throws {
        let (spec, source) = try parsedSpecOrExit(file)
        let target = to ?? (file.hasSuffix(".regula") ? .yaml : .regula)
        let kept = comments(in: source)
        guard target == .yaml else { return try writeOrPrint(printDSL(spec, comments: kept), to: output) }
        let printed = printYAML(spec, comments: kept, primaryArgument: primaryArgumentName(ofKind:))
        if !printed.refused.isEmpty {
            Out.error(DiagnosticStyle().render(printed.refused, sources: [source], handle: STDERR_FILENO))
            throw ExitCode.diagnostics
        }
        try writeOrPrint(printed.text, to: output)
    }
}

struct Fmt: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print a spec as canonical Regula DSL.")

    @Argument(help: "The spec file.")
    var file: String

    @Flag(name: .shortAndLong, help: "Rewrite the file in place (DSL files only).")
    var inPlace = false

    @Flag(help: "Exit 1 if the file is not canonically formatted; print nothing.")
    var check = false

    func run() throws {
        let (spec, source) = try parsedSpecOrExit(file)
        let text = printDSL(spec, comments: comments(in: source))
        if check {
            if source.text != text { throw ExitCode.diagnostics }
            return
        }
        if inPlace {
            guard file.hasSuffix(".regula") else {
                Out.error("error: --in-place rewrites .regula files only; use 'regula convert' for YAML\n")
                throw ExitCode.io
            }
            try writeOrPrint(text, to: file)
        } else {
            Out.print(text)
        }
    }
}

/// Parses (without checking) so that convert and fmt work on specs with shape errors.
func parsedSpecOrExit(_ path: String) throws -> (spec: Spec, source: SourceFile) {
    let source: SourceFile
    var diagnostics: [Diagnostic]
    do {
        (source, diagnostics) = try Frontend.load(path: path)
    } catch let error as DriverError {
        Out.error("error: \(error.message)\n")
        throw ExitCode.io
    }
    let parsed = parseSpec(source)
    diagnostics += parsed.diagnostics
    if !diagnostics.isEmpty {
        Out.error(DiagnosticStyle().render(diagnostics, sources: [source], handle: STDERR_FILENO))
    }
    guard let spec = parsed.spec, !diagnostics.contains(where: { $0.severity == .error }) else {
        throw ExitCode.diagnostics
    }
    return (spec, source)
}

func writeOrPrint(_ text: String, to path: String?) throws {
    guard let path else {
        Out.print(text)
        return
    }
    do {
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    } catch {
        Out.error("error: cannot write '\(path)': \(error.localizedDescription)\n")
        throw ExitCode.io
    }
}
