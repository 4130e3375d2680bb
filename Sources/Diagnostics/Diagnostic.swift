/// How bad a diagnostic is. Errors make `regula lint` exit 1; warnings do not.
public enum Severity: String, Sendable, Codable, Comparable {
    case note, warning, error

    public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }

    private var rank: Int {
        switch self {
        case .note: return 0
        case .warning: return 1
        case .error: return 2
        }
    }
}

/// A secondary place that explains a diagnostic ("'a' is defined here").
public struct Note: Hashable, Sendable {
    public var message: String
    public var range: SourceRange?

    public init(_ message: String, at range: SourceRange? = nil) {
        self.message = message
        self.range = range
    }
}

/// A suggested edit: replace the text of `range` with `replacement`.
public struct FixIt: Hashable, Sendable {
    public var message: String
    public var range: SourceRange
    public var replacement: String

    public init(_ message: String, range: SourceRange, replacement: String) {
        self.message = message
        self.range = range
        self.replacement = replacement
    }
}

/// One finding about a spec: plain data, rendered elsewhere (text, JSON, SARIF).
///
/// `id` is a stable kebab-case rule name (`shape-mismatch`, `unknown-kind`); messages follow the
/// Swift compiler's rules: one lowercase phrase that names the entity and states the rule, no
/// final period, understandable without its notes.
public struct Diagnostic: Hashable, Sendable {
    public var id: String
    public var severity: Severity
    public var message: String
    public var range: SourceRange
    public var notes: [Note]
    public var fixIts: [FixIt]

    public init(id: String, severity: Severity, message: String, range: SourceRange,
                notes: [Note] = [], fixIts: [FixIt] = []) {
        self.id = id
        self.severity = severity
        self.message = message
        self.range = range
        self.notes = notes
        self.fixIts = fixIts
    }

    public static func error(_ id: String, _ message: String, at range: SourceRange,
                             notes: [Note] = [], fixIts: [FixIt] = []) -> Diagnostic {
        Diagnostic(id: id, severity: .error, message: message, range: range, notes: notes, fixIts: fixIts)
    }

    public static func warning(_ id: String, _ message: String, at range: SourceRange,
                               notes: [Note] = [], fixIts: [FixIt] = []) -> Diagnostic {
        Diagnostic(id: id, severity: .warning, message: message, range: range, notes: notes, fixIts: fixIts)
    }
}

/// Collects diagnostics from a stage. Stages append; the driver decides what to print.
public struct DiagnosticBag: Sendable {
    public private(set) var all: [Diagnostic] = []

    public init() {}

    public mutating func append(_ d: Diagnostic) { all.append(d) }
    public mutating func append(contentsOf ds: [Diagnostic]) { all.append(contentsOf: ds) }

    public var hasErrors: Bool { all.contains { $0.severity == .error } }

    /// Diagnostics in file order, then by severity (errors first) for equal positions.
    public var sorted: [Diagnostic] {
        all.enumerated().sorted { a, b in
            let (x, y) = (a.element, b.element)
            if x.range.file != y.range.file { return a.offset < b.offset }
            if x.range.start != y.range.start { return x.range.start < y.range.start }
            return a.offset < b.offset
        }.map(\.element)
    }
}
