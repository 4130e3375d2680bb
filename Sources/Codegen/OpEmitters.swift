import Check
import IR

/// Why `regula compile` cannot emit a spec.
public enum CodegenError: Error, Hashable, CustomStringConvertible {
    /// An IR op (or a training feature) this back end has no emitter for yet.
    case unsupported(String)

    public var description: String {
        switch self {
        case .unsupported(let what): return "regula compile does not support \(what) yet"
        }
    }
}

/// The op table of the code generator: one case per IR op, each a call into the runtime's
/// kernels with compile-time constant shapes. The calls mirror the interpreter's
/// (`Interpreter/ExecutorOps*.swift`) argument for argument, so generated training reproduces
/// the interpreter's losses; the emitted code differs only in having its sizes folded in.
///
/// `Op.kernelName` and `Op.isEpilogueLoopStep` decide what runs as a kernel call and what joins
/// a fused elementwise loop (`EpilogueEmitter`).
struct OpEmitter {
    let layout: Layout
    /// Max-pooling arg-max buffers, by the pooled value: the backward reuses the forward's.
    var poolBuffers: [(name: String, capacity: Int)] = []
    private var poolBufferOf: [ValueID: String] = [:]
    /// The largest batch, for buffer capacities.
    let maxBatch: Int

    init(layout: Layout, maxBatch: Int) {
        self.layout = layout
        self.maxBatch = maxBatch
    }

    /// Rejects ops without an emitter before anything is written. Every IR op has one now; the
    /// switch has no default so that a new op does not compile here until it gets one.
    static func check(_ op: Op) throws {
        switch op {
        case .matmul, .biasAdd, .biasGrad, .add, .scale, .reshape,
             .conv2d, .conv2dBackwardData, .conv2dBackwardFilter, .maxPool2d, .maxPool2dBackward,
             .avgPool2d, .avgPool2dBackward, .globalAvgPool, .globalAvgPoolBackward,
             .batchNormTrain, .batchNormBackward, .batchNormUpdateStats, .batchNormEval,
             .batchNormFoldWeight, .batchNormFoldBias,
             .dropout, .dropoutBackward, .stochasticDepth, .stochasticDepthBackward,
             .spatialDropout, .spatialDropoutBackward, .gaussianNoise, .gaussianNoiseBackward, .alphaDropout, .alphaDropoutBackward, .lockedDropout, .lockedDropoutBackward, .dropBlock, .dropBlockBackward, .shakeShake, .shakeShakeBackward, .shakeDrop, .shakeDropBackward,
             .attention, .attentionBackward, .sequencePool, .sequencePoolBackward, .positionalEncoding, .lstm, .lstmBackward, .gru, .gruBackward, .layerNorm, .layerNormBackward, .groupNorm, .groupNormBackward,
             .weightNorm, .weightNormBackward, .powerIteration, .spectralNorm, .spectralNormBackward, .spectralNormUpdate,
             .softmaxCrossEntropy, .softmaxCrossEntropyBackward, .accuracy,
             .mseLoss, .mseLossBackward, .bceLoss, .bceLossBackward, .embedding, .embeddingBackward,
             .l1Penalty, .l1PenaltyBackward, .l2Penalty, .l2PenaltyBackward, .consistencyLoss, .consistencyLossBackward,
             .spectralPenalty, .spectralPenaltyBackward,
             .concat, .split, .upsampleNearest, .upsampleNearestBackward, .pad2d, .pad2dBackward, .permute,
             .activation, .activationBackward:   // pointwise ones fuse or call `Activation`, softmaxes `Softmax`
            return
        }
    }

    private func p(_ v: ValueID) -> String { layout.ptr(v) }

    /// Emits `op` reading `i` and writing `o` (a node's host op or one kernel epilogue step).
    mutating func emit(_ op: Op, _ i: [ValueID], _ o: [ValueID], into w: inout SwiftWriter) {
        let L = layout
        switch op {
        case .matmul(let transA, let transB):
            let a = L.matrix(i[0]), b = L.matrix(i[1])
            let m = transA ? String(a.cols) : a.rows
            let k = transA ? a.rows : String(a.cols)
            let n = transB ? b.rows : String(b.cols)
            w.line("Gemm.sgemm(transA: \(transA), transB: \(transB), m: \(m), n: \(n), k: \(k),")
            w.line("           a: \(p(i[0])), lda: \(a.cols), b: \(p(i[1])), ldb: \(b.cols), c: \(p(o[0])), ldc: \(n), pool: pool)")
        case .biasAdd(let axis):
            let s = L.split(i[0], axis: axis)
            if !L.sameStorage(i[0], o[0]) { w.line("\(p(o[0])).update(from: \(p(i[0])), count: \(L.count(i[0])))") }
            if s.inner == 1 {
                w.line("Bias.addColumns(m: \(s.outer), n: \(s.channels), \(p(o[0])), ld: \(s.channels), bias: \(p(i[1])))")
            } else {
                w.line("Bias.addChannels(batch: \(s.outer), channels: \(s.channels), spatial: \(s.inner), \(p(o[0])), bias: \(p(i[1])))")
            }
        case .biasGrad(let axis):
            let s = L.split(i[0], axis: axis)
            if s.inner == 1 {
                w.line("Bias.gradColumns(m: \(s.outer), n: \(s.channels), \(p(i[0])), ld: \(s.channels), dbias: \(p(o[0])), pool: pool)")
            } else {
                w.line("Bias.gradChannels(batch: \(s.outer), channels: \(s.channels), spatial: \(s.inner), \(p(i[0])), dbias: \(p(o[0])))")
            }
        case .activation(let a, _, let axis) where a == .softmax || a == .logSoftmax:
            // Over the trailing per-example axis, rows = every other element (as the interpreter).
            let (rows, len) = softmaxRows(i[0], axis)
            w.line("Softmax.\(a == .softmax ? "forward" : "logForward")(rows: \(rows), n: \(len), \(p(i[0])), \(p(o[0])))")
        case .activationBackward(let a, _, let axis) where a == .softmax || a == .logSoftmax:
            // [dy, y] → dx.
            let (rows, len) = softmaxRows(i[0], axis)
            w.line("Softmax.\(a == .softmax ? "backward" : "logBackward")(rows: \(rows), n: \(len), y: \(p(i[1])), dy: \(p(i[0])), dx: \(p(o[0])))")
        case .activation(let a, let slope, _):
            w.line("\(Self.kernel(a, slope)).forward(\(p(i[0])), \(p(o[0])), count: \(L.count(i[0])), pool: pool)")
        case .activationBackward(let a, let slope, _):
            let k = Self.kernel(a, slope)
            if a.backwardReadsOutput {
                w.line("\(k).backward(x: nil, y: \(p(i[1])), dy: \(p(i[0])), dx: \(p(o[0])), count: \(L.count(i[0])), pool: pool)")
            } else {
                // f′ from x and f(x): the interpreter's value whichever input its kernel reads.
                w.line("for j in 0..<\(L.count(i[0])) { \(p(o[0]))[j] = \(p(i[0]))[j] * \(k).derivative(x: \(p(i[1]))[j], y: \(k).value(\(p(i[1]))[j])) }")
            }
        case .add:
            if i.count == 1 {
                if !L.sameStorage(i[0], o[0]) { w.line("\(p(o[0])).update(from: \(p(i[0])), count: \(L.count(o[0])))") }
            } else {
                w.line("Bias.add(\(p(i[0])), \(p(i[1])), \(p(o[0])), count: \(L.count(o[0])))")
                for v in i.dropFirst(2) { w.line("Bias.accumulate(\(p(v)), into: \(p(o[0])), count: \(L.count(o[0])))") }
            }
        case .scale(let c):
            w.line("for j in 0..<\(L.count(i[0])) { \(p(o[0]))[j] = \(Self.float(c)) * \(p(i[0]))[j] }")
        case .reshape:
            // A view: the plan gives it its source's storage, so nothing moves.
            if !L.sameStorage(i[0], o[0]) { w.line("\(p(o[0])).update(from: \(p(i[0])), count: \(L.count(i[0])))") }
        case .conv2d(let a):
            w.line("Conv2d.forward(\(convShape(a, x: i[0], w: i[1])), x: \(p(i[0])), weight: \(p(i[1])), bias: nil, y: \(p(o[0])), pool: pool)")
        case .conv2dBackwardData(let a, _):
            w.line("Conv2d.backwardData(\(convShape(a, x: o[0], w: i[1])), dy: \(p(i[0])), weight: \(p(i[1])), dx: \(p(o[0])), pool: pool)")
        case .conv2dBackwardFilter(let a, _):
            w.line("Conv2d.backwardWeight(\(convShape(a, x: i[1], w: o[0])), x: \(p(i[1])), dy: \(p(i[0])), dweight: \(p(o[0])), dbias: nil, pool: pool)")
        case .maxPool2d(let a):
            let idx = poolBuffer(for: i[0], capacity: maxBatch * L.unit(o[0]))
            w.line("MaxPool2d.forward(\(poolShape(a, i[0])), x: \(p(i[0])), y: \(p(o[0])), indices: \(idx), pool: pool)")
        case .maxPool2dBackward(let a):
            if let idx = poolBufferOf[i[1]] {
                w.line("MaxPool2d.backward(\(poolShape(a, i[1])), dy: \(p(i[0])), indices: \(idx), dx: \(p(o[0])), pool: pool)")
            } else {
                preconditionFailure("maxpool2d_backward without its forward in the same graph")
            }
        case .avgPool2d(let a):
            w.line("AvgPool2d.forward(\(poolShape(a, i[0])), x: \(p(i[0])), y: \(p(o[0])), pool: pool)")
        case .avgPool2dBackward(let a, _):
            w.line("AvgPool2d.backward(\(poolShape(a, o[0])), dy: \(p(i[0])), dx: \(p(o[0])), pool: pool)")
        case .globalAvgPool:
            let d = L.perExample(i[0])
            w.line("GlobalAvgPool.forward(planes: \(L.times("n", d[0])), spatial: \(d.dropFirst().reduce(1, *)), x: \(p(i[0])), y: \(p(o[0])))")
        case .globalAvgPoolBackward(let spatial):
            let d = L.perExample(i[0])
            w.line("GlobalAvgPool.backward(planes: \(L.times("n", d[0])), spatial: \(spatial.reduce(1, *)), dy: \(p(i[0])), dx: \(p(o[0])))")
        default:
            emitNormAndLoss(op, i, o, into: &w)
        }
    }

    private mutating func emitNormAndLoss(_ op: Op, _ i: [ValueID], _ o: [ValueID], into w: inout SwiftWriter) {
        let L = layout
        switch op {
        case .batchNormTrain(let eps):
            // The kernel saves 1/√(var+eps); the IR's third output is the biased variance.
            let (c, s) = channelsSpatial(i[0])
            w.line("BatchNorm.forwardTraining(batch: n, channels: \(c), spatial: \(s), x: \(p(i[0])), gamma: \(p(i[1])), beta: \(p(i[2])),")
            w.line("                          y: \(p(o[0])), saveMean: \(p(o[1])), saveInvStd: \(p(o[2])), runningMean: nil, runningVar: nil,")
            w.line("                          eps: \(Self.float(eps)), pool: pool)")
            w.line("for k in 0..<\(c) { \(p(o[2]))[k] = max(1 / (\(p(o[2]))[k] * \(p(o[2]))[k]) - \(Self.float(eps)), 0) }")
        case .batchNormBackward(let eps):
            let (c, s) = channelsSpatial(i[1])
            w.line("for k in 0..<\(c) { invStd[k] = 1 / (\(p(i[4]))[k] + \(Self.float(eps))).squareRoot() }")
            w.line("BatchNorm.backwardTraining(batch: n, channels: \(c), spatial: \(s), x: \(p(i[1])), dy: \(p(i[0])), gamma: \(p(i[2])),")
            w.line("                           saveMean: \(p(i[3])), saveInvStd: invStd, dx: \(p(o[0])),")
            w.line("                           dgamma: \(o.count > 1 ? p(o[1]) : "nil"), dbeta: \(o.count > 2 ? p(o[2]) : "nil"), pool: pool)")
        case .batchNormUpdateStats(let momentum, let spatial):
            // r ← (1−m)·r + m·batch, the variance unbiased by n/(n−1) as PyTorch.
            let hasCount = i.count == 5
            let mean = p(i[hasCount ? 3 : 2]), v = p(i[hasCount ? 4 : 3])
            let m = Self.float(momentum)
            w.line("do {")
            w.line("    let count = n * \(spatial), unbias: Float = count > 1 ? Float(count) / Float(count - 1) : 1")
            w.line("    for k in 0..<\(L.unit(i[0])) {")
            w.line("        \(p(i[0]))[k] = (1 - \(m)) * \(p(i[0]))[k] + \(m) * \(mean)[k]")
            w.line("        \(p(i[1]))[k] = (1 - \(m)) * \(p(i[1]))[k] + \(m) * \(v)[k] * unbias")
            w.line("    }")
            if hasCount { w.line("    \(p(i[2]))[0] += 1") }
            w.line("}")
        case .batchNormEval(let eps):
            let (c, s) = channelsSpatial(i[0])
            w.line("BatchNorm.forwardInference(batch: n, channels: \(c), spatial: \(s), x: \(p(i[0])), gamma: \(p(i[1])), beta: \(p(i[2])),")
            w.line("                           runningMean: \(p(i[3])), runningVar: \(p(i[4])), y: \(p(o[0])), eps: \(Self.float(eps)), pool: pool)")
        case .batchNormFoldWeight(let eps):
            let units = L.perExample(i[0]).first ?? 1, per = L.unit(i[0]) / max(units, 1)
            w.line("for u in 0..<\(units) {")
            w.line("    let a = \(p(i[1]))[u] / (\(p(i[2]))[u] + \(Self.float(eps))).squareRoot()")
            w.line("    for j in 0..<\(per) { \(p(o[0]))[u * \(per) + j] = \(p(i[0]))[u * \(per) + j] * a }")
            w.line("}")
        case .batchNormFoldBias(let eps):
            let bias = i.count == 5 ? "\(p(i[4]))[u]" : "0"
            w.line("for u in 0..<\(L.unit(i[0])) {")
            w.line("    \(p(o[0]))[u] = (\(bias) - \(p(i[2]))[u]) * \(p(i[0]))[u] / (\(p(i[3]))[u] + \(Self.float(eps))).squareRoot() + \(p(i[1]))[u]")
            w.line("}")
        case .dropout(let prob, let scaling, let key), .dropoutBackward(let prob, let scaling, let key):
            // Inverted dropout: keep with q = 1−p, scale 1/q; the backward regenerates the mask.
            if let slot = prob.slot {
                // A scheduled p: the loop's value at this step (Rate), q = Float(1 − p) as `regula train`.
                let scale = scaling == .inverted ? "q > 0 ? 1 / q : 0" : "1"
                w.line("do {")
                w.line("    let q = Float(1 - scheduled[\(slot)])")
                w.line("    RandomStream(seed: seed, step: step, stream: \(key.id)).applyBernoulli(\(p(i[0])), \(p(o[0])), count: \(L.count(i[0])),")
                w.line("        keep: q, scale: \(scale), pool: pool)")
                w.line("}")
            } else {
                let q = 1 - prob.value
                let scale = scaling == .inverted ? (q > 0 ? "1 / Float(\(Self.float(q)))" : "0") : "1"
                w.line("RandomStream(seed: seed, step: step, stream: \(key.id)).applyBernoulli(\(p(i[0])), \(p(o[0])), count: \(L.count(i[0])),")
                w.line("    keep: \(Self.float(q)), scale: \(scale), pool: pool)")
            }
        case .stochasticDepth(let survival, let mode, let key), .stochasticDepthBackward(let survival, let mode, let key):
            let len = L.unit(i[0])
            w.line("do {")
            w.line("    let stream = RandomStream(seed: seed, step: step, stream: \(key.id))")
            w.line("    let p: Float = \(survival.slot.map { "Float(scheduled[\($0)])" } ?? Self.float(survival.value))")
            switch mode {
            case .batch: w.line("    let gates = [Float](repeating: stream.uniform(at: 0) < p ? 1 : 0, count: n)")
            case .sample: w.line("    let gates: [Float] = (0..<n).map { s in stream.uniform(at: s) < p ? 1 / p : 0 }")
            }
            w.line("    SampleScale.scale(\(p(i[0])), \(p(o[0])), batch: n, length: \(len), coefficients: gates, pool: pool)")
            w.line("}")
        case .softmaxCrossEntropy(let sm):
            // The kernel fuses the loss with its gradient: `probs` holds (softmax − q)/N.
            let k = L.unit(i[0])
            let probs = o.count > 1 ? p(o[1]) : "nil"
            w.line("\(p(o[0]))[0] = Float(SoftmaxCrossEntropy.forwardBackward(batch: n, classes: \(k), logits: \(p(i[0])),")
            let targets = L.graph[i[1]].dtype == .float32 ? "targets: \(p(i[1]))" : "labels: \(L.i32(i[1]))"
            w.line("    \(targets), smoothing: \(Self.smoothing(sm)), dlogits: \(probs), pool: pool).loss)")
        case .softmaxCrossEntropyBackward:
            if !L.sameStorage(i[0], o[0]) { w.line("\(p(o[0])).update(from: \(p(i[0])), count: \(L.count(o[0])))") }
        case .accuracy:
            let k = L.unit(i[0])
            w.line("\(p(o[0]))[0] = Float(SoftmaxCrossEntropy.correctCount(batch: n, classes: \(k), logits: \(p(i[0])),")
            w.line("    \(L.graph[i[1]].dtype == .float32 ? "targets: \(p(i[1]))" : "labels: \(L.i32(i[1]))"))) / Float(n)")
        case .mseLoss:                                      // [p, t] → mean (p − t)²
            w.line("\(p(o[0]))[0] = MeanSquaredError.loss(count: \(L.count(i[0])), predictions: \(p(i[0])), targets: \(p(i[1])))")
        case .mseLossBackward:                              // [p, t] → 2(p − t)/count
            w.line("MeanSquaredError.backward(count: \(L.count(i[0])), predictions: \(p(i[0])), targets: \(p(i[1])), dpredictions: \(p(o[0])))")
        case .bceLoss:                                      // [p, t] → mean −(t·log p + (1−t)·log(1−p))
            w.line("\(p(o[0]))[0] = BinaryCrossEntropy.loss(count: \(L.count(i[0])), probabilities: \(p(i[0])), targets: \(p(i[1])))")
        case .bceLossBackward:                              // [p, t] → (p − t)/(p(1−p))/count
            w.line("BinaryCrossEntropy.backward(count: \(L.count(i[0])), probabilities: \(p(i[0])), targets: \(p(i[1])), dprobabilities: \(p(o[0])))")
        case .consistencyLoss, .consistencyLossBackward:    // [z, p, w] → w/(rows·K)·Σ(softmax(z) − p)², or dz
            let k = L.perExample(i[0]).last ?? 1, rows = L.times("n", L.unit(i[0]) / max(k, 1))
            let call = "SoftmaxConsistency.forwardBackward(rows: \(rows), classes: \(k), logits: \(p(i[0])), target: \(p(i[1])), "
                + "weight: \(p(i[2]))[0], dlogits: \(op == .consistencyLoss ? "nil" : p(o[0])))"
            w.line(op == .consistencyLoss ? "\(p(o[0]))[0] = Float(\(call))" : "_ = \(call)")
        case .spectralPenalty(let lambda):                 // [W, u, v] → (λ/2)·(uᵀWv)²
            let rows = L.perExample(i[0]).first ?? 1
            w.line("\(p(o[0]))[0] = SpectralPenalty.penalty(lambda: \(Self.rate(lambda)), rows: \(rows), cols: \(L.unit(i[0]) / max(rows, 1)), w: \(p(i[0])),")
            w.line("    u: \(p(i[1])), v: \(p(i[2])))")
        case .spectralPenaltyBackward(let lambda):         // [W, u, v] → λ·σ·u·vᵀ
            let rows = L.perExample(i[0]).first ?? 1
            w.line("SpectralPenalty.gradient(lambda: \(Self.rate(lambda)), rows: \(rows), cols: \(L.unit(i[0]) / max(rows, 1)), w: \(p(i[0])),")
            w.line("    u: \(p(i[1])), v: \(p(i[2])), dw: \(p(o[0])))")
        case .l1Penalty(let lambda):
            w.line("do {")
            w.line("    var s = 0.0")
            w.line("    for j in 0..<\(L.count(i[0])) { s += Double(abs(\(p(i[0]))[j])) }")
            w.line("    \(p(o[0]))[0] = Float(\(Self.rate(lambda)) * s)")
            w.line("}")
        case .l1PenaltyBackward(let lambda):
            let (x, y, count) = (p(i[0]), p(o[0]), L.count(i[0]))
            func loop(_ l: String) -> String { "for j in 0..<\(count) { let x = \(x)[j]; \(y)[j] = x > 0 ? \(l) : (x < 0 ? -\(l) : 0) }" }
            if lambda.slot == nil {
                w.line(loop(Self.float(lambda.value)))
            } else {   // a scheduled λ, read once per step as Float(λ) like `regula train`
                w.line("do {")
                w.line("    let l = Float(\(Self.rate(lambda)))")
                w.line("    " + loop("l"))
                w.line("}")
            }
        case .l2Penalty(let lambda):
            w.line("do {")
            w.line("    var s = 0.0")
            w.line("    for j in 0..<\(L.count(i[0])) { s += Double(\(p(i[0]))[j]) * Double(\(p(i[0]))[j]) }")
            w.line("    \(p(o[0]))[0] = Float(\(Self.rate(lambda)) * s)")
            w.line("}")
        case .l2PenaltyBackward(let lambda):
            if lambda.slot == nil {
                w.line("for j in 0..<\(L.count(i[0])) { \(p(o[0]))[j] = \(Self.float(2 * lambda.value)) * \(p(i[0]))[j] }")
            } else {
                w.line("do {")
                w.line("    let c = Float(2 * \(Self.rate(lambda)))")
                w.line("    for j in 0..<\(L.count(i[0])) { \(p(o[0]))[j] = c * \(p(i[0]))[j] }")
                w.line("}")
            }
        default:
            if emitStochastic(op, i, o, into: &w) { return }
            if emitSequence(op, i, o, into: &w) { return }
            if emitShape(op, i, o, into: &w) { return }
            preconditionFailure("no emitter for \(op); OpEmitter.check should have rejected it")
        }
    }

    /// (rows, length) of a softmax, the axis resolved and clamped as the interpreter does
    /// (`ExecutorOps.softmaxAxis` then `split` on the full shape, batch first); it must be the trailing one.
    private func softmaxRows(_ v: ValueID, _ axis: Int) -> (String, Int) {
        let batched = layout.isBatched(v), dims = (batched ? [1] : []) + layout.perExample(v)
        let a = min(max(axis < 0 ? dims.count + axis : axis + 1, 0), dims.count - 1)
        precondition(a == dims.count - 1, "softmax over a non-trailing axis")
        let rows = dims[..<a].reduce(1, *)
        return (batched ? layout.times("n", rows) : String(rows), dims[a])
    }

    private mutating func poolBuffer(for v: ValueID, capacity: Int) -> String {
        if let name = poolBufferOf[v] { return name }
        let name = layout.prefix + "PoolIndices" + String(v.raw)
        poolBufferOf[v] = name + ".pointer"
        poolBuffers.append((name, max(capacity, 1)))
        return name + ".pointer"
    }

    func channelsSpatial(_ v: ValueID) -> (Int, Int) {
        let d = layout.perExample(v)
        return (d.first ?? 1, d.dropFirst().reduce(1, *))
    }

    func convShape(_ a: Conv2DAttrs, x: ValueID, w: ValueID) -> String {
        let xd = layout.perExample(x), wd = layout.perExample(w)
        return "Conv2dShape(batch: n, inChannels: \(xd[0]), height: \(xd[1]), width: \(xd[2]), outChannels: \(wd[0]), "
            + "kernelH: \(wd[2]), kernelW: \(wd[3]), strideH: \(a.stride[0]), strideW: \(a.stride[1]), "
            + "padH: \(a.padding[0]), padW: \(a.padding[1]), dilationH: \(a.dilation[0]), dilationW: \(a.dilation[1]), groups: \(a.groups))"
    }

    private func poolShape(_ a: Pool2DAttrs, _ x: ValueID) -> String {
        let d = layout.perExample(x)
        return "Pool2dShape(batch: n, channels: \(d[0]), height: \(d[1]), width: \(d[2]), kernelH: \(a.size[0]), kernelW: \(a.size[1]), "
            + "strideH: \(a.stride[0]), strideW: \(a.stride[1]), padH: \(a.padding[0]), padW: \(a.padding[1]), ceilMode: \(a.ceilMode))"
    }

    /// The runtime's activation value (`Activation.relu`, `Activation.leakyRelu(slope: 0.01)`).
    static func kernel(_ a: Check.Activation, _ slope: Double) -> String {
        switch a {
        case .relu: return "Activation.relu"
        case .gelu: return "Activation.gelu"
        case .tanh: return "Activation.tanh"
        case .sigmoid: return "Activation.sigmoid"
        case .identity: return "Activation.identity"
        case .silu: return "Activation.silu"
        case .selu: return "Activation.selu"
        case .leakyRelu: return "Activation.leakyRelu(slope: \(float(slope)))"
        case .elu: return "Activation.elu(alpha: \(float(slope)))"
        case .softmax, .logSoftmax: preconditionFailure("softmax is not pointwise")
        }
    }

    static func smoothing(_ s: Smoothing) -> String {
        if s.epsilon == 0 { return ".none" }
        switch s.variant {
        case .uniform: return ".uniform(\(float(s.epsilon)))"
        case .offTarget: return ".offTarget(\(float(s.epsilon)))"
        }
    }

    /// A Float literal that round-trips exactly (Swift prints the shortest exact digits), typed
    /// so that `Float(x)` of the spec's Double is what the interpreter computes too.
    static func float(_ x: Double) -> String {
        let f = Float(x)
        var s = "\(f)"
        if f.isInfinite { s = f > 0 ? "Float.infinity" : "-Float.infinity" }
        return s
    }
}
