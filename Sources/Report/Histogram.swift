import Foundation

/// Equal-width bins shared by every run's histogram of one layer, so the same bar means the
/// same weight values in each run (L2 shrinkage shows as a narrower hill, L1 as a spike at 0).
public struct SharedBins: Equatable {
    public var lo: Double
    public var hi: Double
    public var count: Int

    /// Bins symmetric around 0 out to the `quantile` of |w| over all `samples` (weights of one
    /// layer in each run), with the bin holding 0 centered on it. A few large weights would
    /// otherwise squeeze every hill into the middle bins; values beyond land in the outer bins.
    public init(covering samples: [[Float]], count: Int = 61, quantile: Double = 0.999) {
        var magnitudes: [Float] = []
        for s in samples { for v in s where v.isFinite { magnitudes.append(abs(v)) } }
        magnitudes.sort()
        var m = magnitudes.isEmpty ? 0 : Double(magnitudes[min(Int(Double(magnitudes.count - 1) * quantile), magnitudes.count - 1)])
        if m == 0 { m = Double(magnitudes.last ?? 1) }
        if m == 0 { m = 1 }
        let n = count | 1  // odd: one bin centered on 0
        let half = m * Double(n) / Double(n - 1)
        (lo, hi, self.count) = (-half, half, n)
    }

    public var width: Double { (hi - lo) / Double(count) }

    /// The fraction of `values` (finite ones) in each bin.
    public func fractions(_ values: [Float]) -> [Double] {
        var c = [Double](repeating: 0, count: count)
        var total = 0.0
        for v in values where v.isFinite {
            let k = Int(((Double(v) - lo) / width).rounded(.down))
            c[min(max(k, 0), count - 1)] += 1
            total += 1
        }
        return total > 0 ? c.map { $0 / total } : c
    }
}

/// How many weights are exactly zero and how many are near it (|w| < `nearZero`).
public struct Sparsity: Equatable {
    public static let nearZero: Float = 1e-3
    public var total = 0
    public var zero = 0
    public var near = 0

    public init() {}

    public init<S: Sequence>(_ values: S) where S.Element == Float {
        for v in values {
            total += 1
            if v == 0 { zero += 1 }
            if abs(v) < Self.nearZero { near += 1 }
        }
    }

    public var zeroFraction: Double { total > 0 ? Double(zero) / Double(total) : 0 }
    public var nearFraction: Double { total > 0 ? Double(near) / Double(total) : 0 }
}

/// A layer's weight histograms, one outline per run over shared bins.
public struct HistogramChart {
    public var title: String
    public var bins: SharedBins
    /// Each run's fractions per bin, its name and colour.
    public var runs: [(name: String, color: String, fractions: [Double])]

    public func render(width: Double = 470, height: Double = 260) -> String {
        let legend = runs.map { LegendEntry($0.name, color: $0.color) }
        let frame = ChartFrame(width: width, height: height, title: title, xTitle: "weight value",
                               yTitle: "fraction of weights", legend: legend)
        let x = Scale.fitting([bins.lo, bins.hi], range: (frame.plotLeft, frame.plotRight))
        let y = Scale.fitting(runs.flatMap(\.fractions), range: (frame.plotBottom, frame.plotTop), includeZero: true)
        var svg = SVG(width: frame.totalWidth, height: height)
        frame.draw(&svg, x: x, y: y)
        svg.open("series")
        for r in runs {
            // A step outline: flat across each bin, vertical between bins.
            var pts: [(Double, Double)] = [(x(bins.lo), y(0))]
            for (k, f) in r.fractions.enumerated() {
                let a = bins.lo + Double(k) * bins.width
                pts.append((x(a), y(f)))
                pts.append((x(a + bins.width), y(f)))
            }
            pts.append((x(bins.hi), y(0)))
            svg.polyline(pts, stroke: r.color, width: 1.6)
        }
        svg.close()
        return svg.render()
    }
}
