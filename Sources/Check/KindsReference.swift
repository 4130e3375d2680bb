// A Markdown reference of every layer kind and argument, generated from the kinds table so
// the documentation cannot drift from what the checker accepts (for Grammar.md and `regula kinds`).

/// The kinds table as Markdown: one section per kind with its aliases, primary argument and arguments.
public func kindsReferenceMarkdown() -> String {
    var out = "# Layer kinds\n\nGenerated from the checker's kinds table (`Sources/Check/Kinds.swift`).\n"
    out += "A layer is a bare kind (`- relu`), a kind with its primary argument (`- dense: 256`), or a kind with named arguments.\n"
    for k in kindTable {
        out += "\n## `\(k.name)`\n\n\(k.doc)\n\n"
        if !k.aliases.isEmpty { out += "Aliases: " + k.aliases.map { "`\($0)`" }.joined(separator: ", ") + ". " }
        if let p = k.primary { out += "Primary argument: `\(p)`." }
        if !k.aliases.isEmpty || k.primary != nil { out += "\n\n" }
        let args = k.args.filter { a in !regularizationArgs.contains { $0.name == a.name } }
        if !args.isEmpty {
            out += "| argument | aliases | type | default | notes |\n|---|---|---|---|---|\n"
            for a in args {
                let notes = [a.range.map { "value \($0.phrase)" }, a.doc.isEmpty ? nil : a.doc].compactMap { $0 }.joined(separator: "; ")
                out += "| `\(a.name)` | \(a.aliases.map { "`\($0)`" }.joined(separator: ", ")) | \(a.type.phrase) | \(a.required ? "required" : a.defaultValue.map { "`\($0.text)`" } ?? "") | \(notes) |\n"
            }
        }
        if k.parametric { out += "\nAlso takes the regularization attributes below.\n" }
    }
    out += "\n## Regularization attributes\n\nOn any parametric layer and in `defaults:`. Decay and penalties apply to weights "
        + "(dense, conv, embedding, recurrent and attention kernels), not to biases or normalization parameters, unless "
        + "`decay_bias: true` / `decay_norm: true` (or decay written on a normalization layer itself) asks for it, which warns. "
        + "A layer's value overrides `defaults:`, which overrides the optimizer's `weight_decay`.\n\n"
        + "| attribute | type | notes |\n|---|---|---|\n"
    for a in regularizationArgs {
        out += "| `\(a.name)` | \(a.type.phrase) | \([a.range.map { "value \($0.phrase)" }, a.doc.isEmpty ? nil : a.doc].compactMap { $0 }.joined(separator: "; ")) |\n"
    }
    return out
}
