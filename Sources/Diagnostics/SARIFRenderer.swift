extension DiagnosticRenderer {
    /// `--format sarif`: a SARIF 2.1.0 log with one run, for CI code scanning.
    ///
    /// The driver lists as rules the ids that occur (sorted); each result points at its rule by
    /// id and index. Notes with a place become related locations (notes without one are added
    /// to the message text); fix-its become fixes with one replacement each. SARIF regions are
    /// 1-based with an exclusive end column, as Regula's ranges are, and columns count code points.
    public static func sarif(_ diagnostics: [Diagnostic], toolVersion: String) -> String {
        let ruleIDs = Array(Set(diagnostics.map(\.id))).sorted()
        let ruleIndex = Dictionary(uniqueKeysWithValues: ruleIDs.enumerated().map { ($1, $0) })
        let results: [JSON] = diagnostics.map { d in
            let unplaced = d.notes.filter { $0.range == nil }.map { "\nnote: " + $0.message }.joined()
            var fields: [(String, JSON)] = [
                ("ruleId", .string(d.id)),
                ("ruleIndex", .int(ruleIndex[d.id] ?? 0)),
                ("level", .string(level(d.severity))),
                ("message", .object([("text", .string(d.message + unplaced))])),
                ("locations", .array([.object([("physicalLocation", physical(d.range))])])),
            ]
            let related = d.notes.compactMap { n in n.range.map { (n.message, $0) } }
            if !related.isEmpty {
                fields.append(("relatedLocations", .array(related.enumerated().map { k, note in
                    .object([("id", .int(k)), ("message", .object([("text", .string(note.0))])), ("physicalLocation", physical(note.1))])
                })))
            }
            if !d.fixIts.isEmpty {
                fields.append(("fixes", .array(d.fixIts.map { f in
                    .object([
                        ("description", .object([("text", .string(f.message))])),
                        ("artifactChanges", .array([.object([
                            ("artifactLocation", .object([("uri", .string(uri(f.range.file)))])),
                            ("replacements", .array([.object([
                                ("deletedRegion", region(f.range)),
                                ("insertedContent", .object([("text", .string(f.replacement))])),
                            ])])),
                        ])])),
                    ])
                })))
            }
            return .object(fields)
        }
        let driver: JSON = .object([
            ("name", .string("regula")),
            ("version", .string(toolVersion)),
            ("rules", .array(ruleIDs.map { .object([("id", .string($0))]) })),
        ])
        return JSON.object([
            ("$schema", .string("https://json.schemastore.org/sarif-2.1.0.json")),
            ("version", .string("2.1.0")),
            // Regula counts columns in Unicode scalars; SARIF's default would be UTF-16 code units.
            ("runs", .array([.object([("tool", .object([("driver", driver)])), ("columnKind", .string("unicodeCodePoints")),
                                      ("results", .array(results))])])),
        ]).rendered()
    }

    private static func level(_ s: Severity) -> String {
        switch s {
        case .error: return "error"
        case .warning: return "warning"
        case .note: return "note"
        }
    }

    private static func physical(_ r: SourceRange) -> JSON {
        .object([("artifactLocation", .object([("uri", .string(uri(r.file)))])), ("region", region(r))])
    }

    private static func region(_ r: SourceRange) -> JSON {
        .object([("startLine", .int(r.start.line)), ("startColumn", .int(r.start.column)),
                 ("endLine", .int(r.end.line)), ("endColumn", .int(r.end.column))])
    }

    /// A relative URI reference for a path: only characters that may not appear in a URI are escaped.
    static func uri(_ path: String) -> String {
        var out = ""
        for b in path.utf8 {
            let c = Unicode.Scalar(b)
            if (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || (c >= "0" && c <= "9") || "-._~/:".unicodeScalars.contains(c) {
                out.unicodeScalars.append(c)
            } else {
                let hex = String(b, radix: 16, uppercase: true)
                out += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return out
    }
}
