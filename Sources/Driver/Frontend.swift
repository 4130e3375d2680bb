import Check
import Diagnostics
import Foundation
import Syntax

/// A problem outside the spec's text: a file that cannot be read, a bad option. Maps to exit 2.
public struct DriverError: Error, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}

/// What the front half of the compiler made of one spec file.
public struct FrontendResult {
    public var source: SourceFile
    public var spec: Spec?
    public var model: CheckedModel?
    public var diagnostics: [Diagnostic]

    public var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }
}

/// The stages in order: load → parse → check. The later stages (IR, interpreter, codegen) start
/// from `FrontendResult.model`.
public enum Frontend {
    /// Reads, parses and checks the spec at `path`.
    /// - Throws: `DriverError` when the file cannot be read at all (exit 2); everything about its
    ///   content becomes diagnostics.
    public static func run(path: String) throws -> FrontendResult {
        let (source, encoding) = try load(path: path)
        return run(source: source, prior: encoding)
    }

    /// Parses and checks `source`; `prior` are diagnostics from loading it (invalid UTF-8).
    public static func run(source: SourceFile, prior: [Diagnostic] = []) -> FrontendResult {
        var diagnostics = prior
        let parsed = parseSpec(source)
        diagnostics += parsed.diagnostics
        guard let spec = parsed.spec, !diagnostics.contains(where: { $0.severity == .error }) else {
            return FrontendResult(source: source, spec: parsed.spec, model: nil, diagnostics: diagnostics)
        }
        let checked = check(spec)
        diagnostics += checked.diagnostics
        return FrontendResult(source: source, spec: spec, model: checked.model, diagnostics: diagnostics)
    }

    /// Loads a spec file. Invalid UTF-8 comes back as a diagnostic so the user sees the line.
    public static func load(path: String) throws -> (file: SourceFile, diagnostics: [Diagnostic]) {
        do {
            return try loadSourceFile(path: path)
        } catch let error as SourceLoadError {
            throw DriverError(error.description)
        } catch {
            throw DriverError("cannot read '\(path)': \(error)")
        }
    }
}
