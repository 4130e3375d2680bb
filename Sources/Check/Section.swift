import Syntax
import Diagnostics

/// Reads one map-valued section of a spec (`train`, `train.optimizer`, `data.normalize`):
/// checks its keys against the allowed ones (with did-you-mean) and converts values, reporting
/// wrong types and ranges at the value.
struct Section {
    let path: String
    let range: SourceRange
    private(set) var entries: [String: Entry] = [:]
    /// Keys suggested for misspelt ones, so a misspelt required key is reported once.
    private(set) var suggested: Set<String> = []

    /// Nil (with a diagnostic) when `value` is not a map.
    init?(_ value: Value, path: String, keys: [String], diagnostics: inout [Diagnostic]) {
        self.path = path
        self.range = value.range
        guard let m = value.mapValue else {
            diagnostics.append(Msg.keyType(path, "a map").error(value.range))
            return nil
        }
        for e in m {
            if keys.contains(e.key.value) {
                entries[e.key.value] = e
            } else {
                let s = closest(to: e.key.value, in: keys)
                if let s = s { suggested.insert(s) }
                diagnostics.append(Msg.unknownKey(e.key.value, path, s).error(e.key.range,
                    fixIts: s.map { [FixIt("replace with '\($0)'", range: e.key.range, replacement: $0)] } ?? []))
            }
        }
    }

    func has(_ key: String) -> Bool { entries[key] != nil }
    func value(_ key: String) -> Value? { entries[key]?.value }
    func keyRange(_ key: String) -> SourceRange { entries[key]?.key.range ?? range }

    func number(_ key: String, _ r: ArgRange? = nil, _ d: inout [Diagnostic]) -> Double? {
        guard let v = value(key) else { return nil }
        guard let x = v.numberValue else { d.append(Msg.keyType("\(path).\(key)", "a number").error(v.range)); return nil }
        if let r = r, !r.contains(x) { d.append(Msg.keyRange("\(path).\(key)", r.phrase, x).error(v.range)); return nil }
        return x
    }

    func int(_ key: String, _ r: ArgRange? = nil, _ d: inout [Diagnostic]) -> Int? {
        guard let v = value(key) else { return nil }
        guard let x = v.intValue else { d.append(Msg.keyType("\(path).\(key)", "an integer").error(v.range)); return nil }
        if let r = r, !r.contains(Double(x)) { d.append(Msg.keyRange("\(path).\(key)", r.phrase, Double(x)).error(v.range)); return nil }
        return x
    }

    func bool(_ key: String, _ d: inout [Diagnostic]) -> Bool? {
        guard let v = value(key) else { return nil }
        guard let b = v.boolValue else { d.append(Msg.keyType("\(path).\(key)", "true or false").error(v.range)); return nil }
        return b
    }

    /// A list of two numbers (`[low, high]`).
    func numberPair(_ key: String, _ d: inout [Diagnostic]) -> (Double, Double)? {
        guard let v = value(key) else { return nil }
        guard let l = v.listValue, l.count == 2, let a = l[0].numberValue, let b = l[1].numberValue else {
            d.append(Msg.keyType("\(path).\(key)", "a list of two numbers").error(v.range))
            return nil
        }
        return (a, b)
    }

    func string(_ key: String, _ d: inout [Diagnostic]) -> String? {
        guard let v = value(key) else { return nil }
        guard let s = v.stringValue else { d.append(Msg.keyType("\(path).\(key)", "a string").error(v.range)); return nil }
        return s
    }

    func choice(_ key: String, _ choices: [String], _ d: inout [Diagnostic]) -> String? {
        guard let s = string(key, &d) else { return nil }
        guard choices.contains(s) else {
            d.append(Msg.unknownChoice("\(path).\(key)", s, choices).error(value(key)?.range ?? range))
            return nil
        }
        return s
    }
}
