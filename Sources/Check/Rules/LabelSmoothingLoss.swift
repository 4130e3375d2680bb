import Diagnostics

/// Label smoothing (Szegedy et al. 2016) is defined on cross-entropy targets; other losses ignore it.
func lintLabelSmoothing(_ loss: LossConfig, at range: SourceRange) -> [Diagnostic] {
    guard loss.labelSmoothing > 0, loss.kind != .crossEntropy else { return [] }
    return [Msg.labelSmoothing(loss.kind.rawValue).warning(range)]
}
