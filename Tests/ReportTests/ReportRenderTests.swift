import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
@testable import Report
import TestSupport
import XCTest

/// The report as files: SVG that parses as XML, one HTML page that needs nothing from outside,
/// a sweep read as far as it got, and charts that headless Chromium actually draws.
final class ReportRenderTests: XCTestCase {
    private func sweepReport() throws -> (dir: String, output: RunReport.Output) {
        let dir = Fixtures.temporary("sweep")
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        try Fixtures.sweep(dir + "/sweep")
        return (dir, try RunReport.write(inputs: [dir + "/sweep"], html: dir + "/out/report.html"))
    }

    func testSweepExpandsToItsVariantsAsFarAsTheyGot() throws {
        let runs = try ReportInputs.load([try sweepReport().dir + "/sweep"])
        XCTAssertEqual(runs.map(\.name), ["p=0,wd=0", "p=0.5,wd=0", "p=0,wd=1e-4", "p=0.5,wd=1e-4", "pending"])
        XCTAssertEqual(runs.map(\.rows.count), [4, 4, 4, 1, 0])
        XCTAssertEqual(runs.map { $0.status ?? "" }, ["done", "done", "done", "running", "pending"])
        XCTAssertEqual(runs[1].overrides, ["layers.2.p": "0.5", "defaults.weight_decay": "0"])
        XCTAssertEqual(ranked(runs).first?.name, "p=0.5,wd=0")
        XCTAssertEqual(ranked(runs).last?.name, "pending")
    }

    func testFiguresAreValidXMLFilesBesideThePage() throws {
        let (dir, out) = try sweepReport()
        let names = out.figures.map { ($0 as NSString).lastPathComponent }
        XCTAssertEqual(Set(names), ["loss.svg", "accuracy.svg", "sparsity.svg", "weights-0.weight.svg", "weights-2.weight.svg",
                                    "sweep-defaults.weight_decay.svg", "sweep-layers.2.p.svg"])
        XCTAssertTrue(out.figures.allSatisfy { $0.hasPrefix(dir + "/out/report-figures/") })
        for path in out.figures {
            let parser = try XCTUnwrap(XMLParser(contentsOf: URL(fileURLWithPath: path)))
            XCTAssertTrue(parser.parse(), "\(path): \(String(describing: parser.parserError))")
        }
    }

    func testThePageIsSelfContained() throws {
        let html = try String(contentsOfFile: try sweepReport().output.html, encoding: .utf8)
        XCTAssertFalse(html.contains("<script"))
        XCTAssertFalse(html.contains("<link"))
        XCTAssertFalse(html.contains("url("))
        XCTAssertEqual(html.components(separatedBy: "http").count - 1, html.components(separatedBy: "http://www.w3.org/2000/svg").count - 1)
        XCTAssertEqual(html.components(separatedBy: "<svg").count - 1, 7)
    }

    func testMissingInputIsAnError() {
        XCTAssertThrowsError(try ReportInputs.load([Fixtures.temporary("nothing")])) { error in
            XCTAssertTrue("\(error)".contains("neither a run folder"))
        }
    }

    /// Renders the page in headless Chromium: a copy of it with a probe script reports where
    /// each plot area and legend is and any script error; a screenshot at the same size must
    /// show coloured pixels (curves, bars, swatches) inside every one of them.
    func testChromiumDrawsEveryChartAndLegend() throws {
        let chromium = try TestTools.require(.chromium), python = try TestTools.require(.python)
        let (dir, out) = try sweepReport()
        let probe = """
            <script>
            window.__errors = [];
            window.addEventListener('error', e => window.__errors.push(String(e.message)));
            window.addEventListener('load', () => {
              const boxes = [...document.querySelectorAll('.plot-area > rect, .legend')].map(el => {
                const r = el.getBoundingClientRect();
                return {kind: el.tagName === 'rect' ? 'plot' : 'legend', x: r.x, y: r.y, w: r.width, h: r.height};
              });
              const pre = document.createElement('pre');
              pre.id = 'probe';
              pre.textContent = JSON.stringify({boxes, errors: window.__errors});
              document.body.appendChild(pre);
            });
            </script>
            """
        let page = try String(contentsOfFile: out.html, encoding: .utf8)
        let probed = dir + "/out/probed.html"
        try page.replacingOccurrences(of: "</head>", with: probe + "</head>").write(toFile: probed, atomically: true, encoding: .utf8)
        let common = ["--headless", "--disable-gpu", "--no-sandbox", "--hide-scrollbars", "--force-device-scale-factor=1",
                      "--window-size=1400,2600", "--enable-logging=stderr", "--v=0"]
        let dom = try run(chromium, common + ["--dump-dom", "file://" + probed])
        let shot = dir + "/out/shot.png"
        let screenshot = try run(chromium, common + ["--screenshot=" + shot, "file://" + out.html])
        for log in [dom.stderr, screenshot.stderr] {
            XCTAssertFalse(log.contains("Uncaught"), log)
            XCTAssertFalse(log.contains("CONSOLE") && log.contains("rror"), log)
        }
        let json = try XCTUnwrap(extract(dom.stdout), "no probe output in the DOM")
        let probeData = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        XCTAssertEqual((probeData["errors"] as? [Any])?.count, 0)
        let boxes = try XCTUnwrap(probeData["boxes"] as? [[String: Any]])
        XCTAssertEqual(boxes.filter { $0["kind"] as? String == "plot" }.count, 7)
        XCTAssertGreaterThanOrEqual(boxes.filter { $0["kind"] as? String == "legend" }.count, 5)
        let boxesFile = dir + "/out/boxes.json"
        try JSONSerialization.data(withJSONObject: boxes).write(to: URL(fileURLWithPath: boxesFile))
        let check = """
            import json, sys
            from PIL import Image
            img = Image.open(sys.argv[1]).convert('RGB')
            px = img.load()
            for b in json.load(open(sys.argv[2])):
                x0, y0, x1, y1 = int(b['x']) + 2, int(b['y']) + 2, int(b['x'] + b['w']) - 2, int(b['y'] + b['h']) - 2
                coloured = sum(1 for x in range(x0, x1) for y in range(y0, y1) if max(px[x, y]) - min(px[x, y]) > 60)
                print(b['kind'], coloured)
            """
        let pixels = try run(python, ["-c", check, shot, boxesFile])
        let counts = pixels.stdout.split(separator: "\n").map { $0.split(separator: " ") }
        XCTAssertEqual(counts.count, boxes.count, pixels.stderr)
        for c in counts {
            XCTAssertGreaterThan(Int(c.last ?? "") ?? 0, c.first == "plot" ? 150 : 40, "a \(c.first ?? "") is blank")
        }
    }

    private func extract(_ dom: String) -> String? {
        guard let a = dom.range(of: "<pre id=\"probe\">"), let b = dom.range(of: "</pre>", range: a.upperBound..<dom.endIndex) else { return nil }
        return String(dom[a.upperBound..<b.lowerBound]).replacingOccurrences(of: "&quot;", with: "\"")
            .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&amp;", with: "&")
    }

    private func run(_ tool: String, _ arguments: [String]) throws -> (stdout: String, stderr: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = arguments
        // Standard error goes to a file so that neither stream can fill a pipe and block the tool.
        let errPath = Fixtures.temporary("stderr")
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: errPath) }
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle(forWritingAtPath: errPath)
        try p.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let err = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
        return (String(decoding: outData, as: UTF8.self), err)
    }
}
