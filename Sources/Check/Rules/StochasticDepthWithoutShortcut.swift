import Diagnostics

/// Stochastic depth (Huang et al. 2016) drops a residual branch and keeps the shortcut; on a
/// block with `shortcut: none` dropping the branch would drop the whole signal, so the checker
/// builds the block without it and warns.
func lintStochasticDepthWithoutShortcut(_ ranges: [SourceRange]) -> [Diagnostic] {
    ranges.map { Msg.stochasticDepthWithoutShortcut.warning($0) }
}
