import Foundation
import Check
@testable import IR

/// A float64 evaluator for the ops of small dense graphs, used only to check gradient rules
/// against finite differences. Dropout draws a fixed pseudo-random mask from (key, index), so
/// forward and backward see the same mask exactly when they carry the same key.
struct ReferenceEvaluator {
    let g: Graph
    var values: [ValueID: [Double]] = [:]
    var shapes: [ValueID: [Int]] = [:]

    init(_ g: Graph) { self.g = g }

    static func keep(_ key: RngKey, _ i: Int, _ q: Double) -> Bool {
        var h = UInt64(key.id &* 0x9E37_79B9) &+ UInt64(i) &* 0xBF58_476D_1CE4_E5B9
        h ^= h >> 31
        h = h &* 0x94D0_49BB_1331_11EB
        h ^= h >> 29
        return Double(h % 1000) / 1000 < q
    }

    mutating func run(_ inputs: [ValueID: [Double]], batch: Int) {
        values = inputs
        for i in g.inputs { shapes[i.value] = g[i.value].shape.map { $0.value ?? batch } }
        for n in g.nodes {
            var running = n.outputs.first
            eval(n.op, n.inputs, n.outputs, batch)
            for s in n.epilogue {
                guard let r = running else { break }
                eval(s.op, [r] + s.operands, [s.result], batch)
                running = s.result
            }
        }
    }

    func v(_ x: ValueID) -> [Double] { values[x] ?? [] }

    mutating func set(_ x: ValueID, _ data: [Double], _ batch: Int) {
        values[x] = data
        shapes[x] = g[x].shape.map { $0.value ?? batch }
    }

    /// (rows, cols) of a value viewed 2-D: all leading axes × last.
    func view(_ x: ValueID) -> (Int, Int) {
        let s = shapes[x] ?? []
        let cols = s.last ?? 1
        return (s.dropLast().reduce(1, *), cols)
    }

    mutating func eval(_ op: Op, _ ins: [ValueID], _ outs: [ValueID], _ batch: Int) {
        switch op {
        case .matmul(let ta, let tb):
            let (ar, ac) = view(ins[0]), (br, bc) = view(ins[1])
            let (m, k) = ta ? (ac, ar) : (ar, ac)
            let n = tb ? br : bc
            let a = v(ins[0]), b = v(ins[1])
            var c = [Double](repeating: 0, count: m * n)
            for i in 0..<m { for j in 0..<n { for p in 0..<k {
                c[i * n + j] += (ta ? a[p * ac + i] : a[i * ac + p]) * (tb ? b[j * bc + p] : b[p * bc + j])
            } } }
            set(outs[0], c, batch)
        case .biasAdd:
            let x = v(ins[0]), b = v(ins[1])
            set(outs[0], x.indices.map { x[$0] + b[$0 % b.count] }, batch)
        case .biasGrad:
            let (_, c) = view(ins[0]), x = v(ins[0])
            var out = [Double](repeating: 0, count: c)
            for (i, e) in x.enumerated() { out[i % c] += e }
            set(outs[0], out, batch)
        case .activation(.relu, _, _): set(outs[0], v(ins[0]).map { max($0, 0) }, batch)
        case .activation(.tanh, _, _): set(outs[0], v(ins[0]).map { Foundation.tanh($0) }, batch)
        case .activationBackward(.relu, _, _):
            let dy = v(ins[0]), y = v(ins[1])
            set(outs[0], dy.indices.map { y[$0] > 0 ? dy[$0] : 0 }, batch)
        case .activationBackward(.tanh, _, _):
            let dy = v(ins[0]), y = v(ins[1])
            set(outs[0], dy.indices.map { dy[$0] * (1 - y[$0] * y[$0]) }, batch)
        case .add:
            var acc = v(ins[0])
            for x in ins.dropFirst() { let b = v(x); for i in acc.indices { acc[i] += b[i] } }
            set(outs[0], acc, batch)
        case .scale(let k): set(outs[0], v(ins[0]).map { $0 * k }, batch)
        case .reshape: set(outs[0], v(ins[0]), batch)
        case .dropout(let p, _, let key), .dropoutBackward(let p, _, let key):
            let x = v(ins[0]), q = 1 - p.value
            set(outs[0], x.indices.map { Self.keep(key, $0, q) ? x[$0] / q : 0 }, batch)
        case .softmaxCrossEntropy(let s), .softmaxCrossEntropyBackward(let s):
            let isForward: Bool = { if case .softmaxCrossEntropy = op { return true }; return false }()
            let z = v(ins[0]), labels = v(ins[1]), k = (shapes[ins[0]] ?? [1]).last ?? 1, rows = z.count / k
            var loss = 0.0, probs = [Double](repeating: 0, count: z.count), grad = probs
            for r in 0..<rows {
                let row = Array(z[(r * k)..<(r * k + k)])
                let mx = row.max() ?? 0, sum = row.reduce(0) { $0 + exp($1 - mx) }
                for j in 0..<k {
                    let off = s.variant == .uniform ? s.epsilon / Double(k) : s.epsilon / Double(k - 1)
                    let on = s.variant == .uniform ? 1 - s.epsilon + off : 1 - s.epsilon
                    let target = Int(labels[r]) == j ? on : off
                    let p = isForward ? exp(row[j] - mx) / sum : row[j]
                    probs[r * k + j] = p
                    loss -= target * (row[j] - mx - log(sum))
                    grad[r * k + j] = (p - target) / Double(rows)
                }
            }
            if isForward {
                set(outs[0], [loss / Double(rows)], batch)
                set(outs[1], probs, batch)
            } else {
                set(outs[0], grad, batch)
            }
        case .l1Penalty(let l): set(outs[0], [l.value * v(ins[0]).reduce(0) { $0 + abs($1) }], batch)
        case .l2Penalty(let l): set(outs[0], [l.value * v(ins[0]).reduce(0) { $0 + $1 * $1 }], batch)
        case .l1PenaltyBackward(let l): set(outs[0], v(ins[0]).map { l.value * ($0 > 0 ? 1 : $0 < 0 ? -1 : 0) }, batch)
        case .l2PenaltyBackward(let l): set(outs[0], v(ins[0]).map { 2 * l.value * $0 }, batch)
        case .accuracy:
            set(outs[0], [0], batch)
        default:
            if evalReparam(op, ins, outs, batch) { return }
            preconditionFailure("the reference evaluator does not run \(op.name)")
        }
    }
}
