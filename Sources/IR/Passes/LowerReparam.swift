import Check

extension Lowering {
    /// The weight a dense or conv2d layer multiplies by: its `weight` parameter, or the weight
    /// its reparametrization computes from the checker's tensors (reference §4.3, §4.4).
    ///
    /// Weight normalization: `weight_norm(weight_v, weight_g)`. Spectral normalization: one
    /// power-iteration step from the stored u, v (PyTorch `n_power_iterations=1`), then
    /// `spectral_norm(weight_orig, u', v')`; the buffers take u', v' in an effect after the loss
    /// head, like batchnorm's running statistics. Inference drops the iteration and reads u, v.
    ///
    /// DropConnect (Wan et al. 2013) then drops elements of the weight in use: inverted dropout on
    /// the [out, …] weight, one mask per step shared by the batch; inference removes it as it
    /// removes dropout.
    mutating func weight(_ node: CheckedNode, _ o: Origin) -> ValueID {
        let w = reparametrized(node, o)
        guard let p = node.params.first(where: { $0.role == .weight })?.regularization.dropConnect, p > 0 else { return w }
        return dropConnect(w, p: p, node, "dropconnect mask", o)
    }

    /// Inverted dropout on weight `w` (DropConnect, and weight drop on recurrent weights): one
    /// mask per step from its own stream.
    mutating func dropConnect(_ w: ValueID, p: Double, _ node: CheckedNode, _ purpose: String, _ o: Origin) -> ValueID {
        b.emit1(.dropout(p: Rate(p), scaling: .inverted, key: key(node, purpose)), [w], origin: o)
    }

    private mutating func reparametrized(_ node: CheckedNode, _ o: Origin) -> ValueID {
        let w = required(node, .weight)
        if let u = param(node, .penaltyU), let v = param(node, .penaltyV),
           let w0 = node.params.first(where: { $0.role == .weight }) {
            // λ, or its schedule's slot in the loop's table.
            let lambda = Rate(w0.regularization.spectralPenalty, slot: model.scheduleSlot(parameter: w0.name, attribute: "spectral_penalty"))
            // Yoshida & Miyato 2017: one power-iteration step from the stored u, v per step, then
            // (λ/2)·σ² with σ = u'ᵀWv' joins the objective; the buffers take u', v' as for
            // spectral normalization.
            let uv = b.emit(.powerIteration(iterations: 1), [w, u, v], origin: o)
            effects.append((.spectralNormUpdate, [u, v, uv[0], uv[1]], o))
            let po = Origin(path: o.path, kind: "spectral_penalty", range: o.range)
            b.addOutput(b.emit1(.spectralPenalty(lambda), [w, uv[0], uv[1]], origin: po), .penaltyTerm)
        }
        if let g = param(node, .weightGain) {
            return b.emit(.weightNorm, [w, g], origin: o)[0]
        }
        if let u = param(node, .spectralU), let v = param(node, .spectralV) {
            let uv = b.emit(.powerIteration(iterations: 1), [w, u, v], origin: o)
            effects.append((.spectralNormUpdate, [u, v, uv[0], uv[1]], o))
            return b.emit(.spectralNorm, [w, uv[0], uv[1]], origin: o)[0]
        }
        return w
    }
}
