extension DiagnosticRenderer {
    /// `--format json`: an array with one object per diagnostic, keys in a fixed order:
    /// id, severity, message, file, line, column, endLine, endColumn, notes, fixIts.
    /// A note without a place has null positions.
    public static func json(_ diagnostics: [Diagnostic]) -> String {
        JSON.array(diagnostics.map { d in
            .object([("id", .string(d.id)), ("severity", .string(d.severity.rawValue)), ("message", .string(d.message))]
                    + position(d.range)
                    + [("notes", .array(d.notes.map { n in
                           .object([("message", .string(n.message))] + position(n.range))
                       })),
                       ("fixIts", .array(d.fixIts.map { f in
                           .object([("message", .string(f.message))] + position(f.range) + [("replacement", .string(f.replacement))])
                       }))])
        }).rendered()
    }

    private static func position(_ r: SourceRange?) -> [(String, JSON)] {
        guard let r else {
            return [("file", .null), ("line", .null), ("column", .null), ("endLine", .null), ("endColumn", .null)]
        }
        return [("file", .string(r.file)), ("line", .int(r.start.line)), ("column", .int(r.start.column)),
                ("endLine", .int(r.end.line)), ("endColumn", .int(r.end.column))]
    }
}
