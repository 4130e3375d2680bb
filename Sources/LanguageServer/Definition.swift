import Diagnostics

extension Analysis {
    /// `textDocument/definition` on a block use (`resblock(16)` or `- resblock: {...}`): the
    /// block's name in its definition. Nothing else has a definition to go to yet.
    func definition(at position: Position) -> JSONObject? {
        guard let spec = result.spec else { return nil }
        let map = LayerMap(spec: spec, model: nil)
        guard let use = map.layers.first(where: { lines.contains($0.layer.kind.range, position) }),
              let block = spec.blocks.first(where: { $0.name.value == use.layer.kind.value }) else { return nil }
        return location(block.name.range)
    }
}
