import Foundation

/// A grouped bar chart: for each category (a run, labelled by its rank) one bar per measure
/// (exactly-zero and near-zero fractions side by side).
public struct BarChart {
    public var title: String
    public var yTitle: String
    public var categories: [String]
    /// Measure name, colour, one value per category.
    public var measures: [(name: String, color: String, values: [Double])]

    public func render(width: Double = 560, height: Double = 260) -> String {
        let legend = measures.map { LegendEntry($0.name, color: $0.color, mark: .box) }
        let frame = ChartFrame(width: width, height: height, title: title, xTitle: "run", yTitle: yTitle, legend: legend)
        let n = Double(max(categories.count, 1))
        let x = Scale(kind: .linear, domain: (0, n), range: (frame.plotLeft, frame.plotRight))
        let y = Scale.fitting(measures.flatMap(\.values) + [0.01], range: (frame.plotBottom, frame.plotTop), includeZero: true)
        var svg = SVG(width: frame.totalWidth, height: height)
        // Categories are labelled in full when they fit under their bars, else by their number.
        let fits = categories.allSatisfy { Double($0.count) * 6.5 < (frame.plotRight - frame.plotLeft) / n }
        let labels = categories.enumerated().map { (Double($0.offset) + 0.5, fits ? $0.element : "\($0.offset + 1)") }
        frame.draw(&svg, x: x, y: y, xLabels: labels)
        svg.open("series")
        let group = 0.7 / Double(max(measures.count, 1))
        for (m, measure) in measures.enumerated() {
            for (k, v) in measure.values.enumerated() {
                let left = x(Double(k) + 0.15 + Double(m) * group)
                svg.rect(left, y(v), x(Double(k) + 0.15 + Double(m + 1) * group) - left - 1, y(0) - y(v), fill: measure.color)
            }
        }
        svg.close()
        return svg.render()
    }
}
