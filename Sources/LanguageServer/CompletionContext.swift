import Check
import Foundation
import Syntax

/// A place in a spec that the tables describe: what may be written there, and so what
/// completion offers. Worked out from the text before the cursor alone, so it works while the
/// document does not parse.
enum Place: Equatable {
    case topLevel
    /// A section of the sections table: `train`, `train.optimizer`, `data.normalize`.
    case section(String)
    case defaults
    /// The `regularize` rules.
    case rules
    /// The `blocks:` map (YAML) and one block's definition.
    case blocks, blockDefinition
    case layerList
    /// Inside the arguments of a layer (its kind or a block's name).
    case layerArguments(String)
    /// A YAML `repeat:` item (`count`, `as`, `layers`).
    case repeatItem
    case augmentList
    case augmentArguments(String)
    case unknown

    /// The place a key (or, in the DSL, a kind's argument list) opens inside this one.
    func child(_ key: String) -> Place {
        switch self {
        case .topLevel:
            switch key {
            case "layers": return .layerList
            case "defaults": return .defaults
            case "regularize": return .rules
            case "blocks": return .blocks
            default: return sectionDocs.contains { $0.section == key } ? .section(key) : .unknown
            }
        case .section(let s):
            if s == "data" && key == "augment" { return .augmentList }
            let path = s + "." + key
            return sectionDocs.contains { $0.section == path } ? .section(path) : .unknown
        case .blocks: return .blockDefinition
        case .blockDefinition: return key == "layers" ? .layerList : .unknown
        case .layerList: return key == "repeat" ? .repeatItem : .layerArguments(key)
        case .repeatItem: return key == "layers" ? .layerList : .unknown
        case .layerArguments:
            return LayerListKeys.single.contains(key) || LayerListKeys.multiple.contains(key) ? .layerList : .unknown
        case .augmentList: return .augmentArguments(key)
        case .defaults, .rules, .augmentArguments, .unknown: return .unknown
        }
    }

    static func at(_ path: [String]) -> Place { path.reduce(.topLevel) { $0.child($1) } }
}

/// Where the cursor is: the place, and whether a key (name) or the value of `key` is being typed.
struct CompletionContext: Equatable {
    enum Slot: Equatable {
        case key
        case value(of: String)
    }

    var place: Place
    var slot: Slot
    /// YAML only: whether a key here starts a list item (`- ` on the line, or inside `[ ]`), the
    /// only place a YAML layer or augmentation can start.
    var listItem = true

    /// The context of the cursor after `prefix` (the document's text up to the cursor).
    static func of(_ text: Substring, dsl: Bool) -> CompletionContext? {
        // One line break, as SourceFile counts them (`\r\n`, `\n`, a lone `\r`).
        let prefix = Substring(text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n"))
        var scanner = dsl ? ContextScanner(dsl: true) : ContextScanner(yamlPrefix: prefix)
        if dsl {
            scanner.scan(prefix)
        } else {
            let line = prefix.lastIndex(of: "\n").map { prefix[prefix.index(after: $0)...] } ?? prefix
            scanner.scanYAMLLine(line)
        }
        return scanner.context()
    }
}

/// Reads the text before the cursor as nested frames (`train {`, `conv2d(`, `augment: [`,
/// YAML keys by indentation), each adding keys to the path from the top level.
struct ContextScanner {
    private struct Frame {
        var path: [String]
        /// The closing bracket, or nil for a YAML key that holds by indentation.
        var closer: Unicode.Scalar?
        var indent: Int
        /// A YAML key written after `- `.
        var item = false
        /// The text of the item the bracket opened in, up to the bracket.
        var enclosingItem = ""
    }

    private let dsl: Bool
    private var frames: [Frame] = []
    /// The text of the current item (since the last separator or opening bracket).
    private var item = ""
    private var afterDash = false
    private var lineIndent = 0
    private var atLineStart = true
    /// Whether the scan ended inside a comment or a string (where nothing is completed).
    private var inCommentOrString = false

    init(dsl: Bool) { self.dsl = dsl }

    /// YAML: the block structure of every line before the cursor's (keys by indentation).
    init(yamlPrefix prefix: Substring) {
        dsl = false
        let lines = prefix.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        for line in lines {
            var (indent, rest, dashes) = Self.yamlIndent(line)
            if rest.isEmpty || rest.hasPrefix("#") { continue }
            popYAML(indent: indent, dash: dashes > 0)
            indent += 2 * dashes
            if let key = Self.leadingKey(rest) { frames.append(Frame(path: [key], closer: nil, indent: indent, item: dashes > 0)) }
        }
    }

    /// `  - - key: v` → (indent 2, "key: v", 2 dashes).
    private static func yamlIndent(_ line: Substring) -> (Int, Substring, Int) {
        var rest = line.drop { $0 == " " }
        let indent = line.count - rest.count
        var dashes = 0
        while rest.hasPrefix("- ") || rest == "-" {
            rest = rest.dropFirst().drop { $0 == " " }
            dashes += 1
        }
        return (indent, rest, dashes)
    }

    /// The key a line starts with (`optimizer:` → optimizer), quotes removed.
    private static func leadingKey(_ text: Substring) -> String? {
        guard let colon = text.firstIndex(of: ":") else { return nil }
        let after = text[text.index(after: colon)...]
        guard after.isEmpty || after.first == " " else { return nil }
        let key = text[..<colon].trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))
        return key.isEmpty || key.contains(where: { "{}[],".contains($0) }) ? nil : key
    }

    /// A YAML line at `indent` ends the keys it is not nested in; a list item also ends the
    /// previous item at its own indentation.
    private mutating func popYAML(indent: Int, dash: Bool) {
        while let top = frames.last, top.closer == nil, top.indent > indent || (top.indent == indent && (!dash || top.item)) {
            frames.removeLast()
        }
    }

    /// YAML: the cursor's line up to the cursor.
    mutating func scanYAMLLine(_ line: Substring) {
        let (indent, rest, dashes) = Self.yamlIndent(line)
        popYAML(indent: indent, dash: dashes > 0)
        afterDash = dashes > 0
        atLineStart = false
        scan(rest)
    }

    /// Scalars rather than characters: every character the syntax cares about is ASCII, and
    /// scalars are much cheaper to walk on a long document.
    mutating func scan(_ text: Substring) {
        var quote: Unicode.Scalar?
        var comment = false
        var previous: Unicode.Scalar = " "
        for c in text.unicodeScalars {
            defer { previous = c }
            if c == "\n" {
                comment = false
                quote = nil
                newline()
                continue
            }
            if comment { continue }
            if let q = quote {
                item.unicodeScalars.append(c)
                if c == q { quote = nil }
                continue
            }
            if atLineStart {
                if c == " " || c == "\t" { lineIndent += 1; continue }
                atLineStart = false
                // An unclosed `(` or `[` ends at a line indented no deeper than the one that opened it.
                if !")]}".unicodeScalars.contains(c) {
                    while let top = frames.last, top.closer == ")" || top.closer == "]", top.indent >= lineIndent { frames.removeLast() }
                }
            }
            switch c {
            case "#" where dsl || previous == " ": comment = true
            case "'" where !dsl: quote = c; item.unicodeScalars.append(c)
            case "\"": quote = c; item.unicodeScalars.append(c)
            case "{", "[": open(c)
            case "(" where dsl: open(c)
            case "}", "]", ")":
                if let i = frames.lastIndex(where: { $0.closer == c }) {
                    // The item the bracket was opened in goes on (`body: {...}, `, `block b(...) {`).
                    item = frames[i].enclosingItem + String(c)
                    frames.removeSubrange(i...)
                } else {
                    item.unicodeScalars.append(c)
                }
            case ",", ";":
                item = ""
            default:
                item.unicodeScalars.append(c)
            }
        }
        inCommentOrString = comment || quote != nil
    }

    private mutating func newline() {
        lineIndent = 0
        atLineStart = true
        if dsl || frames.last?.closer == nil { item = "" }
    }

    private var place: Place { Place.at(frames.flatMap(\.path)) }

    private mutating func open(_ bracket: Unicode.Scalar) {
        let closer: Unicode.Scalar = bracket == "{" ? "}" : bracket == "[" ? "]" : ")"
        let text = item.trimmingCharacters(in: .whitespaces)
        var path: [String] = []
        if let key = Self.leadingKey(Substring(text)), text.hasSuffix(":") {
            path = [key]
        } else if dsl && frames.isEmpty {
            // A statement: `train {`, `layers {`, `block name(...) {`, `input [..](`.
            let words = text.split(whereSeparator: { !($0.isLetter || $0.isNumber || $0 == "_") })
            switch (words.first.map(String.init), bracket) {
            case ("block"?, "{"): path = ["blocks", words.count > 1 ? String(words[1]) : "", "layers"]
            case ("input"?, "("): path = ["input"]
            case ("input"?, _): path = ["("]
            case (let keyword?, _) where bracket != "(": path = [keyword]
            default: path = ["("]
            }
        } else if dsl && bracket == "(" {
            // `conv2d(` in a layer list or `cutout(`: the kind's arguments; elsewhere an expression.
            let name = text.split(separator: "=").last.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
            let listy = [Place.layerList, .augmentList].contains(place)
            path = listy && !name.isEmpty && name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) ? [name] : ["("]
        } else if dsl && bracket == "{" && place == .layerList && text.hasPrefix("repeat") {
            path = ["repeat", "layers"]
        } else if !text.isEmpty {
            path = ["("]  // `expect [`, a value's bracket after other text
        }
        frames.append(Frame(path: path, closer: closer, indent: dsl ? lineIndent : Int.max, enclosingItem: item + String(bracket)))
        item = ""
    }

    /// What is being typed at the end of the scanned text.
    func context() -> CompletionContext? {
        if inCommentOrString { return nil }
        let place = self.place
        let text = item.drop { $0 == " " || $0 == "\t" }
        let isName: (Character) -> Bool = { $0.isLetter || $0.isNumber || $0 == "_" }
        if let colon = text.firstIndex(of: ":") {
            let key = text[..<colon].trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))
            let value = text[text.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            guard !key.isEmpty, key.allSatisfy(isName), value.allSatisfy(isName) else { return nil }
            return CompletionContext(place: place, slot: .value(of: key))
        }
        // `c1 = conv` names a layer first.
        var partial = Substring(text)
        if dsl, place == .layerList, let eq = partial.firstIndex(of: "=") { partial = partial[partial.index(after: eq)...].drop { $0 == " " } }
        // A DSL statement's value follows its keyword: `loss cross_entropy`.
        let words = partial.split(separator: " ", omittingEmptySubsequences: false)
        if dsl, place == .topLevel, words.count == 2, words.allSatisfy({ $0.allSatisfy(isName) }), !words[0].isEmpty {
            return CompletionContext(place: place, slot: .value(of: String(words[0])))
        }
        guard partial.allSatisfy(isName) else { return nil }
        let inFlowList = frames.last.map { $0.closer != nil } ?? false
        return CompletionContext(place: place, slot: .key, listItem: dsl || afterDash || inFlowList)
    }
}
