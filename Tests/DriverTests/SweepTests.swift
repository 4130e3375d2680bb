import Check
import Diagnostics
@testable import Driver
import Foundation
import Syntax
import XCTest

/// `regula sweep`'s planning: override paths, their diagnostics, and the variants of a grid,
/// of `--random` and of `--ablate`.
final class SweepTests: XCTestCase {
    static let mlp = """
        regula: 1
        model: tiny
        input: [8]
        layers:
          - dense: 16
          - relu
          - dropout: 0.5
          - dense: {units: 16, name: hidden}
          - dropout: {p: 0.25}
          - dense: 4
        loss: {kind: cross_entropy, label_smoothing: 0.1}
        train:
          optimizer: {kind: adamw, lr: 0.001}
          batch_size: 4
          epochs: 1
        data: {format: idx, dir: ../data/mnist}
        """

    func parse(_ text: String = mlp, file: String = "specs/tiny.yaml") throws -> Spec {
        let parsed = parseSpec(SourceFile(path: file, text: text))
        XCTAssertEqual(parsed.diagnostics, [])
        return try XCTUnwrap(parsed.spec)
    }

    /// Applies `PATH=VALUE` to `spec`, returning the error's message if any.
    func set(_ override: String, in spec: inout Spec) -> String? {
        let parts = override.split(separator: "=", maxSplits: 1).map(String.init)
        let path = SpecPath(parsing: parts[0], file: overrideFileName, start: SourceLocation(line: 1, column: 7))
        let value = overrideValue(parts[1], range: SourceRange(file: overrideFileName, at: SourceLocation(line: 1, column: 8 + parts[0].count)))
        return setValue(value, at: path, in: &spec, primaryArgument: primaryArgumentName(ofKind:))?.message
    }

    func layer(_ spec: Spec, _ k: Int) -> Layer? {
        if case .layer(let l) = spec.layers[k] { return l }
        return nil
    }

    func testPathsNameValuesAsTheSpecReads() throws {
        var spec = try parse()
        XCTAssertNil(set("layers.2.dropout=0.2", in: &spec))
        XCTAssertEqual(layer(spec, 2)?.primary?.kind, .float(0.2))
        XCTAssertNil(set("layers.2.p=0.3", in: &spec))
        XCTAssertEqual(layer(spec, 2)?.primary?.kind, .float(0.3))
        XCTAssertNil(set("layers.4.dropout=0.1", in: &spec), "the kind names the primary argument written by name")
        XCTAssertEqual(layer(spec, 4)?.argument("p")?.value.kind, .float(0.1))
        XCTAssertNil(set("layers.4.dropout.p=0.05", in: &spec))
        XCTAssertEqual(layer(spec, 4)?.argument("p")?.value.kind, .float(0.05))
        XCTAssertNil(set("layers.hidden.units=32", in: &spec))
        XCTAssertEqual(layer(spec, 3)?.argument("units")?.value.kind, .int(32))
        XCTAssertNil(set("layers.*.dropout=0", in: &spec))
        XCTAssertEqual(layer(spec, 2)?.primary?.kind, .int(0))
        XCTAssertEqual(layer(spec, 4)?.argument("p")?.value.kind, .int(0))
        XCTAssertNil(set("defaults.weight_decay=1e-4", in: &spec), "a missing key is added")
        XCTAssertEqual(spec.defaults.map(\.key.value), ["weight_decay"])
        XCTAssertEqual(spec.defaults.first?.value.kind, .float(1e-4))
        XCTAssertNil(set("train.optimizer.lr=0.01", in: &spec))
        XCTAssertNil(set("train.optimizer.kind=sgd", in: &spec))
        guard case .map(let train)? = spec.train?.kind, case .map(let opt)? = train.first?.value.kind else { return XCTFail("train") }
        XCTAssertEqual(opt.map(\.value.kind), [.string("sgd"), .float(0.01)])
        XCTAssertNil(set("layers.0.weight_decay=0", in: &spec))
        XCTAssertEqual(layer(spec, 0)?.argument("weight_decay")?.value.kind, .int(0))
        XCTAssertTrue(check(spec).diagnostics.filter { $0.severity == .error }.isEmpty)
    }

    func testBlockParametersAndNestedLayerLists() throws {
        let source = try String(contentsOf: CLI.root.appendingPathComponent("specs/resnet_stochastic_depth.yaml"), encoding: .utf8)
        var spec = try parse(source, file: "specs/resnet_stochastic_depth.yaml")
        XCTAssertNil(set("blocks.resblock.params.survival=0.8", in: &spec))
        XCTAssertEqual(spec.blocks[0].parameters.first { $0.name.value == "survival" }?.defaultValue?.kind, .float(0.8))
        XCTAssertNil(set("blocks.resblock.layers.0.residual.body.0.filters=8", in: &spec))
        XCTAssertEqual(set("blocks.resblok.params.survival=1", in: &spec), "no block named 'resblok'; did you mean 'resblock'?")
        XCTAssertEqual(set("blocks.resblock.params.survivl=1", in: &spec), "block 'resblock' has no parameter 'survivl'; did you mean 'survival'?")
    }

    /// A bad override is a diagnostic in the override's own text, from path resolution or from
    /// the checker, whichever finds it; every one is reported in one run.
    func testBadOverridesPointAtTheOverride() throws {
        let source = SourceFile(path: "specs/tiny.yaml", text: Self.mlp)
        let plan = SweepPlanner.plan(source: source, sets: [
            "layers.9.p=2", "layers.2.p=0.2,1.5", "defaults.weight_decy=0", "trian.lr=1", "layers.hiden.units=3",
            "layers.*.zoneout=0", "layers.1.relu=2", "train.optimizer.lr=1e-4..1e-2", "layers.2.p",
        ], random: nil, ablate: false, seed: 0)
        XCTAssertTrue(plan.hasErrors)
        let text = DiagnosticRenderer.text(plan.diagnostics, sources: [source.path: source, overrideFileName: plan.overrides])
        XCTAssertEqual(text, """
            <command line>:1:14: error: 'layers' has 6 items (0 to 5); there is no item 9
            --set layers.9.p=2
                         ^
            <command line>:2:22: error: argument 'p' of 'dropout' must be in [0, 1) but is 1.5
            --set layers.2.p=0.2,1.5
                                 ^~~
            <command line>:3:16: error: unknown argument 'weight_decy' for 'defaults'; did you mean 'weight_decay'?
            --set defaults.weight_decy=0
                           ^~~~~~~~~~~
            <command line>:4:7: error: no section 'trian' in a spec; did you mean 'train'?
            --set trian.lr=1
                  ^~~~~
            <command line>:5:14: error: no layer named 'hiden' in 'layers'; did you mean 'hidden'?
            --set layers.hiden.units=3
                         ^~~~~
            <command line>:6:16: error: no layer of 'layers' is a 'zoneout' or has an argument 'zoneout'
            --set layers.*.zoneout=0
                           ^~~~~~~
            <command line>:7:16: error: 'relu' takes no positional value; name the argument to set
            --set layers.1.relu=2
                           ^~~~
            <command line>:8:26: error: a range of values needs --random N to draw points from it
            --set train.optimizer.lr=1e-4..1e-2
                                     ^~~~~~~~~~
            <command line>:9:7: error: an override is PATH=VALUE[,VALUE...] and needs '='
            --set layers.2.p
                  ^~~~~~~~~~

            """)
    }

    func testGridVariantsVaryTheFirstSettingSlowest() throws {
        let plan = SweepPlanner.plan(source: SourceFile(path: "specs/tiny.yaml", text: Self.mlp),
                                     sets: ["layers.*.dropout=0,0.2,0.5", "defaults.weight_decay=0,1e-4"], random: nil, ablate: false, seed: 0)
        XCTAssertEqual(plan.diagnostics, [])
        XCTAssertEqual(plan.variants.map(\.name), [
            "dropout=0_weight_decay=0", "dropout=0_weight_decay=1e-4", "dropout=0.2_weight_decay=0",
            "dropout=0.2_weight_decay=1e-4", "dropout=0.5_weight_decay=0", "dropout=0.5_weight_decay=1e-4",
        ])
        XCTAssertEqual(plan.variants[3].overrides.map { "\($0.path)=\($0.value)" }, ["layers.*.dropout=0.2", "defaults.weight_decay=1e-4"])
        XCTAssertNil(plan.variants[3].ablated)
        XCTAssertEqual(layer(plan.variants[3].spec, 2)?.primary?.kind, .float(0.2))
        XCTAssertEqual(layer(plan.variants[3].spec, 4)?.argument("p")?.value.kind, .float(0.2))
        // Two settings ending in the same key are named by their whole paths.
        let same = SweepPlanner.plan(source: SourceFile(path: "specs/tiny.yaml", text: Self.mlp),
                                     sets: ["layers.2.dropout=0.1", "layers.4.dropout=0.3"], random: nil, ablate: false, seed: 0)
        XCTAssertEqual(same.variants.map(\.name), ["layers.2.dropout=0.1_layers.4.dropout=0.3"])
    }

    func testRandomPointsAreSeededAndInTheirRanges() throws {
        func points(seed: UInt64) -> [[String]] {
            let plan = SweepPlanner.plan(source: SourceFile(path: "specs/tiny.yaml", text: Self.mlp),
                                         sets: ["train.optimizer.lr=1e-4..1e-1", "layers.2.p=lin:0..0.5", "train.batch_size=2..8", "layers.4.p=0.1,0.3"],
                                         random: 40, ablate: false, seed: seed)
            XCTAssertEqual(plan.diagnostics, [])
            XCTAssertEqual(plan.variants.first?.name, "random-01")
            return plan.variants.map { $0.overrides.map(\.value) }
        }
        let a = points(seed: 7)
        XCTAssertEqual(a, points(seed: 7))
        XCTAssertNotEqual(a, points(seed: 8))
        XCTAssertEqual(a.count, 40)
        let lr = a.compactMap { Double($0[0]) }, p = a.compactMap { Double($0[1]) }, batch = a.compactMap { Int($0[2]) }
        XCTAssertEqual(lr.count, 40)
        XCTAssertTrue(lr.allSatisfy { $0 >= 1e-4 && $0 <= 1e-1 })
        // Log-uniform over three decades: about a third of the points in each.
        XCTAssertGreaterThan(lr.filter { $0 < 1e-3 }.count, 5)
        XCTAssertGreaterThan(lr.filter { $0 > 1e-2 }.count, 5)
        XCTAssertTrue(p.allSatisfy { $0 >= 0 && $0 <= 0.5 })
        XCTAssertGreaterThan(p.filter { $0 > 0.25 }.count, 10, "uniform, not log")
        XCTAssertEqual(Set(batch).subtracting(2...8), [])
        XCTAssertGreaterThan(Set(batch).count, 3)
        XCTAssertEqual(Set(a.map { $0[3] }), ["0.1", "0.3"])
    }

    func testAblateRemovesEachRegularizerThenAll() throws {
        let plan = SweepPlanner.plan(source: SourceFile(path: "specs/tiny.yaml", text: Self.mlp), sets: [], random: nil, ablate: true, seed: 0)
        XCTAssertEqual(plan.diagnostics, [])
        XCTAssertEqual(plan.variants.map(\.name), ["baseline", "no-dropout", "no-weight_decay", "no-label_smoothing", "no-regularization"])
        XCTAssertEqual(plan.variants.map(\.ablated), [[], ["dropout"], ["weight_decay"], ["label_smoothing"], ["dropout", "weight_decay", "label_smoothing"]])
        let none = try XCTUnwrap(plan.variants.last?.spec)
        let printed = printYAML(none, primaryArgument: primaryArgumentName(ofKind:)).text
        XCTAssertEqual(printed, """
            regula: 1
            model: tiny
            input: [8]
            layers:
              - dense: 16
              - relu
              - dense: {units: 16}
                name: hidden
              - dense: 4
            loss: {kind: cross_entropy}
            train:
              optimizer: {kind: adamw, lr: 0.001, weight_decay: 0}
              batch_size: 4
              epochs: 1
            data: {format: idx, dir: "../data/mnist"}

            """)
        let source = try String(contentsOf: CLI.root.appendingPathComponent("specs/resnet_stochastic_depth.yaml"), encoding: .utf8)
        let resnet = SweepPlanner.plan(source: SourceFile(path: "specs/resnet_stochastic_depth.yaml", text: source), sets: ["train.epochs=1,2"],
                                       random: nil, ablate: true, seed: 0)
        XCTAssertEqual(resnet.diagnostics, [])
        XCTAssertEqual(resnet.variants.map(\.name).prefix(4), ["epochs=1_baseline", "epochs=1_no-weight_decay", "epochs=1_no-stochastic_depth", "epochs=1_no-regularization"])
        XCTAssertEqual(resnet.variants.count, 8)
        let plain = try XCTUnwrap(resnet.variants.first { $0.name == "epochs=2_no-stochastic_depth" }?.spec)
        XCTAssertFalse(printYAML(plain).text.contains("stochastic_depth:"))
        XCTAssertTrue(printYAML(resnet.variants[0].spec).text.contains("stochastic_depth:"))
    }

    func testRankingPutsTheBestValidationMetricFirst() {
        func record(_ name: String, _ value: Double?, _ metric: String?, _ status: SweepRecord.Status = .done) -> SweepRecord {
            SweepRecord(name: name, folder: name, overrides: [:], status: status, bestVal: value, metric: metric, seconds: value.map { _ in 1.25 })
        }
        let sweep = SweepFile(spec: "s.yaml", model: "m", variants: [
            record("a", 0.91, "val_acc"), record("b", nil, nil, .failed), record("c", 0.975, "val_acc"), record("d", 0.93, "val_acc"),
        ])
        XCTAssertEqual(renderRanking(sweep), """
            rank  variant  status  metric     best   time
            ─────────────────────────────────────────────
               1  c        done    val_acc  97.50%  1.2 s
               2  d        done    val_acc  93.00%  1.2 s
               3  a        done    val_acc  91.00%  1.2 s
               -  b        failed  -             -      -

            """)
        let losses = SweepFile(spec: "s.yaml", model: "m", variants: [record("x", 0.5, "val_loss"), record("y", 0.25, "val_loss")])
        XCTAssertTrue(renderRanking(losses).split(separator: "\n")[2].contains(" y "))
    }

    func testProgressLinesFromATrainersLog() throws {
        let log = NSTemporaryDirectory() + "regula-sweep-progress-\(getpid()).log"
        try "training m: 512 examples\nepoch 1/4: loss 2.0\nepoch 2/4  step 30/60  loss 1.5  acc 50.00%  900 samples/s\n".write(toFile: log, atomically: true, encoding: .utf8)
        let p = TrainProgress(log: log)
        XCTAssertEqual([p.epoch, p.epochs, p.step, p.steps], [2, 4, 30, 60])
        XCTAssertEqual(p.fraction, 0.375, accuracy: 1e-9)
        var lines: [String] = []
        var view = ProgressView(live: false) { lines.append($0) }
        view.draw(["[1/2] a  epoch 1/4  ETA 3 s"])
        view.draw(["[1/2] a  epoch 1/4  ETA 2 s"])
        view.event("[1/2] a: done")
        view.draw(["[1/2] a  epoch 2/4  ETA 1 s"])
        XCTAssertEqual(lines, ["[1/2] a  epoch 1/4  ETA 3 s\n", "[1/2] a: done\n", "[1/2] a  epoch 2/4  ETA 1 s\n"], "plain lines: one per epoch, no escapes")
    }
}
