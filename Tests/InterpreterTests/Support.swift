import Foundation
import Training
import XCTest
import Check
import Syntax
import Diagnostics
import Runtime
@testable import Interpreter

/// The repository root (specs/, data/).
let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

/// Parses and checks `specs/<name>.yaml`.
func loadSpec(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws -> CheckedModel {
    let path = repoRoot + "/specs/" + name + ".yaml"
    let (source, _) = try loadSourceFile(path: path)
    let (spec, parseDiags) = parseYAML(source)
    guard let spec else { throw TrainError.data("cannot parse \(path): \(parseDiags)") }
    let (model, diags) = check(spec, options: CheckOptions(physicalMemory: nil))
    guard let model else { throw TrainError.data("cannot check \(path): \(diags)") }
    return model
}

/// Options for quiet test runs writing into a fresh temporary folder.
func testOptions(_ tag: String) -> TrainOptions {
    var o = TrainOptions()
    o.progress = .quiet
    o.outDirectory = NSTemporaryDirectory() + "regula-interp-\(tag)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    return o
}

/// Checks a spec given as text.
func checkSpec(_ text: String) throws -> CheckedModel {
    let (spec, parseDiags) = parseYAML(SourceFile(path: "inline.yaml", text: text))
    guard let spec else { throw TrainError.data("cannot parse: \(parseDiags)") }
    let (model, diags) = check(spec, options: CheckOptions(physicalMemory: nil))
    guard let model else { throw TrainError.data("cannot check: \(diags)") }
    return model
}

/// How `checkGradients` probes a model.
struct GradientProbe {
    /// Parameter-initialization seed and the seed of the random inputs and labels.
    var seed: UInt64 = 11
    var dataSeed: UInt64 = 99
    /// The RNG step of every evaluation: fixed, so stochastic ops must regenerate the same masks.
    var step: UInt64 = 3
    /// Entries probed per tensor, plus (optionally) the entry with the largest gradient.
    var entries = 6
    var includeLargest = false
    var h: Float = 4e-3
    /// |analytic − numeric| ≤ absolute + 0.03·|numeric|.
    var absolute = 3e-3
    /// The check fails unless more than this many entries were probed.
    var atLeast = 0
}

/// The whole executor (lowering, autodiff, every kernel it calls, penalties) against central
/// finite differences of the objective it reports, on a few entries of every trainable tensor.
/// `tokens` draws int32 ids in 0..<tokens as inputs instead of normal floats.
func checkGradients(_ spec: String, batch: Int, tokens: Int? = nil, threads: Int = 1, fusion: Bool = true,
                    probe: GradientProbe = GradientProbe(), file: StaticString = #filePath, line: UInt = #line) throws {
    let model = try checkSpec(spec)
    let session = try Session(model: model, seed: probe.seed, batchSize: batch, threads: threads, fusion: fusion)
    let e = try session.trainingExecutor()
    let inputCount = model.input.shape.compactMap(\.value).reduce(1, *)
    let classes = model.nodes[model.output].shape.last?.value ?? 1
    var g = RandomGenerator(seed: probe.dataSeed)
    let x = (0..<(batch * inputCount)).map { _ in tokens.map { Float(g.nextInt(below: UInt32($0))) } ?? Float(g.nextNormal()) }
    let labels = (0..<batch).map { _ in Int32(g.nextInt(below: UInt32(classes))) }
    func loss() -> Double {
        guard let labelBuffer = e.labelInput else { return .nan }
        for (k, v) in x.enumerated() { e.dataInput[k] = v }
        for (k, v) in labels.enumerated() { labelBuffer[k] = v }
        e.run(batch: batch, step: probe.step)
        return e.scalar(.loss) ?? .nan
    }
    _ = loss()
    var checked = 0
    for (info, t) in session.store.trainable {
        let grad = Array(UnsafeBufferPointer(start: try XCTUnwrap(e.gradient(info.name)), count: t.count))
        var picks = Set((0..<probe.entries).map { ($0 * 7919 + 13) % t.count })
        if probe.includeLargest, let k = grad.indices.max(by: { abs(grad[$0]) < abs(grad[$1]) }) { picks.insert(k) }
        for k in picks {
            let old = t.data[k], h = probe.h
            t.data[k] = old + h; let up = loss()
            t.data[k] = old - h; let down = loss()
            t.data[k] = old
            let numeric = (up - down) / Double(2 * h)
            XCTAssertEqual(Double(grad[k]), numeric, accuracy: probe.absolute + 0.03 * abs(numeric),
                           "\(info.name)[\(k)]", file: file, line: line)
            checked += 1
        }
    }
    XCTAssertGreaterThan(checked, probe.atLeast, file: file, line: line)
}
