import Check
import IR

/// Emits a node: its host op as a kernel call, then its fused epilogue (`Node.epilogue`).
///
/// Consecutive pointwise steps (bias add, activation and its backward, residual add, scale)
/// become one loop that reads the host's output once, keeps the running value in a register and
/// writes only the values someone else reads (the `transient` ones never touch memory). Mask
/// and gate steps (dropout, stochastic depth) run in place between loops through the runtime's
/// counter-based RNG kernels, which vectorize the Philox draws; a per-element draw inside the
/// loop would cost four times the random bits. Each step computes exactly the interpreter's
/// float expression, so the fused loop's values are bit-identical to the unfused kernels'.
struct NodeEmitter {
    var ops: OpEmitter
    var layout: Layout { ops.layout }

    /// Whether `op` can be a step of a fused loop.
    static func isLoopStep(_ op: Op) -> Bool {
        switch op {
        case .biasAdd, .add, .scale: return true
        case .activation(let a, _, _), .activationBackward(let a, _, _): return a.isElementwise
        default: return false
        }
    }

    mutating func emit(_ node: Node, into w: inout SwiftWriter) {
        ops.emit(node.op, node.inputs, node.outputs, into: &w)
        guard var running = node.outputs.first else { return }
        var pending: [EpilogueStep] = []
        var loopSource = running
        for step in node.epilogue {
            if Self.isLoopStep(step.op) {
                if pending.isEmpty { loopSource = running }
                pending.append(step)
            } else {
                if !pending.isEmpty { emitLoop(pending, from: loopSource, node: node, into: &w); pending = [] }
                ops.emit(step.op, [running] + step.operands, [step.result], into: &w)
            }
            running = step.result
        }
        if !pending.isEmpty { emitLoop(pending, from: loopSource, node: node, into: &w) }
    }

    /// One fused loop over `steps`, starting from `source`.
    private func emitLoop(_ steps: [EpilogueStep], from source: ValueID, node: Node, into w: inout SwiftWriter) {
        let L = layout
        let names = steps.map { $0.op.name }.joined(separator: " -> ")
        w.comment("fused: \(names)")
        // A bias (per column of a dense output or per channel of an NCHW one) fixes the loop
        // nest; without one the loop is flat.
        var axis: Int?
        for s in steps { if case .biasAdd(let a) = s.op { axis = a; break } }
        let body: (inout SwiftWriter, String, String?) -> Void = { w, index, channel in
            w.line("var v = \(L.ptr(source))[\(index)]")
            for s in steps {
                for line in Self.stepLines(s, index: index, channel: channel, layout: L) { w.line(line) }
                if !node.transient.contains(s.result) || s == steps.last {
                    w.line("\(L.ptr(s.result))[\(index)] = v")
                }
            }
        }
        guard let axis else {
            w.block("for i in 0..<\(L.count(source))") { body(&$0, "i", nil) }
            return
        }
        let sp = L.split(source, axis: axis)
        if sp.inner == 1 {
            w.block("for r in 0..<\(sp.outer)") { w in
                w.block("for c in 0..<\(sp.channels)") { w in
                    w.line("let i = r * \(sp.channels) + c")
                    body(&w, "i", "c")
                }
            }
        } else {
            // Samples are independent, so large NCHW loops split over the pool by sample; each
            // element is computed the same way whatever the thread count.
            w.block("pool.parallelFor(\(sp.outer))", opener: " { r in") { w in
                w.block("for c in 0..<\(sp.channels)") { w in
                    w.line("let base = (r * \(sp.channels) + c) * \(sp.inner)")
                    w.block("for s in 0..<\(sp.inner)") { w in
                        w.line("let i = base + s")
                        body(&w, "i", "c")
                    }
                }
            }
        }
    }

    /// The statements of one step on the running value `v` (the interpreter's expression).
    static func stepLines(_ s: EpilogueStep, index i: String, channel c: String?, layout L: Layout) -> [String] {
        switch s.op {
        case .biasAdd:
            return ["v += \(L.ptr(s.operands[0]))[\(c ?? i)]"]                          // x + b[c]
        case .add:
            return ["v = v + \(L.ptr(s.operands[0]))[\(i)]"]                            // x + shortcut
        case .scale(let k):
            return ["v = \(OpEmitter.float(k)) * v"]                                    // c·x
        case .activation(let a, let slope, _):
            if a == .relu { return ["v = max(v, 0)"] }                                  // relu x
            if a == .identity { return [] }
            return ["v = \(OpEmitter.kernel(a, slope)).value(v)"]
        case .activationBackward(let a, let slope, _):
            let saved = "\(L.ptr(s.operands[0]))[\(i)]"
            if a == .relu { return ["v = \(saved) > 0 ? v : 0"] }                       // g·[y > 0]
            if a == .identity { return [] }
            let k = OpEmitter.kernel(a, slope)
            if a.backwardReadsOutput { return ["v = v * \(k).derivative(x: 0, y: \(saved))"] }
            // Reads x: f′ from x and f(x), which is what the interpreter's kernel computes.
            return ["v = v * \(k).derivative(x: \(saved), y: \(k).value(\(saved)))"]
        default:
            preconditionFailure("\(s.op) is not a loop step")
        }
    }
}
