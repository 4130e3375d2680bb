import Check

extension Lowering {
    /// The weight a dense or conv2d layer multiplies by: its `weight` parameter, or the weight
    /// its reparametrization computes from the checker's tensors (reference §4.3, §4.4).
    ///
    /// Weight normalization: `weight_norm(weight_v, weight_g)`. Spectral normalization: one
    /// power-iteration step from the stored u, v (PyTorch `n_power_iterations=1`), then
    /// `spectral_norm(weight_orig, u', v')`; the buffers take u', v' in an effect after the loss
    /// head, like batchnorm's running statistics. Inference drops the iteration and reads u, v.
    mutating func weight(_ node: CheckedNode, _ o: Origin) -> ValueID {
        let w = required(node, .weight)
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
