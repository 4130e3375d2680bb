import Diagnostics

// Weight and spectral normalization replace a layer's `weight` by the tensors PyTorch's wrappers
// register, so a checkpoint still loads into the equivalent wrapped module with `load_state_dict`:
//
//   torch.nn.utils.weight_norm(m, dim=0)   weight → weight_g [out, 1, …] (magnitude, trainable)
//                                                    weight_v [out, in, …] (direction, trainable)
//   torch.nn.utils.spectral_norm(m)        weight → weight_orig [out, in, …] (trainable)
//                                                    weight_u [out], weight_v [in·kh·kw] (buffers)
//
// As in PyTorch the new tensors come after the layer's remaining ones (`bias` first). The values
// PyTorch computes at registration (g = ‖v‖ per row; u, v normalized Gaussian draws refined by
// power iteration) depend on the initial weight, so the runtime computes them after drawing it;
// the initializers below are the draws it starts from. Semantics: reference §4.3 and §4.4.

/// The layer kinds whose weight can be reparametrized (a single [out, …] kernel, PyTorch dim 0).
private func reparametrizable(_ op: LayerOp) -> Bool {
    switch op {
    case .dense, .conv2d: return true
    default: return false
    }
}

extension Msg {
    static func reparamConflict(_ kind: String) -> Message {
        Message(id: "reparam-conflict", text: "layer '\(kind)' cannot use both weight_norm and spectral_norm; choose one")
    }
    static let penaltyWithReparametrization = Message(id: "reparam-conflict", text:
        "spectral_penalty cannot be combined with weight_norm or spectral_norm: they reparametrize the weight it would penalize")
    static let maxNormWithSpectralNorm = Message(id: "reparam-conflict", text:
        "max_norm cannot be combined with spectral_norm: the weight in use is W/σ(W), whose row norms a constraint on W does not bound")
    static func reparamUnsupported(_ what: String, _ kind: String) -> Message {
        Message(id: "reparam-unsupported", text: "\(what) is not supported on '\(kind)' layers yet; it applies to dense and conv2d")
    }
}

/// `params` and, for a weight with a spectral penalty, its power-iteration vectors `spectral_u`
/// [out] and `spectral_v` [in·…] (buffers, as spectral normalization's `weight_u`, `weight_v`).
private func withPenaltyVectors(_ params: [ParamInfo]) -> [ParamInfo] {
    guard let w = params.first(where: { $0.role == .weight && $0.regularization.applies("spectral_penalty") }),
          let out = w.shape.first else { return params }
    let base = String(w.name.dropLast("weight".count))
    return params + [
        ParamInfo(name: base + "spectral_u", shape: [out], role: .penaltyU, trainable: false, initializer: .normal(std: 1)),
        ParamInfo(name: base + "spectral_v", shape: [w.count / max(out, 1)], role: .penaltyV, trainable: false, initializer: .normal(std: 1)),
    ]
}

/// `params` with the weight of a `weight_norm`/`spectral_norm` layer replaced by PyTorch's
/// tensors; unchanged (with an error) when the layer asks for both or its kind has no support.
func reparametrize(_ params: [ParamInfo], op: LayerOp, layer l: ELayer, diagnostics: inout [Diagnostic]) -> [ParamInfo] {
    if !reparametrizable(op), params.contains(where: { $0.regularization.dropConnect > 0 }) {
        diagnostics.append(Msg.reparamUnsupported("dropconnect", l.written).error(l.argRanges["dropconnect"] ?? l.range))
    }
    if !reparametrizable(op), params.contains(where: { $0.regularization.applies("spectral_penalty") }) {
        diagnostics.append(Msg.reparamUnsupported("spectral_penalty", l.written).error(l.argRanges["spectral_penalty"] ?? l.range))
        return params
    }
    let flagged = params.filter { $0.regularization.weightNorm || $0.regularization.spectralNorm }
    guard !flagged.isEmpty else { return withPenaltyVectors(params) }
    let wn = flagged.contains { $0.regularization.weightNorm }, sn = flagged.contains { $0.regularization.spectralNorm }
    let at = l.argRanges["spectral_norm"] ?? l.argRanges["weight_norm"] ?? l.range
    if flagged.contains(where: { $0.regularization.applies("spectral_penalty") }) {
        diagnostics.append(Msg.penaltyWithReparametrization.error(l.argRanges["spectral_penalty"] ?? at))
        return params
    }
    if wn && sn {
        diagnostics.append(Msg.reparamConflict(l.written).error(at))
        return params
    }
    guard reparametrizable(op), let i = params.firstIndex(where: { $0.role == .weight }), let out = params[i].shape.first else {
        diagnostics.append(Msg.reparamUnsupported(wn ? "weight_norm" : "spectral_norm", l.written).error(at))
        return params
    }
    let w = params[i]
    let base = String(w.name.dropLast("weight".count))
    var rest = params
    rest.remove(at: i)
    if wn {
        // g is a magnitude: no decay or penalties (as a normalization scale); v keeps the kernel's.
        // Each row of w = g·v/‖v‖ has norm |g|, so max-norm on w is |g| ≤ c: the projection
        // moves from v (where it would change nothing) to g, one row of one element per unit.
        var g = ParamInfo(name: base + "weight_g", shape: [out] + Array(repeating: 1, count: w.shape.count - 1),
                          role: .weightGain, trainable: true, initializer: .ones)
        g.regularization.maxNorm = w.regularization.maxNorm
        var v = w
        v.name = base + "weight_v"
        v.regularization.maxNorm = nil
        return rest + [g, v]
    }
    if w.regularization.maxNorm != nil {
        diagnostics.append(Msg.maxNormWithSpectralNorm.error(l.argRanges["max_norm"] ?? at))
        return params
    }
    var orig = w
    orig.name = base + "weight_orig"
    let u = ParamInfo(name: base + "weight_u", shape: [out], role: .spectralU, trainable: false, initializer: .normal(std: 1))
    let v = ParamInfo(name: base + "weight_v", shape: [w.count / max(out, 1)], role: .spectralV, trainable: false,
                      initializer: .normal(std: 1))
    return rest + [orig, u, v]
}
