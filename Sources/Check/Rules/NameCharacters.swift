import Diagnostics
import Syntax

extension Msg {
    static func modelNameIsNotAFolderName(_ name: String) -> Message {
        Message(id: "name-character", text: "model name '\(name)' cannot name a run folder (runs/<model>); use no '/', '\\', '.' or '..' alone")
    }
    static func invisibleCharacter(_ what: String, _ scalar: Unicode.Scalar, _ kind: String) -> Message {
        Message(id: "name-character", text: "\(what) contains \(kind) U+\(String(scalar.value, radix: 16, uppercase: true).leftPadded(to: 4)); "
            + "names may not contain control, format or separator characters")
    }
}

/// Names end up in terminals, file names (`runs/<model>`), generated Swift identifiers and
/// diagnostics; a newline would forge output lines, and a bidirectional override (U+202E) makes a
/// name read differently from what it is (the "Trojan Source" attack). Model, block, parameter and
/// layer names with control (Cc), format (Cf: bidi controls, zero-width characters) or line and
/// paragraph separator (Zl, Zp) characters are refused at the name.
func lintNameCharacters(_ spec: Spec) -> [Diagnostic] {
    var d: [Diagnostic] = []
    func check(_ name: Located<String>?, _ what: String) {
        guard let name, let bad = name.value.unicodeScalars.first(where: isInvisible) else { return }
        d.append(Msg.invisibleCharacter(what, bad, describe(bad)).error(name.range))
    }
    func walk(_ items: [LayerItem]) {
        for item in items {
            switch item {
            case .layer(let l):
                check(l.name, "layer name")
                for a in l.arguments { if case .layers(let inner) = a.value.kind { walk(inner) } }
                for a in l.arguments { if case .list(let vs) = a.value.kind { for v in vs { if case .layers(let inner) = v.kind { walk(inner) } } } }
                if let p = l.primary, case .layers(let inner) = p.kind { walk(inner) }
            case .repeat(let r):
                check(r.index, "repeat index name")
                walk(r.body)
            }
        }
    }
    check(spec.model, "model name")
    // The model's name is the default run folder's: it must not climb out of `runs/`.
    if let m = spec.model, m.value.contains("/") || m.value.contains("\\") || m.value == "." || m.value == ".." || m.value.isEmpty {
        d.append(Msg.modelNameIsNotAFolderName(m.value).error(m.range))
    }
    for b in spec.blocks {
        check(b.name, "block name")
        for p in b.parameters { check(p.name, "block parameter name") }
        walk(b.body)
    }
    walk(spec.layers)
    return d
}

private func isInvisible(_ s: Unicode.Scalar) -> Bool {
    switch s.properties.generalCategory {
    case .control, .format, .lineSeparator, .paragraphSeparator: return true
    default: return false
    }
}

private func describe(_ s: Unicode.Scalar) -> String {
    switch s.value {
    case 0x202A...0x202E, 0x2066...0x2069, 0x200E, 0x200F, 0x061C: return "the bidirectional control"
    case 0x0A, 0x0D, 0x2028, 0x2029: return "the line break"
    default: return s.properties.generalCategory == .control ? "the control character" : "the invisible character"
    }
}

private extension String {
    func leftPadded(to n: Int) -> String { String(repeating: "0", count: max(0, n - count)) + self }
}
