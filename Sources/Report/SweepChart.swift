import Foundation

/// The validation metric against the values one swept setting took: one dot per run, a line
/// through the mean of the runs sharing a value. Values are placed as categories in sorted order
/// (a grid such as 0, 1e-4, 1e-3 is neither linear nor log-friendly).
public struct SweepChart {
    public var setting: String
    public var metric: String
    /// Each run's value of the setting (as written in the override), metric and colour.
    public var points: [(value: String, metric: Double, color: String)]

    /// Sorts numerically when every value is a number, else as text.
    static func order(_ values: [String]) -> [String] {
        let distinct = Array(Set(values))
        if distinct.allSatisfy({ Double($0) != nil }) { return distinct.sorted { (Double($0) ?? 0) < (Double($1) ?? 0) } }
        return distinct.sorted()
    }

    public func render(width: Double = 420, height: Double = 260) -> String {
        let values = Self.order(points.map(\.value))
        let frame = ChartFrame(width: width, height: height, title: "\(metric) vs \(setting)", xTitle: setting,
                               yTitle: metric, legend: [])
        let x = Scale(kind: .linear, domain: (-0.5, Double(values.count) - 0.5), range: (frame.plotLeft, frame.plotRight))
        let y = Scale.fitting(points.map(\.metric), range: (frame.plotBottom, frame.plotTop))
        var svg = SVG(width: frame.totalWidth, height: height)
        frame.draw(&svg, x: x, y: y, xLabels: values.enumerated().map { (Double($0.offset), $0.element) })
        svg.open("series")
        let means: [(Double, Double)] = values.enumerated().compactMap { k, v in
            let m = points.filter { $0.value == v }.map(\.metric)
            return m.isEmpty ? nil : (x(Double(k)), y(m.reduce(0, +) / Double(m.count)))
        }
        svg.polyline(means, stroke: "#888", width: 1.5, dash: "4 3")
        for p in points {
            guard let k = values.firstIndex(of: p.value) else { continue }
            svg.circle(x(Double(k)), y(p.metric), r: 5, fill: p.color)
        }
        svg.close()
        return svg.render()
    }
}
