import Check
import Diagnostics
import Syntax

/// The link between the spec's text and the checked graph: every AST layer (also those nested in
/// another layer's arguments), and the checked
/// node that is each layer's output (the last node the checker made from that layer's range,
/// so `dense(10, activation: relu)` shows the activation's output).
struct LayerMap {
    struct Entry {
        var layer: Layer
        /// The block the layer is written in, if any.
        var block: String?
    }

    var layers: [Entry] = []
    var outputs: [SourceRange: CheckedNode] = [:]

    init(spec: Spec?, model: CheckedModel?) {
        if let spec {
            for block in spec.blocks { collect(block.body, block: block.name.value) }
            collect(spec.layers, block: nil)
        }
        for node in model?.nodes ?? [] where !node.path.isEmpty { outputs[node.range] = node }
    }

    private mutating func collect(_ items: [LayerItem], block: String?) {
        for item in items {
            switch item {
            case .layer(let l):
                layers.append(Entry(layer: l, block: block))
                for list in nestedLayerLists(l) { collect(list, block: block) }
            case .repeat(let r): collect(r.body, block: block)
            }
        }
    }
}

/// The layer lists written inside a layer's arguments (`residual(body: {...})`, `branches:`).
func nestedLayerLists(_ layer: Layer) -> [[LayerItem]] {
    func lists(_ value: Value) -> [[LayerItem]] {
        switch value.kind {
        case .layers(let items): return [items]
        case .list(let values): return values.flatMap(lists)
        default: return []
        }
    }
    return (layer.primary.map(lists) ?? []) + layer.arguments.flatMap { lists($0.value) }
}

/// `[16, 32, 32]`, with named dimensions as written.
func showShape(_ shape: Shape) -> String { "[" + shape.map(\.description).joined(separator: ", ") + "]" }

/// Kinds by every name they answer to (`linear` finds dense).
let kindsByAnyName: [String: KindSpec] = {
    var table: [String: KindSpec] = [:]
    for k in kindTable {
        table[k.name] = k
        for a in k.aliases { table[a] = k }
    }
    return table
}()
