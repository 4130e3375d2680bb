import Foundation

/// One line of a chart: a run's train or validation curve.
public struct Series {
    public var name: String
    public var color: String
    public var dashed: Bool
    public var points: [(x: Double, y: Double)]

    public init(name: String, color: String, dashed: Bool = false, points: [(x: Double, y: Double)]) {
        self.name = name; self.color = color; self.dashed = dashed; self.points = points
    }
}

/// A legend row: a swatch (line, dashed line or box) and a label.
public struct LegendEntry {
    public enum Mark { case line, dashed, box }
    public var label: String
    public var color: String
    public var mark: Mark

    public init(_ label: String, color: String, mark: Mark = .line) {
        self.label = label; self.color = color; self.mark = mark
    }
}

/// The frame every chart shares: a title, a plot area with axes, grid lines and tick labels,
/// axis titles, and a legend to the right that widens the chart as its labels need.
struct ChartFrame {
    /// The width of title, axes and plot area; the legend comes on top (`totalWidth`).
    var width = 560.0, height = 300.0
    var title: String
    var xTitle: String
    var yTitle: String
    var legend: [LegendEntry]
    /// Pixels the legend column takes (0 without a legend), at ~6.6 px per character of 11 px text.
    var legendWidth: Double { legend.isEmpty ? 0 : 40 + 6.6 * Double(legend.map(\.label.count).max() ?? 0) }
    var totalWidth: Double { width + legendWidth }

    var plotLeft: Double { 58 }
    var plotTop: Double { 34 }
    var plotRight: Double { width - 14 }
    var plotBottom: Double { height - 42 }

    /// Draws everything but the data; `xLabels` replaces the x scale's ticks (categorical axes).
    func draw(_ svg: inout SVG, x: Scale, y: Scale, xLabels: [(value: Double, label: String)]? = nil) {
        svg.text(title, x: plotLeft, y: 20, size: 14, fill: "#222", bold: true)
        svg.open("plot-area")
        svg.rect(plotLeft, plotTop, plotRight - plotLeft, plotBottom - plotTop, fill: "#fafafa", stroke: "#ccc")
        for t in y.ticks {
            let py = y(t.value)
            guard py >= plotTop - 0.5, py <= plotBottom + 0.5 else { continue }
            svg.line(plotLeft, py, plotRight, py, stroke: "#e6e6e6")
            svg.text(t.label, x: plotLeft - 6, y: py + 4, anchor: .end, size: 10, fill: "#555")
        }
        for t in xLabels ?? x.ticks {
            let px = x(t.value)
            guard px >= plotLeft - 0.5, px <= plotRight + 0.5 else { continue }
            svg.line(px, plotTop, px, plotBottom, stroke: "#eeeeee")
            svg.line(px, plotBottom, px, plotBottom + 4, stroke: "#888")
            svg.text(t.label, x: px, y: plotBottom + 16, anchor: .middle, size: 10, fill: "#555")
        }
        svg.close()
        svg.text(xTitle, x: (plotLeft + plotRight) / 2, y: height - 8, anchor: .middle, size: 11, fill: "#444")
        svg.text(yTitle, x: 14, y: (plotTop + plotBottom) / 2, anchor: .middle, size: 11, fill: "#444", rotate: -90)
        drawLegend(&svg)
    }

    func drawLegend(_ svg: inout SVG) {
        guard !legend.isEmpty else { return }
        svg.open("legend")
        let x = plotRight + 16
        for (k, e) in legend.enumerated() {
            let y = plotTop + 8 + Double(k) * 17
            switch e.mark {
            case .line: svg.line(x, y, x + 22, y, stroke: e.color, width: 2.5)
            case .dashed: svg.line(x, y, x + 22, y, stroke: e.color, width: 2.5, dash: "5 3")
            case .box: svg.rect(x + 4, y - 6, 14, 12, fill: e.color)
            }
            svg.text(e.label, x: x + 28, y: y + 4, size: 11)
        }
        svg.close()
    }
}

/// A line chart of several series on shared axes (learning curves).
public struct LineChart {
    public var title: String
    public var xTitle: String
    public var yTitle: String
    public var series: [Series]
    public var legend: [LegendEntry]
    /// Allow a log y axis when the values span more than a factor of 20 (losses).
    public var logY = false

    public init(title: String, xTitle: String, yTitle: String, series: [Series], legend: [LegendEntry], logY: Bool = false) {
        self.title = title; self.xTitle = xTitle; self.yTitle = yTitle; self.series = series; self.legend = legend; self.logY = logY
    }

    public func render(width: Double = 560, height: Double = 300) -> String {
        let frame = ChartFrame(width: width, height: height, title: title, xTitle: xTitle, yTitle: yTitle, legend: legend)
        let xs = series.flatMap { $0.points.map(\.x) }, ys = series.flatMap { $0.points.map(\.y) }
        var x = Scale.fitting(xs, range: (frame.plotLeft, frame.plotRight))
        x.integerTicks = xs.allSatisfy { $0 == $0.rounded() }
        let y = Scale.fitting(ys, range: (frame.plotBottom, frame.plotTop), allowLog: logY)
        var svg = SVG(width: frame.totalWidth, height: height)
        frame.draw(&svg, x: x, y: y)
        svg.open("series")
        for s in series {
            let pts = s.points.filter { $0.y.isFinite }.map { (x($0.x), y($0.y)) }
            svg.polyline(pts, stroke: s.color, width: 2, dash: s.dashed ? "6 4" : nil)
            if pts.count == 1, let p = pts.first { svg.circle(p.0, p.1, r: 3, fill: s.color) }
        }
        svg.close()
        return svg.render()
    }
}
