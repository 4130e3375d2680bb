import Diagnostics
import Foundation

/// Measures the front end (parse + check) on a large generated spec: `regula bench --lint`.
public enum LintBenchmark {
    /// A clean YAML spec with `layers` layers: a 64-wide MLP whose layers cycle through
    /// dense, batchnorm, relu and dropout, each with a name and regularization attributes, so
    /// every stage (kinds, arguments, references, shapes, lint rules, parameters) does real work.
    public static func syntheticSpec(layers: Int) -> String {
        var lines = ["regula: 1", "model: synthetic_\(layers)", "input: [64]", "defaults: {weight_decay: 1e-4}", "layers:"]
        lines.reserveCapacity(layers + 8)
        for i in 0..<layers {
            switch i % 4 {
            case 0: lines.append("  - {dense: {units: 64, l2: 1e-5}, name: d\(i)}")
            case 1: lines.append("  - {batchnorm: {}, name: n\(i)}")
            case 2: lines.append("  - {relu: {}, name: r\(i)}")
            default: lines.append("  - {dropout: 0.1, name: p\(i)}")
            }
        }
        lines.append("  - dense: 10")
        lines.append("loss: cross_entropy")
        return lines.joined(separator: "\n") + "\n"
    }

    public struct Result {
        /// Median wall time of parse + check, in seconds.
        public var median: Double
        public var runs: [Double]
        public var diagnostics: [Diagnostic]
    }

    /// Parses and checks the synthetic spec `repetitions` times and reports the median.
    public static func run(layers: Int = 5000, repetitions: Int = 7) -> Result {
        let source = SourceFile(path: "synthetic_\(layers).yaml", text: syntheticSpec(layers: layers))
        var runs: [Double] = []
        var diagnostics: [Diagnostic] = []
        for _ in 0..<max(1, repetitions) {
            let start = DispatchTime.now().uptimeNanoseconds
            diagnostics = Frontend.run(source: source).diagnostics
            runs.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        let sorted = runs.sorted()
        return Result(median: sorted[sorted.count / 2], runs: runs, diagnostics: diagnostics)
    }
}
