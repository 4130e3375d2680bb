import ArgumentParser
import Foundation
import Report

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Compare runs and sweeps: one self-contained HTML page, its figures as SVG, a table on the terminal.",
        discussion: """
            Each argument is a run folder (as regula train writes it) or a sweep folder (with sweep.json, \
            whose variants are shown as far as they got). The page has train and validation curves of every \
            run on shared axes, per-layer weight histograms, the fraction of zero and near-zero (|w| < 1e-3) \
            weights, a table ranked by validation accuracy with each run's regularization, and for sweeps the \
            validation metric against each swept value. The figures go beside the page in <name>-figures/. \
            Exits 2 when an input cannot be read.
            """)

    @Argument(help: "Run or sweep folders.")
    var inputs: [String]

    @Option(name: .shortAndLong, help: "The HTML file to write.")
    var output = "report.html"

    @Flag(help: "Keep running and write the report again whenever a run's metrics change (Ctrl-C stops).")
    var watch = false

    func run() throws {
        var last: [String: Date]?  // nil until the first report, which is always written
        repeat {
            let now = RunReport.fingerprint(inputs)
            if now != last {
                last = now
                do {
                    let out = try RunReport.write(inputs: inputs, html: output)
                    Out.print(out.table)
                    Out.print("wrote \(out.html) and \(out.figures.count) figures\n")
                } catch let error as ReportError {
                    Out.error("error: \(error.description)\n")
                    if !watch { throw ExitCode(2) }
                }
            }
            if watch { Thread.sleep(forTimeInterval: 2) }
        } while watch
    }
}
