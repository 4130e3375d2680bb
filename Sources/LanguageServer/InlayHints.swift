import Diagnostics

extension Analysis {
    /// `textDocument/inlayHint`: each layer's output shape at the end of the layer, for layers
    /// the checker placed in the graph (layers inside a block have one shape per use, so none).
    func inlayHints(in requested: JSONObject) throws -> [JSONObject] {
        let start = lines.location(of: try Position(json: try requested.object("start")))
        let end = lines.location(of: try Position(json: try requested.object("end")))
        let map = LayerMap(spec: result.spec, model: result.model)
        return map.layers.compactMap { entry in
            let range = entry.layer.range
            guard entry.block == nil, start <= range.end, range.end <= end, let node = map.outputs[range] else { return nil }
            return ["position": lines.position(of: range.end).json, "label": "→ " + showShape(node.shape),
                    "kind": 1, "paddingLeft": true]
        }
    }
}
