import ArgumentParser
import Diagnostics
import Driver
import Foundation

enum DiagnosticFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json, sarif
}

enum ColorMode: String, ExpressibleByArgument, CaseIterable {
    case auto, always, never
}

/// Options shared by every subcommand that prints diagnostics.
struct DiagnosticOptions: ParsableArguments {
    @Option(help: "Diagnostic output format: text, json or sarif.")
    var format: DiagnosticFormat = .text

    @Option(help: "Colour diagnostics: auto (only on a terminal), always or never.")
    var color: ColorMode = .auto

    var style: DiagnosticStyle { DiagnosticStyle(format: format, color: color) }
}

/// How diagnostics are printed. A plain value (not the ParsableArguments above) so commands
/// without `--format`/`--color` options can use the defaults: text, colour on a terminal.
struct DiagnosticStyle {
    var format: DiagnosticFormat = .text
    var color: ColorMode = .auto

    func useColor(_ handle: Int32) -> Bool {
        switch color {
        case .always: return true
        case .never: return false
        case .auto: return isatty(handle) != 0 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
        }
    }

    /// Renders `diagnostics` in the chosen format.
    func render(_ diagnostics: [Diagnostic], sources: [SourceFile], handle: Int32) -> String {
        switch format {
        case .text:
            let byPath = Dictionary(sources.map { ($0.path, $0) }, uniquingKeysWith: { a, _ in a })
            return DiagnosticRenderer.text(diagnostics, sources: byPath, color: useColor(handle))
        case .json: return DiagnosticRenderer.json(diagnostics)
        case .sarif: return DiagnosticRenderer.sarif(diagnostics, toolVersion: Regula.configuration.version)
        }
    }
}

enum Out {
    static func print(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    static func error(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}

extension ExitCode {
    /// Diagnostics with at least one error.
    static let diagnostics = ExitCode(1)
    /// Usage or I/O problems.
    static let io = ExitCode(2)
}

/// Runs the front end on `path`, printing diagnostics to stderr in text form; throws the exit
/// code when the file cannot be read or has errors. Used by commands whose main output is not
/// diagnostics (summary, convert, ir, train).
func frontendOrExit(_ path: String, style: DiagnosticStyle = DiagnosticStyle()) throws -> FrontendResult {
    let result: FrontendResult
    do {
        result = try Frontend.run(path: path)
    } catch let error as DriverError {
        Out.error("error: \(error.message)\n")
        throw ExitCode.io
    }
    if !result.diagnostics.isEmpty {
        Out.error(style.render(result.diagnostics, sources: [result.source], handle: STDERR_FILENO))
    }
    if result.hasErrors { throw ExitCode.diagnostics }
    return result
}
