import Check

/// How a checked node is named in messages: `layer 3 (conv2d 'stem') at spec.yaml:12:5`.
func describe(_ node: CheckedNode) -> String {
    var s = "layer \(node.path.isEmpty ? "input" : node.path) (\(node.displayKind)"
    if let name = node.name { s += " '\(name)'" }
    s += ")"
    if !node.range.file.isEmpty { s += " at \(node.range.file):\(node.range.start.line):\(node.range.start.column)" }
    return s
}
