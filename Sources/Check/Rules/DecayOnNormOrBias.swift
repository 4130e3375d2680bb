import Diagnostics

/// Weight decay or penalties on biases and normalization scale/shift constrain parameters that
/// do not cause overfitting and hurt normalized networks (timm `param_groups_weight_decay`,
/// Goyal et al. 2017). The checker applies them only when the spec asks; this rule says so.
func lintDecayOnNormOrBias(_ nodes: [CheckedNode]) -> [Diagnostic] {
    var out: [Diagnostic] = []
    for n in nodes {
        var norm: [String] = [], bias: [String] = []
        var what = "weight decay"
        for p in n.params where p.trainable {
            let r = p.regularization
            guard r.applies("weight_decay") || r.applies("l1") || r.applies("l2") else { continue }
            if !r.applies("weight_decay") { what = r.applies("l1") ? "l1 penalty" : "l2 penalty" }
            switch p.role {
            case .gamma, .beta: norm.append(p.name)
            case .bias: bias.append(p.name)
            default: break
            }
        }
        if !norm.isEmpty { out.append(Msg.decayOnNorm(norm, what).warning(n.range)) }
        if !bias.isEmpty { out.append(Msg.decayOnBias(bias, what).warning(n.range)) }
    }
    return out
}
