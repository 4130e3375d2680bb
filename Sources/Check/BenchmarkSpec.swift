/// A generated YAML spec of about `layers` layers for the lint benchmark (`regula bench`):
/// groups of dense(+relu)/layernorm/dropout joined to the previous group by a named `add`,
/// so reference resolution, shape inference and parameter naming all scale with it.
public func benchmarkSpecYAML(layers: Int) -> String {
    var lines = ["regula: 1", "model: bench_\(layers)", "input: [64]", "defaults:", "  weight_decay: 0.0001", "layers:",
                 "  - dense: {units: 64, name: g0}"]
    var n = 1, group = 0
    while n < layers - 1 {
        group += 1
        lines.append("  - dense: {units: 64, activation: relu}")
        lines.append("  - layernorm: 64")
        lines.append("  - dropout: {p: 0.1, name: h\(group)}")
        lines.append("  - add: {from: [g\(group - 1), h\(group)], name: g\(group)}")
        n += 4
    }
    lines.append("  - dense: 10")
    return lines.joined(separator: "\n") + "\n"
}
