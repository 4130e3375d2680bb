import Check
import IR
import Runtime
import Training

/// The interpreter's op table: one case per IR op, each a call into the runtime's kernels with
/// the layouts the IR documents (NCHW, PyTorch weight layouts, class ids as int32).
///
/// `ptr` resolves a value to its storage (transient values resolve to the fused node's result,
/// so elementwise epilogue steps run in place); sizes come from the executor at the current batch.
enum ExecutorOps {
    typealias Ptr = (ValueID) -> UnsafeMutablePointer<Float>

    /// Rejects ops this interpreter has no kernel for, before anything runs.
    static func checkSupported(_ op: Op) throws {
        switch op {
        case .activation(let a, _, _), .activationBackward(let a, _, _):
            _ = a
        default:
            if !isImplemented(op) && !isSequenceOp(op) { throw TrainError.unsupported("IR op \(op)") }
        }
    }

    static func run(_ op: Op, _ inputs: [ValueID], _ outputs: [ValueID], _ ptr: Ptr, _ e: Executor) {
        if runDense(op, inputs, outputs, ptr, e) { return }
        if runStochastic(op, inputs, outputs, ptr, e) { return }
        if runSpatial(op, inputs, outputs, ptr, e) { return }
        if runNorm(op, inputs, outputs, ptr, e) { return }
        if runReparam(op, inputs, outputs, ptr, e) { return }
        if runLoss(op, inputs, outputs, ptr, e) { return }
        if runSequence(op, inputs, outputs, ptr, e) { return }
        preconditionFailure("interpreter has no kernel for \(op)")
    }

    // MARK: Dense algebra, elementwise, views

    static func runDense(_ op: Op, _ i: [ValueID], _ o: [ValueID], _ ptr: Ptr, _ e: Executor) -> Bool {
        switch op {
        case .matmul(let transA, let transB):
            // A and B viewed 2-D: rows = every axis but the last.
            let (ra, ca) = matrix(i[0], e), (rb, cb) = matrix(i[1], e)
            let m = transA ? ca : ra, k = transA ? ra : ca, n = transB ? rb : cb
            Gemm.sgemm(transA: transA, transB: transB, m: m, n: n, k: k,
                       a: ptr(i[0]), lda: ca, b: ptr(i[1]), ldb: cb, c: ptr(o[0]), ldc: n, pool: e.pool)
        case .biasAdd(let axis):
            let x = ptr(i[0]), y = ptr(o[0]), b = ptr(i[1])
            let total = e.count(i[0])
            if x != y { y.update(from: x, count: total) }
            let (outer, channels, inner) = split(e.shape(i[0]), axis)
            if inner == 1 {
                Bias.addColumns(m: outer, n: channels, y, ld: channels, bias: b)
            } else {
                Bias.addChannels(batch: outer, channels: channels, spatial: inner, y, bias: b)
            }
        case .biasGrad(let axis):
            let (outer, channels, inner) = split(e.shape(i[0]), axis)
            if inner == 1 {
                Bias.gradColumns(m: outer, n: channels, ptr(i[0]), ld: channels, dbias: ptr(o[0]), pool: e.pool)
            } else {
                Bias.gradChannels(batch: outer, channels: channels, spatial: inner, ptr(i[0]), dbias: ptr(o[0]))
            }
        case .activation(let a, let slope, let axis):
            let x = ptr(i[0]), y = ptr(o[0]), n = e.count(i[0])
            switch a {
            case .softmax, .logSoftmax:
                let (outer, len, inner) = split(e.shape(i[0]), softmaxAxis(axis, e.shape(i[0])))
                precondition(inner == 1, "softmax over a non-trailing axis")
                if a == .softmax { Softmax.forward(rows: outer, n: len, x, y) } else { Softmax.logForward(rows: outer, n: len, x, y) }
            default:
                kernel(a, slope).forward(x, y, count: n)
            }
        case .activationBackward(let a, let slope, let axis):
            let dy = ptr(i[0]), saved = ptr(i[1]), dx = ptr(o[0]), n = e.count(i[0])
            switch a {
            case .softmax, .logSoftmax:
                let (outer, len, _) = split(e.shape(i[0]), softmaxAxis(axis, e.shape(i[0])))
                if a == .softmax { Softmax.backward(rows: outer, n: len, y: saved, dy: dy, dx: dx) } else { Softmax.logBackward(rows: outer, n: len, y: saved, dy: dy, dx: dx) }
            default:
                let k = kernel(a, slope)
                if a.backwardReadsOutput {
                    k.backward(x: nil, y: saved, dy: dy, dx: dx, count: n)
                } else if k.backwardNeedsInput {
                    k.backward(x: saved, y: nil, dy: dy, dx: dx, count: n)
                } else {
                    // The IR kept x but the kernel's formula reads y: recompute y = f(x) per element.
                    for j in 0..<n { dx[j] = dy[j] * k.derivative(x: saved[j], y: k.value(saved[j])) }
                }
            }
        case .add:
            let y = ptr(o[0]), n = e.count(o[0])
            let x0 = ptr(i[0])
            if i.count == 1 { if x0 != y { y.update(from: x0, count: n) }; return true }
            Bias.add(x0, ptr(i[1]), y, count: n)
            for v in i.dropFirst(2) { Bias.accumulate(ptr(v), into: y, count: n) }
        case .scale(let c):
            let x = ptr(i[0]), y = ptr(o[0]), s = Float(c)
            for j in 0..<e.count(i[0]) { y[j] = s * x[j] }
        case .reshape:
            let x = ptr(i[0]), y = ptr(o[0])
            if x != y { y.update(from: x, count: e.count(i[0])) }     // a view in planned graphs
        case .concat(let axis):
            let shape = e.shape(o[0])
            let ax = axis  // the IR's axis counts the batch (Lower: spec axis + 1)
            let outer = shape[..<ax].reduce(1, *), inner = shape[(ax + 1)...].reduce(1, *)
            let y = ptr(o[0]), rowOut = shape[ax] * inner
            var offset = 0
            for v in i {
                let len = e.shape(v)[ax] * inner, x = ptr(v)
                for r in 0..<outer { (y + r * rowOut + offset).update(from: x + r * len, count: len) }
                offset += len
            }
        case .split(let axis, let sizes):
            let shape = e.shape(i[0])
            let ax = axis
            let outer = shape[..<ax].reduce(1, *), inner = shape[(ax + 1)...].reduce(1, *)
            let x = ptr(i[0]), rowIn = shape[ax] * inner
            var offset = 0
            for (v, size) in zip(o, sizes) {
                let len = size * inner, y = ptr(v)
                for r in 0..<outer { (y + r * len).update(from: x + r * rowIn + offset, count: len) }
                offset += len
            }
        default:
            return false
        }
        return true
    }

    /// (rows, columns) of a value viewed as a matrix: every axis but the last, and the last.
    static func matrix(_ v: ValueID, _ e: Executor) -> (Int, Int) {
        let s = e.shape(v)
        let cols = s.last ?? 1
        return (cols == 0 ? 0 : e.count(v) / cols, cols)
    }

    /// (product of axes before `axis`, size of `axis`, product after) of a full shape.
    static func split(_ shape: [Int], _ axis: Int) -> (Int, Int, Int) {
        let a = min(max(axis, 0), shape.count - 1)
        return (shape[..<a].reduce(1, *), shape[a], shape[(a + 1)...].reduce(1, *))
    }

    /// Softmax's axis is per-example; the full shape has the batch in front.
    static func softmaxAxis(_ axis: Int, _ shape: [Int]) -> Int {
        axis < 0 ? shape.count + axis : axis + 1
    }

    static func kernel(_ a: Check.Activation, _ slope: Double) -> Runtime.Activation {
        switch a {
        case .relu: return .relu
        case .gelu: return .gelu
        case .tanh: return .tanh
        case .sigmoid: return .sigmoid
        case .identity: return .identity
        case .leakyRelu: return .leakyRelu(slope: Float(slope))
        case .elu: return .elu(alpha: Float(slope))
        case .silu: return .silu
        case .selu: return .selu
        case .softmax, .logSoftmax: preconditionFailure("softmax is not pointwise")
        }
    }
}
