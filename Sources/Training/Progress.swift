#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Runtime

/// How the training loop reports progress.
public enum ProgressStyle: Sendable {
    /// A one-line bar redrawn with `\r` when standard output is a terminal, plain lines otherwise.
    case auto
    /// Always the one-line bar.
    case bar
    /// Plain lines every `TrainOptions.logEvery` steps and at each epoch end.
    case lines
    /// Only the per-epoch lines and the summary.
    case quiet
}

/// Draws the training progress.
///
/// `log` receives complete lines without their newline (epoch lines, plain progress lines, the
/// summary). The one-line bar is not a line: it is written to `bar` (standard output by
/// default) as a fragment that starts with `\r`, clears the line (`ESC[K`) and has no newline,
/// and it is cleared before the next line is logged.
struct ProgressDisplay {
    let log: (String) -> Void
    let barSink: (String) -> Void
    let bar: Bool
    let lineEvery: Int
    let quiet: Bool
    private var barVisible = false
    private var lastDraw: Double = 0

    init(style: ProgressStyle, lineEvery: Int, log: @escaping (String) -> Void,
         bar barSink: @escaping (String) -> Void = ProgressDisplay.standardOutput) {
        self.log = log
        self.barSink = barSink
        switch style {
        case .auto: bar = isatty(STDOUT_FILENO) != 0; quiet = false
        case .bar: bar = true; quiet = false
        case .lines: bar = false; quiet = false
        case .quiet: bar = false; quiet = true
        }
        self.lineEvery = max(1, lineEvery)
    }

    /// A complete message on its own line (clears a visible bar first).
    mutating func line(_ text: String) {
        if barVisible { barSink("\r\u{1B}[K"); barVisible = false }
        log(text)
    }

    /// Writes a bar fragment to standard output and flushes it.
    static func standardOutput(_ fragment: String) {
        fputs(fragment, stdout)
        fflush(stdout)
    }

    /// Called after every optimizer step.
    mutating func step(epoch: Int, epochs: Int, step: Int, stepsPerEpoch: Int,
                       loss: Double, accuracy: Double, samplesPerSecond: Double, eta: Double) {
        if quiet { return }
        let text = "epoch \(epoch)/\(epochs)  step \(step)/\(stepsPerEpoch)  loss \(fmt(loss, 4))  acc \(fmt(accuracy * 100, 2))%  \(Int(samplesPerSecond.rounded())) samples/s"
        if bar {
            let now = Date.timeIntervalSinceReferenceDate
            // Redraw at most ~20 times a second: a terminal write per MLP step would cost more than the step.
            if now - lastDraw < 0.05 && step != stepsPerEpoch { return }
            lastDraw = now
            barSink("\r\u{1B}[K" + Self.barGlyphs(step, stepsPerEpoch) + " " + text + "  ETA " + duration(eta))
            barVisible = true
        } else if step % lineEvery == 0 {
            log(text)
        }
    }

    /// Ends the bar's line so the next message starts on a fresh line.
    mutating func finishBar() {
        if barVisible { barSink("\r\u{1B}[K"); barVisible = false }
    }

    static func barGlyphs(_ done: Int, _ total: Int, width: Int = 20) -> String {
        let filled = total > 0 ? min(width, done * width / total) : 0
        return "[" + String(repeating: "=", count: filled) + String(repeating: " ", count: width - filled) + "]"
    }
}

/// `x` with `digits` decimals (locale-independent).
func fmt(_ x: Double, _ digits: Int) -> String {
    if !x.isFinite { return String(x) }
    return String(format: "%.\(digits)f", x)
}

/// `1h02m`, `3m07s` or `12s`.
func duration(_ seconds: Double) -> String {
    guard seconds.isFinite, seconds >= 0 else { return "--" }
    let s = Int(seconds.rounded())
    if s >= 3600 { return "\(s / 3600)h" + String(format: "%02dm", (s % 3600) / 60) }
    if s >= 60 { return "\(s / 60)m" + String(format: "%02ds", s % 60) }
    return "\(s)s"
}

/// The text of epoch lines and the final summary.
enum Summary {
    static func epochLine(_ m: EpochMetrics, epochs: Int, seconds: Double) -> String {
        var s = "epoch \(m.epoch)/\(epochs): loss \(fmt(m.trainLoss, 4)), accuracy \(fmt(m.trainAccuracy * 100, 2))%"
        if let v = m.valLoss { s += ", val_loss \(fmt(v, 4))" }
        if let v = m.valAccuracy { s += ", val_accuracy \(fmt(v * 100, 2))%" }
        s += ", lr \(significant(m.lr)), \(fmt(seconds, 1)) s, \(Int(m.samplesPerSecond.rounded())) samples/s"
        return s
    }

    static func final(_ r: TrainResult) -> String {
        var s = "done: \(r.steps) steps"
        s += ", \(Int(r.samplesPerSecond.rounded())) samples/s training"
        if let a = r.testAccuracy, let l = r.testLoss {
            s += ", test accuracy \(fmt(a * 100, 2))%, test loss \(fmt(l, 4))"
            if let e = r.testExamplesPerSecond { s += " (\(Int(e.rounded())) examples/s)" }
        }
        s += ", peak memory \(mib(r.peakRSS))"
        if let d = r.runDirectory { s += ", run folder \(d)" }
        return s
    }
}
