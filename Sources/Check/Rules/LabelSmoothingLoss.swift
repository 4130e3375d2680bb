import Diagnostics

/// Label smoothing (Szegedy et al. 2016) is defined on cross-entropy targets; another loss would
/// ignore it, so it is refused rather than dropped.
func lintLabelSmoothing(_ loss: LossConfig, at range: SourceRange) -> [Diagnostic] {
    guard loss.labelSmoothing > 0, loss.kind != .crossEntropy else { return [] }
    return [Msg.labelSmoothing(loss.kind.rawValue).error(range)]
}
