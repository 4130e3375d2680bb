import Foundation

/// The runs in report order: runs with a validation set first, by best validation accuracy;
/// then runs without one, by best train accuracy (the two are not comparable); runs without
/// metrics last; ties by name.
public func ranked(_ runs: [RunRecord]) -> [RunRecord] {
    func tier(_ r: RunRecord) -> Int { r.rankingMetric.map { $0.name == "val_acc" ? 0 : 1 } ?? 2 }
    return runs.sorted { a, b in
        if tier(a) != tier(b) { return tier(a) < tier(b) }
        let (x, y) = (a.rankingMetric?.best ?? 0, b.rankingMetric?.best ?? 0)
        return x != y ? x > y : a.name < b.name
    }
}

/// The settings that tell the runs apart: a sweep variant's overrides, else the run's
/// regularization settings that are not the same in every run.
func distinguishingSettings(_ run: RunRecord, among runs: [RunRecord]) -> String {
    if !run.overrides.isEmpty {
        return run.overrides.keys.sorted().map { "\($0)=\(run.overrides[$0] ?? "")" }.joined(separator: " ")
    }
    let shared = runs.count > 1 ? Set(runs.dropFirst().reduce(Set(runs[0].settings.map { "\($0.key)=\($0.value)" })) {
        $0.intersection($1.settings.map { "\($0.key)=\($0.value)" })
    }) : []
    return run.settings.map { "\($0.key)=\($0.value)" }.filter { !shared.contains($0) }.joined(separator: "; ")
}

/// Percent with one decimal, or "-" for nothing.
func percent(_ v: Double?) -> String { v.map { String(format: "%.1f%%", 100 * $0) } ?? "-" }
func decimal(_ v: Double?) -> String { v.map { String(format: "%.4f", $0) } ?? "-" }

/// The terminal's table: one line per run in rank order.
public func renderTextTable(_ runs: [RunRecord]) -> String {
    let header = ["#", "run", "epochs", "train loss", "train acc", "val loss", "val acc", "best", "zero", "|w|<1e-3", "settings"]
    let rows: [[String]] = ranked(runs).enumerated().map { k, r in
        let last = r.rows.last, best = r.bestRow
        let bestText = best.map { b in
            percent(r.rows.contains { $0.valAccuracy != nil } ? b.valAccuracy : b.trainAccuracy) + " @\(b.epoch)"
        } ?? "-"
        let s = r.sparsity
        var settings = distinguishingSettings(r, among: runs)
        if settings.count > 72 { settings = String(settings.prefix(71)) + "…" }
        if let status = r.status, status != "done" { settings = "(\(status)) " + settings }
        return ["\(k + 1)", r.name, "\(r.rows.count)", decimal(last?.trainLoss), percent(last?.trainAccuracy), decimal(last?.valLoss),
                percent(last?.valAccuracy), bestText, s.total > 0 ? percent(s.zeroFraction) : "-",
                s.total > 0 ? percent(s.nearFraction) : "-", settings]
    }
    let all = [header] + rows
    let widths = header.indices.map { c in all.map { $0[c].count }.max() ?? 0 }
    let numeric = Set(2...9)
    return all.map { row in
        row.enumerated().map { c, cell in
            let pad = String(repeating: " ", count: widths[c] - cell.count)
            return c == row.count - 1 ? cell : (numeric.contains(c) ? pad + cell : cell + pad)
        }.joined(separator: "  ").trimmingCharacters(in: .whitespaces)
    }.joined(separator: "\n") + "\n"
}
