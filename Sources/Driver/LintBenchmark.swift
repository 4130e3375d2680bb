import Check
import Diagnostics
import Foundation

/// Measures the front end (parse + check) on a large generated spec (`regula bench --only lint`):
/// dense, layernorm, dropout and residual adds with names and regularization, so every stage
/// (kinds, arguments, references, shapes, lint rules, parameters) does real work.
public enum LintBenchmark {
    public struct Result {
        /// Median wall time of parse + check, in seconds.
        public var median: Double
        public var runs: [Double]
        public var diagnostics: [Diagnostic]
    }

    /// Parses and checks the synthetic spec `repetitions` times and reports the median.
    public static func run(layers: Int = 5000, repetitions: Int = 7) -> Result {
        let source = SourceFile(path: "bench_\(layers).yaml", text: benchmarkSpecYAML(layers: layers))
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
