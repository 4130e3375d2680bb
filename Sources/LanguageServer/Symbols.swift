import Check
import Diagnostics
import Syntax

extension Analysis {
    /// `textDocument/documentSymbol`: an outline of blocks (with their layers) and the model's
    /// layers, each layer's detail its output shape when the spec checks.
    func documentSymbols() -> [JSONObject] {
        guard let spec = result.spec else { return [] }
        let map = LayerMap(spec: spec, model: result.model)
        var symbols: [JSONObject] = spec.blocks.map { block in
            let signature = block.parameters.map(\.name.value).joined(separator: ", ")
            return symbol(block.name.value, detail: "block(\(signature))", kind: 5, range: block.range,
                          selection: block.name.range, children: items(block.body, map))
        }
        symbols += items(spec.layers, map)
        return symbols
    }

    private func items(_ items: [LayerItem], _ map: LayerMap) -> [JSONObject] {
        items.map { item in
            switch item {
            case .layer(let l):
                let shape = map.outputs[l.range].map { showShape($0.shape) } ?? ""
                let name = l.name.map { "\($0.value): \(l.kind.value)" } ?? l.kind.value
                let children = nestedLayerLists(l).flatMap { self.items($0, map) }
                return symbol(name, detail: shape, kind: 12, range: l.range, selection: l.kind.range, children: children)
            case .repeat(let r):
                return symbol("repeat", detail: "", kind: 3, range: r.range, selection: r.range, children: self.items(r.body, map))
            }
        }
    }

    /// A DocumentSymbol; the selection range is clamped into the range, as the protocol demands.
    private func symbol(_ name: String, detail: String, kind: Int, range: SourceRange, selection: SourceRange,
                        children: [JSONObject]) -> JSONObject {
        let whole = range.union(selection)
        var object: JSONObject = ["name": name.isEmpty ? "?" : name, "kind": kind,
                                  "range": lines.range(of: whole), "selectionRange": lines.range(of: selection)]
        if !detail.isEmpty { object["detail"] = detail }
        if !children.isEmpty { object["children"] = children }
        return object
    }
}
