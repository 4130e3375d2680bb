import Check
import Diagnostics
import Syntax

extension Analysis {
    /// `textDocument/hover`. On a layer: its input and output shapes, parameter count, and the
    /// resolved regularization of each tensor (the values `regula summary --params` prints). On
    /// the layer's kind name, the kind's documentation from the kinds table follows (on a block
    /// use, the block's signature). On a name in an expression, what it names (`nameHover`).
    func hover(at position: Position) -> JSONObject? {
        if let name = nameHover(at: position) { return name }
        let map = LayerMap(spec: result.spec, model: result.model)
        // The innermost layer under the cursor (a block use contains nothing, so one suffices).
        guard let entry = map.layers.filter({ lines.contains($0.layer.range, position) })
            .min(by: { size($0.layer.range) < size($1.layer.range) }) else { return nil }
        var sections: [String] = []
        var range = entry.layer.range
        if let node = map.outputs[entry.layer.range], let model = result.model {
            sections.append(layerDoc(node, model: model))
        } else if let block = entry.block {
            sections.append("_in block `\(block)`: shapes depend on each use_")
        }
        if lines.contains(entry.layer.kind.range, position) {
            if let block = result.spec?.blocks.first(where: { $0.name.value == entry.layer.kind.value }) {
                sections.append(blockSignature(block))
                range = entry.layer.kind.range
            } else if let kind = kindsByAnyName[entry.layer.kind.value] {
                sections.append(kindDoc(kind))
                range = entry.layer.kind.range
            }
        }
        if sections.isEmpty { return nil }
        return ["contents": ["kind": "markdown", "value": sections.joined(separator: "\n\n---\n\n")],
                "range": lines.range(of: range)]
    }

    private func size(_ r: SourceRange) -> (Int, Int) { (r.end.line - r.start.line, r.end.column - r.start.column) }

    /// `block resblock(filters = 16, survival = 1.0)`: the block's parameters and defaults.
    private func blockSignature(_ block: BlockDef) -> String {
        let parameters = block.parameters.map { p in p.defaultValue.map { "\(p.name.value) = \(sourceText($0.range))" } ?? p.name.value }
        return "```\nblock \(block.name.value)(\(parameters.joined(separator: ", ")))\n```"
    }

    /// The text of `range` as the user wrote it.
    func sourceText(_ range: SourceRange) -> String {
        let start = lines.index(of: lines.position(of: range.start)), end = lines.index(of: lines.position(of: range.end))
        return start <= end ? String(lines.text[start..<end]) : ""
    }

    func kindDoc(_ kind: KindSpec) -> String {
        var text = "**\(kind.name)**" + (kind.aliases.isEmpty ? "" : " (also `" + kind.aliases.joined(separator: "`, `") + "`)")
        text += ": \(kind.doc)"
        for arg in kind.args {
            text += "\n- `\(arg.name)`" + (arg.required ? " (required)" : "") + (arg.doc.isEmpty ? "" : ": \(arg.doc)")
        }
        return text
    }

    private func layerDoc(_ node: CheckedNode, model: CheckedModel) -> String {
        let inputs = node.inputs.compactMap { model.nodes.indices.contains($0) ? showShape(model.nodes[$0].shape) : nil }
        let title = "`\(node.displayKind)`" + (node.name.map { " **\($0)**" } ?? "") + " (state_dict `\(node.path)`)"
        var lines = [title, "", "\(inputs.joined(separator: ", ")) → **\(showShape(node.shape))**"]
        let trainable = node.params.filter(\.trainable).reduce(0) { $0 + $1.count }
        let frozen = node.params.filter { !$0.trainable }.reduce(0) { $0 + $1.count }
        lines.append("")
        lines.append("parameters: \(trainable)" + (frozen > 0 ? " trainable, \(frozen) buffers" : ""))
        for p in node.params {
            let reg = describe(p.regularization)
            let suffix = p.name.hasPrefix(node.path + ".") ? String(p.name.dropFirst(node.path.count + 1)) : p.name
            lines.append("- `\(suffix)` \(p.shape)" + (p.trainable ? "" : " (buffer)") + (reg.isEmpty ? "" : ": \(reg)"))
        }
        if let row = summarize(model).rows.first(where: { $0.name == (node.name ?? node.path) }), !row.regularization.isEmpty {
            lines.append("")
            lines.append("regularization: \(row.regularization)")
        }
        return lines.joined(separator: "\n")
    }
}
