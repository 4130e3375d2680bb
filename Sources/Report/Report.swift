import Foundation

/// `regula report`: the runs' HTML page, its figures as SVG files beside it, and the terminal table.
public enum RunReport {
    /// What `write` produced.
    public struct Output {
        public var html: String
        public var figures: [String]
        public var table: String
    }

    /// Reads `inputs` (run and sweep folders) and writes `html` and `<html without .html>-figures/*.svg`.
    ///
    /// - Throws: `ReportError` for unreadable inputs or unwritable outputs.
    public static func write(inputs: [String], html: String) throws -> Output {
        let runs = ranked(try ReportInputs.load(inputs))
        guard !runs.isEmpty else { throw ReportError("no runs found in \(inputs.joined(separator: ", "))") }
        let figs = figures(runs)
        let base = html.hasSuffix(".html") ? String(html.dropLast(5)) : html
        let folder = base + "-figures"
        var written: [String] = []
        do {
            let dir = (html as NSString).deletingLastPathComponent
            if !dir.isEmpty { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            for f in figs {
                let path = folder + "/" + f.file
                try f.svg.write(toFile: path, atomically: true, encoding: .utf8)
                written.append(path)
            }
            try renderHTML(runs, figures: figs).write(toFile: html, atomically: true, encoding: .utf8)
        } catch {
            throw ReportError("cannot write the report \(html): \(error.localizedDescription)")
        }
        return Output(html: html, figures: written, table: renderTextTable(runs))
    }

    /// The metrics files of `inputs` and their modification times (`--watch` re-renders when this changes).
    public static func fingerprint(_ inputs: [String]) -> [String: Date] {
        var out: [String: Date] = [:]
        let fm = FileManager.default
        for input in inputs {
            let paths = [input] + ((try? fm.subpathsOfDirectory(atPath: input)) ?? []).map { input + "/" + $0 }
            for p in paths where p.hasSuffix("metrics.csv") || p.hasSuffix("sweep.json") || p.hasSuffix("model.safetensors") {
                out[p] = (try? fm.attributesOfItem(atPath: p))?[.modificationDate] as? Date
            }
        }
        return out
    }
}
