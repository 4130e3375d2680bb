import Foundation

/// The report as one self-contained HTML page: inline CSS and the figures' SVG inline, no
/// scripts, fonts or requests, so it opens the same from a laptop, a CI artifact or an email.
public func renderHTML(_ runs: [RunRecord], figures: [Figure], title: String = "Regula report") -> String {
    var h = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
    h += "<title>\(SVG.escape(title))</title>\n<style>\n\(css)</style>\n</head>\n<body>\n"
    h += "<h1>\(SVG.escape(title))</h1>\n"
    let metric = runs.first?.rankingMetric?.name ?? "val_acc"
    h += "<p class=\"sub\">\(runs.count) run\(runs.count == 1 ? "" : "s"), ranked by best \(metric)"
        + " (train accuracy when a run has no validation set).</p>\n"
    h += table(runs)
    for (section, heading, note) in [
        ("curves", "Learning curves", "Each run has one colour; the gap between its solid and dashed line is the overfitting gap."),
        ("weights", "Weights", "Histograms share their bins across the runs of a layer and span 99.9 % of its weights (the rest are counted in the outer bins); near-zero means |w| &lt; 1e-3."),
        ("sweep", "Sweep", "The best validation metric of each run against each swept value; the dashed line joins the means."),
    ] {
        let figs = figures.filter { $0.section == section }
        guard !figs.isEmpty else { continue }
        h += "<h2>\(heading)</h2>\n<p class=\"note\">\(note)</p>\n<div class=\"figures\">\n"
        for f in figs { h += "<figure>\n" + f.svg + "</figure>\n" }
        h += "</div>\n"
    }
    return h + "</body>\n</html>\n"
}

/// The settings every run has with the same value (shown once under the table), when there are several runs.
func sharedSettings(_ runs: [RunRecord]) -> [String] {
    guard runs.count > 1 else { return [] }
    let lines = runs.map { $0.settings.map { "\($0.key): \($0.value)" } }
    return lines[0].filter { line in lines.allSatisfy { $0.contains(line) } }
}

func table(_ runs: [RunRecord]) -> String {
    let shared = Set(sharedSettings(runs))
    var t = "<table>\n<thead><tr><th>#</th><th>run</th><th>epochs</th><th>train loss</th><th>train acc</th><th>val loss</th>"
        + "<th>val acc</th><th>best</th><th>zero</th><th>|w| &lt; 1e-3</th><th>settings</th></tr></thead>\n<tbody>\n"
    for (k, r) in runs.enumerated() {
        let last = r.rows.last, s = r.sparsity
        let hasVal = r.rows.contains { $0.valAccuracy != nil }
        let best = r.bestRow.map { percent(hasVal ? $0.valAccuracy : $0.trainAccuracy) + " <span class=\"dim\">@\($0.epoch)</span>" } ?? "-"
        var settings = r.overrides.keys.sorted().map { "<b>\(SVG.escape($0))</b>=\(SVG.escape(r.overrides[$0] ?? ""))" }
        settings += r.settings.map { "\($0.key): \($0.value)" }.filter { !shared.contains($0) }.map(SVG.escape)
        let status = r.status.map { $0 == "done" ? "" : " <span class=\"status\">\(SVG.escape($0))</span>" } ?? ""
        let cells = [decimal(last?.trainLoss), percent(last?.trainAccuracy), decimal(last?.valLoss), percent(last?.valAccuracy), best,
                     s.total > 0 ? percent(s.zeroFraction) : "-", s.total > 0 ? percent(s.nearFraction) : "-"]
        t += "<tr><td>\(k + 1)</td><td class=\"run\"><span class=\"swatch\" style=\"background:\(Palette.color(k))\"></span>"
            + SVG.escape(r.name) + status + "</td><td class=\"num\">\(r.rows.count)</td>"
            + cells.map { "<td class=\"num\">\($0)</td>" }.joined()
            + "<td class=\"settings\">\(settings.isEmpty ? "<span class=\"dim\">none of its own</span>" : settings.joined(separator: "<br>"))</td></tr>\n"
    }
    t += "</tbody>\n</table>\n"
    if !shared.isEmpty {
        t += "<p class=\"note\">Every run: " + sharedSettings(runs).map(SVG.escape).joined(separator: "; ") + ".</p>\n"
    }
    return t
}

let css = """
    body { font-family: Helvetica, Arial, sans-serif; color: #222; margin: 20px 24px; background: #fff; }
    h1 { font-size: 22px; margin: 0 0 4px; }
    h2 { font-size: 17px; margin: 28px 0 4px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
    .sub, .note { color: #666; font-size: 13px; margin: 2px 0 10px; }
    table { border-collapse: collapse; font-size: 12.5px; }
    th { text-align: left; background: #f3f3f3; padding: 5px 8px; border-bottom: 1px solid #ccc; }
    td { padding: 4px 8px; border-bottom: 1px solid #eee; vertical-align: top; }
    td.num { text-align: right; font-variant-numeric: tabular-nums; }
    td.settings { color: #555; font-size: 11.5px; }
    .swatch { display: inline-block; width: 10px; height: 10px; margin-right: 6px; border-radius: 2px; }
    .dim { color: #999; }
    .status { color: #b07a00; font-size: 11px; }
    .figures { display: flex; flex-wrap: wrap; gap: 12px; }
    figure { margin: 0; border: 1px solid #eee; }
    figure svg { display: block; }

    """
