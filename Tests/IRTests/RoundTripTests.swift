import Check
import Diagnostics
import Syntax
import TestSupport
import XCTest
@testable import IR

/// `regula convert` and `regula fmt` lose nothing: YAML → DSL → YAML and DSL → YAML → DSL give the
/// same checked model (layers, parameters with their resolved regularization, training
/// configuration) and the same lowered and training IR, for every spec in `specs/` and for
/// random specs built from the kinds table.
final class RoundTripTests: XCTestCase {
    func testEverySpecRoundTripsThroughBothFormats() throws {
        let folder = SpecTests.root + "/specs"
        let names = try FileManager.default.contentsOfDirectory(atPath: folder)
            .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".regula") }.sorted()
        XCTAssertGreaterThanOrEqual(names.count, 20)
        for name in names {
            let text = try String(contentsOfFile: folder + "/" + name, encoding: .utf8)
            try assertRoundTrips(SourceFile(path: "specs/" + name, text: text))
        }
    }

    /// 300 random specs (a seeded generator, so failures reproduce), written in the DSL with
    /// positional and named arguments mixed, every non-shape argument of each kind drawn from
    /// the kinds table at random.
    func testRandomSpecsFromTheKindsTableRoundTrip() throws {
        var rng = SplitMix64(seed: 0x5EC5)
        var clean = 0
        let count = 300
        for i in 0..<count {
            let text = RandomSpec.dsl(&rng)
            let file = SourceFile(path: "random/r\(i).regula", text: text)
            let (spec, pd) = parseSpec(file)
            XCTAssertEqual(pd.map(\.message), [], "random spec \(i) does not parse:\n\(text)")
            guard let spec else { continue }
            if check(spec, options: CheckOptions(physicalMemory: 1 << 40)).model != nil { clean += 1 }
            try assertRoundTrips(file)
        }
        // Most random specs must check clean, or the model comparison above proves little.
        XCTAssertGreaterThan(clean, count * 3 / 4, "only \(clean) of \(count) random specs check clean")
    }

    // MARK: - The comparison

    /// Converts `file` to the other format and back; each version must check to the same model
    /// (or give the same diagnostics, locations aside) and lower to the same IR.
    func assertRoundTrips(_ file: SourceFile, line: UInt = #line) throws {
        let isDSL = file.path.hasSuffix(".regula")
        let base = String(file.path.dropLast(isDSL ? 7 : 5))
        let original = try XCTUnwrap(parseSpec(file).spec, file.path)
        let other = try convert(original, toDSL: !isDSL, source: file, path: base + (isDSL ? ".yaml" : ".regula"))
        let back = try convert(other.spec, toDSL: isDSL, source: other.file, path: file.path)
        let reference = Fingerprint(original)
        for (label, version) in [("converted", other), ("converted back", back)] {
            let f = Fingerprint(version.spec)
            if f != reference {
                XCTFail("\(file.path) \(label) differs:\n\(reference.firstDifference(from: f))\n--- printed:\n\(version.file.text)", line: line)
                return
            }
        }
    }

    func convert(_ spec: Spec, toDSL: Bool, source: SourceFile, path: String) throws -> (spec: Spec, file: SourceFile) {
        let kept = comments(in: source)
        let text: String
        if toDSL {
            text = printDSL(spec, comments: kept)
        } else {
            let printed = printYAML(spec, comments: kept, primaryArgument: primaryArgumentName(ofKind:))
            XCTAssertEqual(printed.refused.map(\.message), [], source.path)
            text = printed.text
        }
        let file = SourceFile(path: path, text: text)
        let (again, d) = parseSpec(file)
        XCTAssertEqual(d.filter { $0.severity == .error }.map(\.message), [], "\(path) does not parse:\n\(text)")
        return (try XCTUnwrap(again, path), file)
    }
}

/// What a spec means, without source locations: the checked model's layers and parameters,
/// its training configuration, the lowered and training IR, or else its diagnostics.
struct Fingerprint: Equatable {
    var parts: [(String, String)]

    init(_ spec: Spec) {
        let (model, diagnostics) = check(spec, options: CheckOptions(physicalMemory: 1 << 40))
        parts = [("diagnostics", diagnostics.map { "\($0.severity) \($0.id) \($0.message)" }.joined(separator: "\n"))]
        guard let model else { return }
        parts.append(("input", "\(model.input)"))
        parts.append(("training", "\(model.training)"))
        for n in model.nodes {
            parts.append(("node \(n.id)", "\(n.op) \(n.inputs) \(n.shape) \(n.path) \(n.name ?? "-") \(n.displayKind)"))
            for p in n.params {
                // A dictionary prints in no fixed order: the scheduled strengths sorted by attribute.
                var q = p
                q.regularization.schedules = [:]
                let schedules = p.regularization.schedules.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }
                parts.append(("param \(p.name)", "\(q) schedules \(schedules)"))
            }
        }
        parts.append(("regularization table", renderParams(summarize(model))))
        parts.append(("lowered IR", Fingerprint.withoutLocations(render(lower(model)))))
        if let g = try? Pipeline(mode: .train).run(model, print: { _ in }) {
            parts.append(("training IR", Fingerprint.withoutLocations(render(g))))
        }
    }

    /// IR text names each op's source line (`specs/mnist_mlp.yaml:9`), which differs by format.
    static func withoutLocations(_ text: String) -> String {
        text.replacingOccurrences(of: #"\S+\.(yaml|regula):\d+"#, with: "<loc>", options: .regularExpression)
    }

    static func == (a: Fingerprint, b: Fingerprint) -> Bool {
        a.parts.map(\.0) == b.parts.map(\.0) && a.parts.map(\.1) == b.parts.map(\.1)
    }

    func firstDifference(from other: Fingerprint) -> String {
        for (x, y) in zip(parts, other.parts) where x != y {
            return "\(x.0):\n  expected \(x.1)\n  found    \(y.0): \(y.1)"
        }
        return "expected \(parts.count) parts, found \(other.parts.count)"
    }
}

/// Random, mostly valid DSL specs: a convolutional stage on a small image, then a dense stage.
/// Shape-determining arguments are chosen so the shapes fit; every other argument of the chosen
/// kind (from `kindTable`, regularization attributes included) is set at random, half the time,
/// to a random value of its type and range.
enum RandomSpec {
    /// Arguments the generator sets itself because shapes depend on them.
    static let shapeArguments: Set<String> = [
        "units", "filters", "in", "in_channels", "kernel", "stride", "padding", "dilation", "groups", "size",
        "features", "shape", "start_dim", "scale", "axis",
    ]

    static func dsl(_ rng: inout SplitMix64) -> String {
        var lines = ["regula 1", "model r", "input [\(1 + rng.below(3)), 8, 8]"]
        if rng.below(3) == 0 { lines.append("defaults {" + regularization(&rng, forDefaults: true).joined(separator: ", ") + "}") }
        lines.append("layers {")
        var spatial = 8
        for _ in 0..<(1 + rng.below(4)) {
            switch rng.below(6) {
            case 0, 1: lines.append("  " + layer("conv2d", primary: "\(1 + rng.below(6))", fixed: ["kernel: 3", "padding: 1"], &rng))
            case 2: lines.append("  " + layer("batchnorm", primary: nil, fixed: [], &rng))
            case 3: lines.append("  " + layer(["dropout", "spatial_dropout"][rng.below(2)], primary: "0.\(rng.below(9))", fixed: [], &rng))
            case 4 where spatial >= 4:
                lines.append("  " + layer(["maxpool", "avgpool"][rng.below(2)], primary: "2", fixed: [], &rng))
                spatial /= 2
            default: lines.append("  " + activation(&rng))
            }
        }
        lines.append(rng.below(2) == 0 ? "  flatten" : "  global_avgpool")
        for _ in 0..<rng.below(4) {
            switch rng.below(4) {
            case 0: lines.append("  " + layer("dense", primary: "\(2 + rng.below(30))", fixed: [], &rng))
            case 1: lines.append("  " + layer("dropout", primary: "0.\(rng.below(9))", fixed: [], &rng))
            case 2: lines.append("  " + layer("layernorm", primary: nil, fixed: [], &rng))
            default: lines.append("  " + activation(&rng))
            }
        }
        lines.append("  dense(10" + (rng.below(2) == 0 ? ", " + regularization(&rng, forDefaults: false).joined(separator: ", ") : "") + ")")
        lines.append("}")
        lines.append("loss {kind: cross_entropy, label_smoothing: 0.\(rng.below(3))}")
        let optimizer = ["sgd", "adam", "adamw"][rng.below(3)]
        lines.append("train {optimizer: {kind: \(optimizer), lr: 0.0\(1 + rng.below(9))}, batch_size: \(1 + rng.below(64)), epochs: \(1 + rng.below(3))}")
        return lines.joined(separator: "\n") + "\n"
    }

    /// `kind(primary, fixed..., random arguments...)`; the primary is sometimes written by name.
    static func layer(_ kind: String, primary: String?, fixed: [String], _ rng: inout SplitMix64) -> String {
        guard let spec = kindTable.first(where: { $0.name == kind }) else { preconditionFailure("no kind \(kind)") }
        var args: [String] = []
        if let primary, let name = spec.primary { args.append(rng.below(2) == 0 ? primary : "\(name): \(primary)") }
        args += fixed
        var normalization = false
        for a in spec.args where !shapeArguments.contains(a.name) && a.name != spec.primary && rng.below(2) == 0 {
            if a.name == "weight_norm" || a.name == "spectral_norm" {
                if normalization { continue }
                normalization = true
            }
            if let v = value(a, &rng) { args.append("\(a.name): \(v)") }
        }
        // Combinations the checker refuses: max-norm on a spectrally normalized weight, a spectral
        // penalty on a reparametrized one, bias decay without a bias.
        if args.contains("spectral_norm: true") { args.removeAll { $0.hasPrefix("max_norm:") } }
        if args.contains("spectral_norm: true") || args.contains("weight_norm: true") { args.removeAll { $0.hasPrefix("spectral_penalty:") } }
        if args.contains("bias: false") { args.removeAll { $0 == "decay_bias: true" } }
        return args.isEmpty ? kind : kind + "(" + args.joined(separator: ", ") + ")"
    }

    static func activation(_ rng: inout SplitMix64) -> String {
        let names = ["relu", "gelu", "tanh", "sigmoid", "identity", "leaky_relu", "elu", "silu"]
        return layer(names[rng.below(names.count)], primary: nil, fixed: [], &rng)
    }

    static func regularization(_ rng: inout SplitMix64, forDefaults: Bool) -> [String] {
        var out: [String] = []
        for a in regularizationArgs where rng.below(2) == 0 {
            if a.name == "spectral_norm" && out.contains(where: { $0.hasPrefix("weight_norm") }) { continue }
            if a.name == "spectral_norm" && out.contains(where: { $0.hasPrefix("max_norm") }) { continue }
            if forDefaults && (a.name == "weight_norm" || a.name == "spectral_norm") { continue }
            // A default spectral penalty would reach layers that reparametrize their weight.
            if forDefaults && a.name == "spectral_penalty" { continue }
            if a.name == "spectral_penalty" && out.contains(where: { $0.hasPrefix("weight_norm") || $0.hasPrefix("spectral_norm") }) { continue }
            if !forDefaults && a.name == "decay_norm" { continue }  // the final dense has no norm parameters
            if let v = value(a, &rng) { out.append("\(a.name): \(v)") }
        }
        return out.isEmpty ? ["l2: 0.001"] : out
    }

    /// A random value of the argument's type within its range, as DSL text.
    static func value(_ a: ArgSpec, _ rng: inout SplitMix64) -> String? {
        switch a.type {
        case .bool: return rng.below(2) == 0 ? "true" : "false"
        case .choice(let c) where !c.isEmpty: return c[rng.below(c.count)]
        case .int: return String(1 + rng.below(5))
        case .number:
            let x = Double(1 + rng.below(9)) / 10  // in (0, 1): inside every numeric range
            switch a.range {
            case .positive?, .nonNegative?, nil: return String(rng.below(2) == 0 ? x : x * 100)
            default: return String(x)
            }
        default: return nil
        }
    }
}
