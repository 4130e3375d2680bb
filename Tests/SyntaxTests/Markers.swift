import Diagnostics

/// Source text with `«name»` markers, in the style of swift-format's assertLint: the markers are
/// removed and their positions recorded, so tests say "here" instead of counting columns.
struct Marked {
    let text: String
    let locations: [String: SourceLocation]

    init(_ marked: String) {
        var text = ""
        var locations: [String: SourceLocation] = [:]
        var line = 1, column = 1
        var rest = Substring(marked)
        while let c = rest.first {
            if c == "«", let close = rest.firstIndex(of: "»") {
                let name = String(rest[rest.index(after: rest.startIndex)..<close])
                locations[name] = SourceLocation(line: line, column: column)
                rest = rest[rest.index(after: close)...]
                continue
            }
            text.append(c)
            if c == "\n" { line += 1; column = 1 } else { column += c.unicodeScalars.count }
            rest = rest.dropFirst()
        }
        self.text = text
        self.locations = locations
    }

    subscript(_ name: String) -> SourceLocation {
        guard let l = locations[name] else { preconditionFailure("no marker «\(name)» in the test text") }
        return l
    }
}
