import Check
import TestSupport
import XCTest
@testable import IR

/// SplitMix64: a small seeded generator so the random graphs are the same on every run.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

final class PlanTests: XCTestCase {
    /// A random DAG of elementwise ops, matmuls, views and joins over [N, w] values.
    func randomGraph(_ rng: inout SplitMix, nodes: Int) -> Graph {
        var b = GraphBuilder(name: "random", mode: .inference, training: TrainingConfig(), bindings: ["N": Int.random(in: 1...64, using: &rng)])
        let widths = [8, 16, 24]
        var pool: [ValueID] = [b.addInput(.data, .f32([batchDim, .fixed(8)]))]
        var params: [Int: ValueID] = [:]
        func param(_ out: Int, _ inp: Int, _ b: inout GraphBuilder) -> ValueID {
            if let p = params[out * 100 + inp] { return p }
            let p = b.addInput(.parameter(ParamInfo(name: "w\(out)x\(inp)", shape: [out, inp], role: .weight, trainable: true, initializer: .zeros)),
                               .f32(fixed: [out, inp]))
            params[out * 100 + inp] = p
            return p
        }
        for _ in 0..<nodes {
            let x = pool.randomElement(using: &rng) ?? pool[0]
            let width = b.graph[x].shape[1].value ?? 8
            switch Int.random(in: 0..<7, using: &rng) {
            case 0:
                let out = widths.randomElement(using: &rng) ?? 8
                pool.append(b.emit1(.matmul(transA: false, transB: true), [x, param(out, width, &b)]))
            case 1:
                pool.append(b.emit1(.activation(.relu, slope: 0, axis: 1), [x]))
            case 2:
                pool.append(b.emit1(.scale(0.5), [x]))
            case 3:
                let same = pool.filter { b.graph[$0] == b.graph[x] }
                pool.append(b.emit1(.add, [x, same.randomElement(using: &rng) ?? x]))
            case 4:
                pool.append(b.emit1(.reshape([batchDim, .fixed(width)]), [x]))
            case 5:
                // Three outputs, two of them (the row statistics) never read.
                let gamma = b.addInput(.parameter(ParamInfo(name: "g\(b.graph.values.count)", shape: [width], role: .gamma,
                                                            trainable: true, initializer: .ones)), .f32(fixed: [width]))
                pool.append(b.emit(.layerNorm(axes: 1, eps: 1e-5), [x, gamma, gamma])[0])
            default:
                let y = pool.randomElement(using: &rng) ?? x
                pool.append(b.emit1(.concat(axis: 1), [x, y]))
            }
        }
        for v in pool.suffix(2) { b.addOutput(v, .logits) }
        return b.graph
    }

    func testPlanNeverOverlapsLiveValuesAndBeatsTheNaiveSum() {
        var rng = SplitMix(state: 42)
        for trial in 0..<200 {
            var g = randomGraph(&rng, nodes: Int.random(in: 1...40, using: &rng))
            if trial % 2 == 1 { g = fuse(g) }
            guard let m = plan(g).memory else { return XCTFail("no plan for a fully bound graph") }
            assertSound(g, m, "trial \(trial)")
        }
    }

    func assertSound(_ g: Graph, _ m: MemoryPlan, _ label: String) {
        // Every read happens inside its storage's live range.
        func root(_ v: ValueID) -> ValueID { m.aliases[v].map(root) ?? v }
        for (i, n) in g.nodes.enumerated() {
            for v in n.used where m.live[root(v)] != nil {
                XCTAssertTrue(m.live[root(v)]?.contains(i) ?? false, "\(label): \(v) read at \(i) outside its live range")
            }
            for v in n.defined where !n.transient.contains(v) {
                XCTAssertNotNil(m.slots[v], "\(label): \(v) has no slot")
            }
        }
        // No two simultaneously live values share a byte.
        let owned = m.live.keys.sorted()
        for (i, a) in owned.enumerated() {
            guard let sa = m.slots[a], let la = m.live[a] else { XCTFail("\(label): \(a) not placed"); continue }
            XCTAssertEqual(sa.offset % 64, 0)
            XCTAssertGreaterThanOrEqual(sa.bytes, g[a].bytes(m.bindings) ?? .max)
            for b in owned[(i + 1)...] {
                guard let sb = m.slots[b], let lb = m.live[b], la.overlaps(lb) else { continue }
                XCTAssertTrue(sa.end <= sb.offset || sb.end <= sa.offset, "\(label): \(a) and \(b) overlap in memory while both live")
            }
        }
        XCTAssertLessThanOrEqual(m.arenaBytes, m.naiveBytes, label)
        XCTAssertGreaterThanOrEqual(m.arenaBytes, m.peakLiveBytes, label)
    }

    func testTutorialModelsArePlannedBeforeTraining() {
        for (model, name) in [(Models.mlp(), "mlp"), (Models.cnn(), "cnn")] {
            let g = plan(fuse(autodiff(lower(model))))
            guard let m = g.memory else { return XCTFail("no plan") }
            assertSound(g, m, name)
            XCTAssertLessThan(m.arenaBytes, m.naiveBytes, "\(name): reuse saves memory")
            assertSnapshot(render(g), named: "\(name).plan.txt")
        }
        // MLP state: 784·256 + 256 + 256·256 + 256 + 256·10 + 10 floats.
        XCTAssertEqual(plan(lower(Models.mlp())).memory?.stateBytes, 4 * (784 * 256 + 256 + 256 * 256 + 256 + 2560 + 10))
    }

    func testUnboundSymbolsGiveNoPlan() {
        var g = lower(Models.mlp())
        g.bindings = [:]
        XCTAssertNil(plan(g).memory)
    }

    func testViewsShareTheirSourceSlot() {
        let g = plan(autodiff(lower(Models.cnn())))
        guard let m = g.memory, let view = g.nodes.first(where: { $0.op.name == "reshape" }) else { return XCTFail("no reshape") }
        XCTAssertEqual(m.slots[view.outputs[0]], m.slots[view.inputs[0]])
    }
}
