import Diagnostics
import Syntax

// `regula sweep --ablate`: the spec with a regularizer taken out. The regularizers are the ones
// the kinds table and the section keys know; each row says where it is written and how removing
// it reads in the spec. Removing is done on the AST, so an ablated spec is checked like any other.

/// A regularizer as `--ablate` removes it: a group name (`dropout`, `weight_decay`) and where it
/// is written in a spec.
struct Regularizer {
    var group: String
    /// Layer kinds that are this regularizer alone; such layers are removed (a named one, which
    /// another layer may take as input, keeps its place with its rate or deviation at 0).
    var layerKinds: Set<KindID> = []
    /// Arguments of other layers (and `defaults:`, `regularize:` rules) that are removed, which
    /// means their neutral default (dropout 0, survival 1, no decay).
    var arguments: Set<String> = []
    /// `section.key` entries removed (`loss.label_smoothing`).
    var sectionKeys: [(section: String, key: String)] = []
}

let regularizers: [Regularizer] = [
    // Srivastava et al. 2014 and its variants: removing the layer is p = 0.
    Regularizer(group: "dropout", layerKinds: [.dropout, .spatialDropout, .lockedDropout, .gaussianDropout, .alphaDropout, .dropBlock],
                arguments: ["dropout", "recurrent_dropout", "zoneout", "embedding_dropout", "dropconnect"]),
    Regularizer(group: "noise", layerKinds: [.gaussianNoise]),
    // Decay 0 everywhere, the optimizer's too (AdamW's default is 0.01, so it is written as 0).
    Regularizer(group: "weight_decay", arguments: ["weight_decay"]),
    Regularizer(group: "penalties", arguments: ["l1", "l2", "max_norm"]),
    // Huang et al. 2016: survival 1 is the plain residual network.
    Regularizer(group: "stochastic_depth", arguments: ["stochastic_depth"]),
    Regularizer(group: "label_smoothing", sectionKeys: [("loss", "label_smoothing")]),
    Regularizer(group: "augment", sectionKeys: [("data", "augment")]),
    Regularizer(group: "gradient_noise", sectionKeys: [("train", "gradient_noise")]),
    Regularizer(group: "adversarial", sectionKeys: [("train", "adversarial")]),
    Regularizer(group: "consistency", sectionKeys: [("train", "consistency")]),
    Regularizer(group: "ema", sectionKeys: [("train", "ema")]),
]

/// The regularizer groups written in `spec`, in the table's order (what `--ablate` varies).
public func regularizerGroups(in spec: Spec) -> [String] {
    regularizers.filter { r in ablate(spec, groups: [r.group]) != spec }.map(\.group)
}

/// `spec` without the regularizers of `groups` (names from `regularizerGroups(in:)`).
public func ablate(_ spec: Spec, groups: Set<String>) -> Spec {
    let chosen = regularizers.filter { groups.contains($0.group) }
    let kinds = chosen.reduce(into: Set<KindID>()) { $0.formUnion($1.layerKinds) }
    let arguments = chosen.reduce(into: Set<String>()) { $0.formUnion($1.arguments) }
    var out = spec
    out.layers = strip(spec.layers, kinds: kinds, arguments: arguments)
    for b in out.blocks.indices { out.blocks[b].body = strip(out.blocks[b].body, kinds: kinds, arguments: arguments) }
    out.defaults.removeAll { arguments.contains($0.key.value) }
    if case .list(let rules)? = out.regularize?.kind, let range = out.regularize?.range {
        let kept = rules.compactMap { rule -> Value? in
            guard case .map(let entries) = rule.kind else { return rule }
            let left = entries.filter { !arguments.contains($0.key.value) }
            return left.contains { $0.key.value != "match" } ? Value(.map(left), rule.range) : nil
        }
        out.regularize = kept.isEmpty ? nil : Value(.list(kept), range)
    }
    for r in chosen {
        for (section, key) in r.sectionKeys {
            switch section {
            case "loss": out.loss = removing(key, from: out.loss)
            case "data": out.data = removing(key, from: out.data)
            default: out.train = removing(key, from: out.train)
            }
        }
    }
    if arguments.contains("weight_decay") { out.train = withoutOptimizerDecay(out.train) }
    return out
}

private func strip(_ items: [LayerItem], kinds: Set<KindID>, arguments: Set<String>) -> [LayerItem] {
    items.compactMap { item in
        switch item {
        case .layer(var l):
            if let k = kindsByName[l.kind.value], kinds.contains(k.id) {
                // A named layer may be another's input (`from:`); it stays, with rate 0.
                guard l.name != nil, let primary = k.primary else { return nil }
                let zero = Value(.int(0), l.kind.range)
                if l.primary != nil { l.primary = zero } else if let i = l.arguments.firstIndex(where: { $0.key.value == primary }) {
                    l.arguments[i].value = zero
                } else {
                    l.arguments.append(Entry(key: Located(primary, l.kind.range), value: zero))
                }
                return .layer(l)
            }
            l.arguments = l.arguments.filter { !arguments.contains($0.key.value) }.map { e in
                var e = e
                if case .layers(let inner) = e.value.kind { e.value.kind = .layers(strip(inner, kinds: kinds, arguments: arguments)) }
                if case .list(let lists) = e.value.kind {
                    e.value.kind = .list(lists.map { v in
                        guard case .layers(let inner) = v.kind else { return v }
                        return Value(.layers(strip(inner, kinds: kinds, arguments: arguments)), v.range)
                    })
                }
                return e
            }
            if case .layers(let inner)? = l.primary?.kind, let range = l.primary?.range {
                l.primary = Value(.layers(strip(inner, kinds: kinds, arguments: arguments)), range)
            }
            return .layer(l)
        case .repeat(var r):
            r.body = strip(r.body, kinds: kinds, arguments: arguments)
            return r.body.isEmpty ? nil : .repeat(r)
        }
    }
}

private func removing(_ key: String, from section: Value?) -> Value? {
    guard let section, case .map(let entries) = section.kind else { return section }
    return Value(.map(entries.filter { $0.key.value != key }), section.range)
}

/// `train.optimizer.weight_decay` set to 0 when written, or when the optimizer decays by default (AdamW).
private func withoutOptimizerDecay(_ train: Value?) -> Value? {
    guard let train, case .map(var entries) = train.kind,
          let o = entries.firstIndex(where: { $0.key.value == "optimizer" }),
          case .map(var opt) = entries[o].value.kind else { return train }
    let zero = { (range: SourceRange) in Value(.int(0), range) }
    if let w = opt.firstIndex(where: { $0.key.value == "weight_decay" }) {
        if case .int(0) = opt[w].value.kind { return train }
        opt[w].value = zero(opt[w].value.range)
    } else if opt.contains(where: { $0.key.value == "kind" && $0.value.kind == .string("adamw") }) {
        opt.append(Entry(key: Located("weight_decay", entries[o].value.range), value: zero(entries[o].value.range)))
    } else {
        return train
    }
    entries[o].value.kind = .map(opt)
    return Value(.map(entries), train.range)
}
