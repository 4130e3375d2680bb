import Diagnostics

extension Analysis {
    /// `textDocument/definition` on a block use (`resblock(16)` or `- resblock: {...}`): the
    /// block's name in its definition; on a `${param}` use, the parameter in the block's
    /// signature (or a repeat's index name, `nameDefinition`).
    func definition(at position: Position) -> JSONObject? {
        guard let spec = result.spec else { return nil }
        if let name = nameDefinition(at: position) { return name }
        let map = LayerMap(spec: spec, model: nil)
        guard let use = map.layers.first(where: { lines.contains($0.layer.kind.range, position) }),
              let block = spec.blocks.first(where: { $0.name.value == use.layer.kind.value }) else { return nil }
        return location(block.name.range)
    }
}

extension Analysis {
    /// `textDocument/references` on a block's name or one of its uses: every use, and the
    /// definition too when the client asks to include the declaration. On a block parameter,
    /// its uses (`parameterReferences`).
    func references(at position: Position, includeDeclaration: Bool) -> [JSONObject] {
        guard let spec = result.spec else { return [] }
        if let found = parameterReferences(at: position, includeDeclaration: includeDeclaration) { return found }
        let map = LayerMap(spec: spec, model: nil)
        let name: String
        if let block = spec.blocks.first(where: { lines.contains($0.name.range, position) }) {
            name = block.name.value
        } else if let use = map.layers.first(where: { lines.contains($0.layer.kind.range, position) }),
                  spec.blocks.contains(where: { $0.name.value == use.layer.kind.value }) {
            name = use.layer.kind.value
        } else {
            return []
        }
        var found = map.layers.filter { $0.layer.kind.value == name }.map { location($0.layer.kind.range) }
        if includeDeclaration, let block = spec.blocks.first(where: { $0.name.value == name }) {
            found.insert(location(block.name.range), at: 0)
        }
        return found
    }
}
