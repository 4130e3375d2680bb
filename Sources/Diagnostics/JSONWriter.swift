/// A JSON value with object keys in insertion order, so rendered output (diagnostics, the JSON
/// Schema) is stable text that golden files can pin (Foundation's encoder orders keys by hash or
/// alphabetically).
public indirect enum JSON {
    case string(String)
    case int(Int)
    /// Rendered as an integer when it is one (`3`, not `3.0`).
    case number(Double)
    case bool(Bool)
    case null
    case array([JSON])
    case object([(String, JSON)])

    /// Pretty-printed with two-space indentation and a trailing newline.
    public func rendered() -> String {
        var out = ""
        write(to: &out, indent: 0)
        return out + "\n"
    }

    private func write(to out: inout String, indent: Int) {
        let pad = String(repeating: "  ", count: indent + 1)
        let closePad = String(repeating: "  ", count: indent)
        switch self {
        case .string(let s): out += JSON.quote(s)
        case .int(let n): out += String(n)
        case .number(let x): out += x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : String(x)
        case .bool(let b): out += b ? "true" : "false"
        case .null: out += "null"
        case .array(let items):
            if items.isEmpty { out += "[]"; return }
            out += "[\n"
            for (k, item) in items.enumerated() {
                out += pad
                item.write(to: &out, indent: indent + 1)
                out += k + 1 < items.count ? ",\n" : "\n"
            }
            out += closePad + "]"
        case .object(let fields):
            if fields.isEmpty { out += "{}"; return }
            out += "{\n"
            for (k, (key, value)) in fields.enumerated() {
                out += pad + JSON.quote(key) + ": "
                value.write(to: &out, indent: indent + 1)
                out += k + 1 < fields.count ? ",\n" : "\n"
            }
            out += closePad + "}"
        }
    }

    /// `s` as a JSON string literal (also a valid YAML double-quoted scalar).
    public static func quote(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 {
                    let hex = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }
}
