import Check
import IR
import Runtime

/// Convolution, pooling and normalization ops (NCHW, PyTorch layouts and semantics).
extension ExecutorOps {
    static func runSpatial(_ op: Op, _ i: [ValueID], _ o: [ValueID], _ ptr: Ptr, _ e: Executor) -> Bool {
        switch op {
        case .conv2d(let a):                        // [x, w] → y
            let s = convShape(a, x: e.shape(i[0]), w: e.shape(i[1]))
            Conv2d.forward(s, x: ptr(i[0]), weight: ptr(i[1]), bias: nil, y: ptr(o[0]),
                           statistics: e.planeStatisticsBuffer(for: o[0], planes: s.batch * s.outChannels), pool: e.pool)
        case .conv2dBackwardData(let a, _):         // [dy, w] → dx
            Conv2d.backwardData(convShape(a, x: e.shape(o[0]), w: e.shape(i[1])), dy: ptr(i[0]), weight: ptr(i[1]),
                                dx: ptr(o[0]), pool: e.pool)
        case .conv2dBackwardFilter(let a, _):       // [dy, x] → dw
            Conv2d.backwardWeight(convShape(a, x: e.shape(i[1]), w: e.shape(o[0])), x: ptr(i[1]), dy: ptr(i[0]),
                                  dweight: ptr(o[0]), dbias: nil, pool: e.pool)
        case .maxPool2d(let a):                     // [x] → y, arg-max kept for the backward
            let s = poolShape(a, e.shape(i[0]))
            MaxPool2d.forward(s, x: ptr(i[0]), y: ptr(o[0]), indices: e.poolIndexBuffer(for: i[0], count: s.outputCount), pool: e.pool)
        case .maxPool2dBackward(let a):             // [dy, x] → dx, with the forward's arg-max
            let s = poolShape(a, e.shape(i[1]))
            if let idx = e.savedPoolIndices(for: i[1]) {
                MaxPool2d.backward(s, dy: ptr(i[0]), indices: idx, dx: ptr(o[0]), pool: e.pool)
            } else {
                let idx = UnsafeMutablePointer<Int32>.allocate(capacity: max(s.outputCount, 1))
                let y = UnsafeMutablePointer<Float>.allocate(capacity: max(s.outputCount, 1))
                defer { idx.deallocate(); y.deallocate() }
                MaxPool2d.forward(s, x: ptr(i[1]), y: y, indices: idx, pool: e.pool)
                MaxPool2d.backward(s, dy: ptr(i[0]), indices: idx, dx: ptr(o[0]), pool: e.pool)
            }
        case .avgPool2d(let a):
            AvgPool2d.forward(poolShape(a, e.shape(i[0])), x: ptr(i[0]), y: ptr(o[0]), pool: e.pool)
        case .avgPool2dBackward(let a, _):
            AvgPool2d.backward(poolShape(a, e.shape(o[0])), dy: ptr(i[0]), dx: ptr(o[0]), pool: e.pool)
        case .globalAvgPool:
            let s = e.shape(i[0])
            GlobalAvgPool.forward(planes: s[0] * s[1], spatial: s[2...].reduce(1, *), x: ptr(i[0]), y: ptr(o[0]))
        case .globalAvgPoolBackward(let spatial):
            let s = e.shape(i[0])
            GlobalAvgPool.backward(planes: s[0] * s[1], spatial: spatial.reduce(1, *), dy: ptr(i[0]), dx: ptr(o[0]))
        case .upsampleNearest(let k):
            let s = e.shape(i[0])
            UpsampleNearest.forward(planes: s[0] * s[1], height: s[2], width: s[3], scaleH: k, scaleW: k, x: ptr(i[0]), y: ptr(o[0]))
        case .upsampleNearestBackward(let k):
            let s = e.shape(o[0])
            UpsampleNearest.backward(planes: s[0] * s[1], height: s[2], width: s[3], scaleH: k, scaleW: k, dy: ptr(i[0]), dx: ptr(o[0]))
        case .permute(let axes):                    // [x] → y
            let s = e.shape(i[0])
            Permute.forward(batch: s[0], shape: Array(s.dropFirst()), axes: axes, x: ptr(i[0]), y: ptr(o[0]))
        case .pad2d(let a):                         // [x] → y
            Pad2d.forward(padShape(a, e.shape(i[0])), x: ptr(i[0]), y: ptr(o[0]))
        case .pad2dBackward(let a, _):              // [dy] → dx
            Pad2d.backward(padShape(a, e.shape(o[0])), dy: ptr(i[0]), dx: ptr(o[0]))
        default:
            return false
        }
        return true
    }

    static func padShape(_ a: PadAmounts, _ x: [Int]) -> Pad2dShape {
        Pad2dShape(batch: x[0], channels: x[1], height: x[2], width: x[3], stride: a.stride,
                   channelPad: a.channels, heightPad: a.height, widthPad: a.width)
    }

    static func convShape(_ a: Conv2DAttrs, x: [Int], w: [Int]) -> Conv2dShape {
        Conv2dShape(batch: x[0], inChannels: x[1], height: x[2], width: x[3], outChannels: w[0],
                    kernelH: w[2], kernelW: w[3], strideH: a.stride[0], strideW: a.stride[1],
                    padH: a.padding[0], padW: a.padding[1], dilationH: a.dilation[0], dilationW: a.dilation[1],
                    groups: a.groups)
    }

    static func poolShape(_ a: Pool2DAttrs, _ x: [Int]) -> Pool2dShape {
        Pool2dShape(batch: x[0], channels: x[1], height: x[2], width: x[3], kernelH: a.size[0], kernelW: a.size[1],
                    strideH: a.stride[0], strideW: a.stride[1], padH: a.padding[0], padW: a.padding[1],
                    ceilMode: a.ceilMode)
    }

    /// (batch, channels, spatial) of an NC… value.
    static func ncs(_ s: [Int]) -> (Int, Int, Int) {
        (s[0], s.count > 1 ? s[1] : 1, s.count > 2 ? s[2...].reduce(1, *) : 1)
    }

    static func runNorm(_ op: Op, _ i: [ValueID], _ o: [ValueID], _ ptr: Ptr, _ e: Executor) -> Bool {
        switch op {
        case .batchNormTrain(let eps):
            runBatchNormTrain(i, o, eps: eps, ptr, e, y: ptr(o[0]), relu: false)
        case .batchNormBackward(let eps):
            runBatchNormBackward(i, o, eps: eps, ptr, e, dxSum: nil)
        case .batchNormUpdateStats(let momentum, let spatial):
            // r ← (1−m)·r + m·batch; the running variance uses the unbiased n/(n−1)·var (PyTorch).
            let rm = ptr(i[0]), rv = ptr(i[1])
            let hasCount = i.count == 5
            let mean = ptr(i[hasCount ? 3 : 2]), v = ptr(i[hasCount ? 4 : 3])
            let c = e.count(i[0]), n = e.batch * spatial
            let m = Float(momentum), unbias = n > 1 ? Float(n) / Float(n - 1) : 1
            for k in 0..<c {
                rm[k] = (1 - m) * rm[k] + m * mean[k]
                rv[k] = (1 - m) * rv[k] + m * v[k] * unbias
            }
            if hasCount { ptr(i[2])[0] += 1 }
        case .batchNormEval(let eps):
            // [x, γ, β, rm, rv] → y
            let (n, c, s) = ncs(e.shape(i[0]))
            BatchNorm.forwardInference(batch: n, channels: c, spatial: s, x: ptr(i[0]), gamma: ptr(i[1]), beta: ptr(i[2]),
                                       runningMean: ptr(i[3]), runningVar: ptr(i[4]), y: ptr(o[0]), eps: Float(eps), pool: e.pool)
        case .batchNormFoldWeight(let eps):
            // [w, γ, rv] → w·γ/√(rv+eps) per output unit
            let w = ptr(i[0]), g = ptr(i[1]), rv = ptr(i[2]), y = ptr(o[0])
            let units = e.shape(i[0])[0], per = e.count(i[0]) / max(units, 1)
            for u in 0..<units {
                let a = g[u] / (rv[u] + Float(eps)).squareRoot()
                for j in 0..<per { y[u * per + j] = w[u * per + j] * a }
            }
        case .batchNormFoldBias(let eps):
            // [γ, β, rm, rv] (+ b) → (b − rm)·γ/√(rv+eps) + β
            let g = ptr(i[0]), b = ptr(i[1]), rm = ptr(i[2]), rv = ptr(i[3]), y = ptr(o[0])
            let bias: UnsafeMutablePointer<Float>? = i.count == 5 ? ptr(i[4]) : nil
            for u in 0..<e.count(i[0]) {
                y[u] = ((bias?[u] ?? 0) - rm[u]) * g[u] / (rv[u] + Float(eps)).squareRoot() + b[u]
            }
        case .layerNorm(let axes, let eps):
            // [x, γ, β] → [y, mean, rstd] over the trailing `axes` axes
            let s = e.shape(i[0]), d = s.suffix(axes).reduce(1, *), rows = e.count(i[0]) / max(d, 1)
            LayerNorm.forward(rows: rows, d: d, x: ptr(i[0]), gamma: ptr(i[1]), beta: ptr(i[2]), y: ptr(o[0]),
                              saveMean: o.count > 1 ? e.storage(o[1]) : nil, saveInvStd: o.count > 2 ? e.storage(o[2]) : nil,
                              eps: Float(eps), pool: e.pool)
        case .groupNorm(let groups, let eps):
            // [x, γ, β] → [y, mean, inverse std] per example and group
            let (n, c, s) = ncs(e.shape(i[0]))
            GroupNorm.forward(batch: n, channels: c, spatial: s, groups: groups, x: ptr(i[0]), gamma: ptr(i[1]), beta: ptr(i[2]),
                              y: ptr(o[0]), saveMean: o.count > 1 ? e.storage(o[1]) : nil,
                              saveInvStd: o.count > 2 ? e.storage(o[2]) : nil, eps: Float(eps), pool: e.pool)
        case .groupNormBackward(let groups, _):
            // [dy, x, γ, mean, inverse std] → [dx, dγ, dβ]
            let (n, c, s) = ncs(e.shape(i[1]))
            GroupNorm.backward(batch: n, channels: c, spatial: s, groups: groups, x: ptr(i[1]), dy: ptr(i[0]), gamma: ptr(i[2]),
                               saveMean: ptr(i[3]), saveInvStd: ptr(i[4]), dx: ptr(o[0]), dgamma: o.count > 1 ? ptr(o[1]) : nil,
                               dbeta: o.count > 2 ? ptr(o[2]) : nil, pool: e.pool)
        case .layerNormBackward(let axes, _):
            // [dy, x, γ, mean, rstd] → [dx, dγ, dβ]
            let s = e.shape(i[1]), d = s.suffix(axes).reduce(1, *), rows = e.count(i[1]) / max(d, 1)
            LayerNorm.backward(rows: rows, d: d, x: ptr(i[1]), dy: ptr(i[0]), gamma: ptr(i[2]), saveMean: ptr(i[3]),
                               saveInvStd: ptr(i[4]), dx: ptr(o[0]), dgamma: o.count > 1 ? ptr(o[1]) : nil,
                               dbeta: o.count > 2 ? ptr(o[2]) : nil, pool: e.pool)
        default:
            return false
        }
        return true
    }

    /// [x, γ, β] → [y, mean, var], y = max(y, 0) with `relu`. The kernel saves 1/√(var+eps); the
    /// IR's third output is the biased variance, recovered as 1/inv² − eps (used by the running
    /// update and turned back into inv in backward).
    static func runBatchNormTrain(_ i: [ValueID], _ o: [ValueID], eps: Double, _ ptr: Ptr, _ e: Executor,
                                  y: UnsafeMutablePointer<Float>, relu: Bool) {
        let (n, c, s) = ncs(e.shape(i[0]))
        let mean = ptr(o[1]), v = ptr(o[2])
        BatchNorm.forwardTraining(batch: n, channels: c, spatial: s, x: ptr(i[0]), gamma: ptr(i[1]), beta: ptr(i[2]),
                                  y: y, saveMean: mean, saveInvStd: v, runningMean: nil, runningVar: nil,
                                  eps: Float(eps), relu: relu, planeStatistics: e.savedPlaneStatistics(for: i[0]), pool: e.pool)
        for k in 0..<c { v[k] = max(1 / (v[k] * v[k]) - Float(eps), 0) }
    }

    /// [dy, x, γ, mean, var] → [dx, dγ, dβ], and Σ dx per channel into `dxSum` if given.
    static func runBatchNormBackward(_ i: [ValueID], _ o: [ValueID], eps: Double, _ ptr: Ptr, _ e: Executor,
                                     dxSum: UnsafeMutablePointer<Float>?) {
        let (n, c, s) = ncs(e.shape(i[1]))
        let inv = UnsafeMutablePointer<Float>.allocate(capacity: c)
        defer { inv.deallocate() }
        let v = ptr(i[4])
        for k in 0..<c { inv[k] = 1 / (v[k] + Float(eps)).squareRoot() }
        BatchNorm.backwardTraining(batch: n, channels: c, spatial: s, x: ptr(i[1]), dy: ptr(i[0]), gamma: ptr(i[2]),
                                   saveMean: ptr(i[3]), saveInvStd: inv, dx: ptr(o[0]),
                                   dgamma: o.count > 1 ? ptr(o[1]) : nil, dbeta: o.count > 2 ? ptr(o[2]) : nil,
                                   dxSum: dxSum, pool: e.pool)
    }

    /// Whether `run` has a kernel for `op`.
    static func isImplemented(_ op: Op) -> Bool {
        switch op {
        case .matmul, .biasAdd, .biasGrad, .activation, .activationBackward, .add, .scale, .reshape,
             .concat, .split,
             .conv2d, .conv2dBackwardData, .conv2dBackwardFilter, .maxPool2d, .maxPool2dBackward,
             .avgPool2d, .avgPool2dBackward, .globalAvgPool, .globalAvgPoolBackward,
             .upsampleNearest, .upsampleNearestBackward, .pad2d, .pad2dBackward, .permute,
             .batchNormTrain, .batchNormBackward, .batchNormUpdateStats, .batchNormEval,
             .batchNormFoldWeight, .batchNormFoldBias, .layerNorm, .layerNormBackward, .groupNorm, .groupNormBackward,
             .dropout, .dropoutBackward, .spatialDropout, .spatialDropoutBackward, .gaussianNoise, .gaussianNoiseBackward, .alphaDropout, .alphaDropoutBackward, .lockedDropout, .lockedDropoutBackward,
             .dropBlock, .dropBlockBackward,
             .stochasticDepth, .stochasticDepthBackward, .shakeShake, .shakeShakeBackward,
             .shakeDrop, .shakeDropBackward,
             .softmaxCrossEntropy, .softmaxCrossEntropyBackward, .accuracy, .mseLoss, .mseLossBackward,
             .bceLoss, .bceLossBackward, .l1Penalty, .l1PenaltyBackward, .l2Penalty, .l2PenaltyBackward,
             .consistencyLoss, .consistencyLossBackward, .spectralPenalty, .spectralPenaltyBackward:
            return true
        default:
            return isReparam(op)
        }
    }
}
