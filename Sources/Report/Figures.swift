import Foundation

/// One figure of the report: its file name (under the figures folder), heading and SVG text.
public struct Figure {
    public var file: String
    public var section: String
    public var svg: String
}

/// The report's figures for `runs` (already in rank order; run k has colour k).
public func figures(_ runs: [RunRecord]) -> [Figure] {
    let labels = legendLabels(runs)
    var out: [Figure] = []
    for (metric, title, train, val, logY) in [
        ("loss", "Loss", \MetricsRow.trainLoss, \MetricsRow.valLoss, true),
        ("accuracy", "Accuracy", \MetricsRow.trainAccuracy, \MetricsRow.valAccuracy, false),
    ] {
        var series: [Series] = []
        for (k, r) in runs.enumerated() {
            let color = Palette.color(k)
            series.append(Series(name: r.name, color: color, points: r.rows.compactMap { row in row[keyPath: train].map { (Double(row.epoch), $0) } }))
            series.append(Series(name: r.name, color: color, dashed: true,
                                 points: r.rows.compactMap { row in row[keyPath: val].map { (Double(row.epoch), $0) } }))
        }
        let hasVal = runs.contains { $0.rows.contains { $0[keyPath: val] != nil } }
        var legend = runs.indices.map { LegendEntry(labels[$0], color: Palette.color($0)) }
        legend.append(LegendEntry("train", color: "#777"))
        if hasVal { legend.append(LegendEntry("validation", color: "#777", mark: .dashed)) }
        let chart = LineChart(title: "\(title): train" + (hasVal ? " (solid) and validation (dashed)" : ""), xTitle: "epoch",
                              yTitle: metric, series: series, legend: legend, logY: logY)
        out.append(Figure(file: metric + ".svg", section: "curves", svg: chart.render(width: 400, height: 320)))
    }

    let withWeights = runs.indices.filter { !runs[$0].weights.isEmpty }
    if !withWeights.isEmpty {
        let sparsity = withWeights.map { runs[$0].sparsity }
        let bars = BarChart(title: "Zero and near-zero weights (|w| < 1e-3)", yTitle: "fraction of weights",
                            categories: withWeights.map { labels[$0] },
                            measures: [("exactly 0", "#4e79a7", sparsity.map(\.zeroFraction)),
                                       ("|w| < 1e-3", "#a0cbe8", sparsity.map(\.nearFraction))])
        out.append(Figure(file: "sparsity.svg", section: "weights", svg: bars.render(width: 400, height: 260)))
    }
    for group in layerGroups(runs) {
        let bins = SharedBins(covering: group.members.map(\.values))
        let chart = HistogramChart(title: group.title, bins: bins,
                                   runs: group.members.map { (labels[$0.run], Palette.color($0.run), bins.fractions($0.values)) })
        out.append(Figure(file: "weights-" + fileSafe(group.file) + ".svg", section: "weights", svg: chart.render(width: 340, height: 260)))
    }

    var swept: [String] = []
    for r in runs { for k in r.overrides.keys.sorted() where !swept.contains(k) { swept.append(k) } }
    for setting in swept {
        let points = runs.indices.compactMap { k -> (String, Double, String)? in
            guard let v = runs[k].overrides[setting], let m = runs[k].rankingMetric else { return nil }
            return (v, m.best, Palette.color(k))
        }
        guard Set(points.map(\.0)).count > 1 else { continue }
        let metric = runs.first { $0.rankingMetric != nil }?.rankingMetric?.name ?? "val_acc"
        let chart = SweepChart(setting: setting, metric: "best " + metric, points: points)
        out.append(Figure(file: "sweep-" + fileSafe(setting) + ".svg", section: "sweep", svg: chart.render()))
    }
    return out
}

/// The weight tensors one histogram compares. When every run has as many weight tensors with
/// the same shapes in the same order (one network, with layers such as dropout added between
/// that shift PyTorch's indices), the k-th tensors are compared; otherwise tensors of the same name.
func layerGroups(_ runs: [RunRecord]) -> [(title: String, file: String, members: [(run: Int, values: [Float])])] {
    let holding = runs.indices.filter { !runs[$0].weights.isEmpty }
    guard let first = holding.first else { return [] }
    let shapes = runs[first].weights.map(\.shape)
    if holding.allSatisfy({ runs[$0].weights.map(\.shape) == shapes }) {
        return shapes.indices.map { k in
            var names: [String] = []
            for r in holding where !names.contains(runs[r].weights[k].name) { names.append(runs[r].weights[k].name) }
            let shape = "[" + shapes[k].map(String.init).joined(separator: "×") + "]"
            return (names.joined(separator: " / ") + " " + shape, names[0], holding.map { ($0, runs[$0].weights[k].values) })
        }
    }
    var names: [String] = []
    for r in runs { for w in r.weights where !names.contains(w.name) { names.append(w.name) } }
    return names.map { name in
        (name, name, runs.indices.compactMap { k in runs[k].weights.first { $0.name == name }.map { (k, $0.values) } })
    }
}

/// Each run's legend label: its rank and name, or for sweep variants the overrides that differ
/// between the runs, by the last part of their path (`2 dropout=0.2 weight_decay=1e-4`), cut to
/// fit a legend.
func legendLabels(_ runs: [RunRecord]) -> [String] {
    let keys = Set(runs.flatMap { $0.overrides.keys }).filter { k in Set(runs.map { $0.overrides[k] ?? "" }).count > 1 }.sorted()
    return runs.enumerated().map { k, r in
        var text = r.name
        if !keys.isEmpty, !r.overrides.isEmpty {
            text = keys.compactMap { key in
                r.overrides[key].map { (key.split(separator: ".").last { $0 != "*" }.map(String.init) ?? key) + "=" + $0 }
            }.joined(separator: " ")
        }
        text = "\(k + 1) " + text
        return text.count > 32 ? String(text.prefix(31)) + "…" : text
    }
}

/// A name fit for a file: letters, digits, `-`, `_` and `.`; anything else becomes `_`.
func fileSafe(_ s: String) -> String {
    String(s.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." ? $0 : "_" })
}
