import Diagnostics

/// Dropout feeding batchnorm makes the statistics batchnorm learns in training (with dropout's
/// variance) differ from those it sees in evaluation (without it): the "variance shift" of
/// Li et al. 2019, "Understanding the Disharmony between Dropout and Batch Normalization".
func lintDropoutBeforeBatchnorm(_ nodes: [CheckedNode]) -> [Diagnostic] {
    var out: [Diagnostic] = []
    for n in nodes {
        guard case .batchNorm = n.op, n.inputs.count == 1 else { continue }
        let prev = nodes[n.inputs[0]]
        switch prev.op {
        case .dropout, .spatialDropout, .lockedDropout, .gaussianNoise, .alphaDropout, .dropBlock:
            // Named as the spec writes it (`dropblock`, `gaussian_noise`, `resblock/dropout`).
            let kind = prev.displayKind.split(separator: "/").last.map(String.init) ?? prev.displayKind
            out.append(Msg.dropoutBeforeBatchnorm(kind).warning(n.range, notes: [Note("the \(kind) is here", at: prev.range)]))
        default:
            break
        }
    }
    return out
}
