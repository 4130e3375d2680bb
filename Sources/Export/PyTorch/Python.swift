/// Python literals for generated code: the exporter writes numbers and lists as a person would
/// (`0.5`, `1e-05`, `(3, 3)`), so the files read like hand-written PyTorch.
enum Py {
    /// A float as Python's `repr` writes it: shortest round-trip digits, `1.0` not `1`.
    static func float(_ v: Double) -> String {
        if v == v.rounded() && abs(v) < 1e16 { return String(format: "%.1f", v) }
        let s = "\(v)"
        // Swift writes `1e-05` as `1e-05` already; `0.0001` stays as is.
        return s
    }

    static func int(_ v: Int) -> String { String(v) }

    static func bool(_ b: Bool) -> String { b ? "True" : "False" }

    static func string(_ s: String) -> String {
        "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// `3` for a square kernel, `(3, 5)` otherwise: PyTorch's own shorthand.
    static func pair(_ v: [Int]) -> String {
        if let f = v.first, v.allSatisfy({ $0 == f }) { return String(f) }
        return tuple(v.map(String.init))
    }

    static func tuple(_ items: [String]) -> String {
        items.count == 1 ? "(\(items[0]),)" : "(" + items.joined(separator: ", ") + ")"
    }

    static func list(_ items: [String]) -> String { "[" + items.joined(separator: ", ") + "]" }

    /// A Python identifier usable as an attribute (`stem`), else nil (`0`, `my-layer`).
    static func identifier(_ s: String) -> String? {
        guard let f = s.first, f == "_" || f.isLetter, s.allSatisfy({ $0 == "_" || $0.isLetter || $0.isNumber }) else { return nil }
        return s
    }

    /// `MnistMlp` for `mnist_mlp`: the model's class name; `ShakeShakeModel` for `shake_shake`,
    /// whose plain name is a helper class of model.py.
    static func className(_ model: String) -> String {
        let parts = model.split(whereSeparator: { !$0.isLetter && !$0.isNumber })
        let name = parts.map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
        guard let f = name.first, f.isLetter else { return "Model" + name }
        return helperClasses.contains(name) ? name + "Model" : name
    }

    /// The classes and functions model.py may define besides the model (PyTorchHelper).
    static let helperClasses: Set<String> = ["GlobalAvgPool", "ClassicDropout", "LockedDropout", "GaussianNoise", "DropBlock", "DropConnectLinear",
                                             "EmbeddingDropout", "Recurrent", "LSTM", "GRU", "Residual",
                                             "ShakeShake", "ShakeShakeMix", "ShakeDrop", "ShakeDropScale", "Function", "OrderedDict"]
}

/// An indentation-aware line buffer for Python source.
struct PythonWriter {
    private(set) var lines: [String] = []
    var depth = 0

    mutating func line(_ s: String = "") {
        lines.append(s.isEmpty ? "" : String(repeating: "    ", count: depth) + s)
    }

    /// Lines already indented (by another writer at the right depth).
    mutating func append(_ other: PythonWriter) { lines += other.lines }

    mutating func block(_ header: String, _ body: (inout PythonWriter) -> Void) {
        line(header)
        depth += 1
        body(&self)
        depth -= 1
    }

    var text: String { lines.joined(separator: "\n") + "\n" }
}
