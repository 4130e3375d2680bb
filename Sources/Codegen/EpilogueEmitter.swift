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

    /// Elements per example from which a fused loop is split over the thread pool by sample.
    static let parallelUnit = 4096

    /// Whether `op` can be a step of a fused loop.
    static func isLoopStep(_ op: Op) -> Bool {
        switch op {
        case .biasAdd, .add, .scale: return true
        case .activation(let a, _, _), .activationBackward(let a, _, _): return a.isElementwise
        default: return false
        }
    }

    mutating func emit(_ node: Node, into w: inout SwiftWriter) {
        let inKernel = kernelEpilogue(node)
        if inKernel.steps > 0 {
            emitWithKernelEpilogue(node, inKernel, into: &w)
        } else {
            ops.emit(node.op, node.inputs, node.outputs, into: &w)
        }
        guard var running = node.outputs.first else { return }
        if inKernel.steps > 0 { running = node.epilogue[inKernel.steps - 1].result }
        var pending: [EpilogueStep] = []
        var loopSource = running
        for step in node.epilogue.dropFirst(inKernel.steps) {
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

    /// Leading epilogue steps the kernel itself can apply to each output tile while it is in
    /// cache: a bias (per column of a matmul, per channel of a conv) and then an elementwise
    /// activation. The runtime's GEMM epilogue does the same arithmetic as the separate passes,
    /// so the values are unchanged. Only values no one else reads may be skipped.
    private func kernelEpilogue(_ node: Node) -> (steps: Int, bias: ValueID?, activation: (Check.Activation, Double)?) {
        let isMatmul: Bool
        switch node.op {
        case .matmul(let transA, _): isMatmul = !transA
        case .conv2d: isMatmul = false
        default: return (0, nil, nil)
        }
        guard let host = node.outputs.first, node.transient.contains(host) else { return (0, nil, nil) }
        var k = 0
        var bias: ValueID?
        var activation: (Check.Activation, Double)?
        if k < node.epilogue.count, case .biasAdd(let axis) = node.epilogue[k].op {
            let fits = isMatmul ? layout.split(host, axis: axis).inner == 1 : axis == 1
            if fits { bias = node.epilogue[k].operands[0]; k += 1 }
        }
        if k < node.epilogue.count, case .activation(let a, let slope, _) = node.epilogue[k].op, a.isElementwise,
           k == 0 || node.transient.contains(node.epilogue[k - 1].result) {
            activation = (a, slope)
            k += 1
        }
        return (k, bias, activation)
    }

    private mutating func emitWithKernelEpilogue(_ node: Node, _ e: (steps: Int, bias: ValueID?, activation: (Check.Activation, Double)?),
                                                 into w: inout SwiftWriter) {
        let L = layout
        let out = node.epilogue[e.steps - 1].result
        let act = e.activation.map { OpEmitter.kernel($0.0, $0.1) }
        let names = node.epilogue.prefix(e.steps).map { $0.op.name }.joined(separator: " -> ")
        w.comment("\(names) in the kernel's epilogue")
        switch node.op {
        case .matmul(_, let transB):
            let a = L.matrix(node.inputs[0]), b = L.matrix(node.inputs[1])
            let n = transB ? b.rows : String(b.cols)
            var parts: [String] = []
            if let bias = e.bias { parts.append("bias: \(L.ptr(bias))") }
            if let act { parts.append("activation: \(act)") }
            w.line("Gemm.sgemm(transA: false, transB: \(transB), m: \(a.rows), n: \(n), k: \(a.cols),")
            w.line("           a: \(L.ptr(node.inputs[0])), lda: \(a.cols), b: \(L.ptr(node.inputs[1])), ldb: \(b.cols), c: \(L.ptr(out)), ldc: \(n),")
            w.line("           epilogue: GemmEpilogue(\(parts.joined(separator: ", "))), pool: pool)")
        case .conv2d(let attrs):
            let shape = ops.convShape(attrs, x: node.inputs[0], w: node.inputs[1])
            w.line("Conv2d.forward(\(shape), x: \(L.ptr(node.inputs[0])), weight: \(L.ptr(node.inputs[1])),")
            w.line("               bias: \(e.bias.map(L.ptr) ?? "nil"), y: \(L.ptr(out)), activation: \(act ?? "Activation.identity"), pool: pool)")
        default:
            preconditionFailure("no kernel epilogue for \(node.op)")
        }
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
            let unit = L.unit(source)
            if L.isBatched(source) && unit >= Self.parallelUnit {
                w.block("pool.parallelFor(n)", opener: " { r in") { w in
                    w.block("for j in 0..<\(unit)") { w in
                        w.line("let i = r * \(unit) + j")
                        body(&w, "i", nil)
                    }
                }
            } else {
                w.block("for i in 0..<\(L.count(source))") { body(&$0, "i", nil) }
            }
            return
        }
        let sp = L.split(source, axis: axis)
        if sp.inner == 1 || sp.channels * sp.inner < Self.parallelUnit {
            w.block("for r in 0..<\(sp.outer)") { w in
                w.block("for c in 0..<\(sp.channels)") { w in
                    if sp.inner == 1 {
                        w.line("let i = r * \(sp.channels) + c")
                        body(&w, "i", "c")
                    } else {
                        w.line("let base = (r * \(sp.channels) + c) * \(sp.inner)")
                        w.block("for s in 0..<\(sp.inner)") { w in
                            w.line("let i = base + s")
                            body(&w, "i", "c")
                        }
                    }
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
