import Check
import IR
import enum Runtime.PositionalEncoding

/// How one IR op becomes ONNX: a lowering to opset-17 nodes, or a refusal with its reason.
enum ONNXRule {
    case lower((inout ONNXEmitter, ONNXNodeContext) -> Void)
    /// The reason completes "layer 'P' (kind) cannot be exported to ONNX: …".
    case refuse(String)
}

/// The op table, one row per IR op. Only ops of inference graphs can reach the exporter; the
/// training-only rows refuse so the table stays total (a new op must be given a row).
func onnxRule(_ op: Op) -> ONNXRule {
    switch op {
    // MARK: Dense algebra
    case .matmul(let ta, let tb):
        if ta { return .refuse(training("matmul with a transposed left operand")) }
        return .lower { e, c in                                          // y = x·Wᵀ (W is [out, in])
            if c.inputTypes[0].rank == 2 {
                e.node("Gemm", c.inputs, tb ? [.int("transB", 1)] : [], out: c.output)
            } else {
                let w = tb ? e.node("Transpose", [c.inputs[1]], [.ints("perm", [1, 0])]) : c.inputs[1]
                e.node("MatMul", [c.inputs[0], w], out: c.output)
            }
        }
    case .biasAdd(let axis):
        return .lower { e, c in                                          // y = x + b along `axis`
            let rank = c.inputTypes[0].rank
            let b = e.alongAxis(c.inputs[1], count: c.inputTypes[1].fixedShape?.first ?? 1, axis: axis, rank: rank)
            e.node("Add", [c.inputs[0], b], out: c.output)
        }

    // MARK: Convolution and pooling (NCHW; ONNX pads are [top, left, bottom, right])
    case .conv2d(let a):
        return .lower { e, c in
            let k = Array((c.inputTypes[1].fixedShape ?? [0, 0, 1, 1]).suffix(2))
            e.node("Conv", c.inputs, [.ints("kernel_shape", k), .ints("strides", a.stride), .ints("pads", a.padding + a.padding),
                                      .ints("dilations", a.dilation), .int("group", a.groups)], out: c.output)
        }
    case .maxPool2d(let p):
        return .lower { e, c in
            e.node("MaxPool", c.inputs, pool(p), out: c.output)
        }
    case .avgPool2d(let p):
        return .lower { e, c in                                          // PyTorch's default counts the padding
            e.node("AveragePool", c.inputs, pool(p) + [.int("count_include_pad", 1)], out: c.output)
        }
    case .globalAvgPool:
        return .lower { e, c in                                          // [N, C, H, W] → [N, C, 1, 1] → [N, C]
            let y = e.node("GlobalAveragePool", c.inputs)
            e.node("Flatten", [y], [.int("axis", 1)], out: c.output)
        }
    case .upsampleNearest(let k):
        return .lower { e, c in                                          // y[i, j] = x[⌊i/k⌋, ⌊j/k⌋], PyTorch's nearest
            e.node("Resize", [c.inputs[0], "", e.floats([1, 1, Float(k), Float(k)])],
                   [ONNXAttribute("mode", .string("nearest")), ONNXAttribute("coordinate_transformation_mode", .string("asymmetric")),
                    ONNXAttribute("nearest_mode", .string("floor"))], out: c.output)
        }
    case .permute(let axes):
        return .lower { e, c in e.node("Transpose", c.inputs, [.ints("perm", [0] + axes.map { $0 + 1 })], out: c.output) }
    case .pad2d(let a):
        return .lower { e, c in pad2d(&e, a, c) }

    // MARK: Elementwise, views, joins
    case .activation(let f, let slope, let axis):
        return .lower { e, c in activation(&e, f, slope: slope, axis: axis, c) }
    case .add:
        return .lower { e, c in e.node(c.inputs.count == 2 ? "Add" : "Sum", c.inputs, out: c.output) }
    case .scale(let k):
        return .lower { e, c in e.node("Mul", [c.inputs[0], e.scalar(k)], out: c.output) }  // eval-time expectations
    case .reshape(let dims):
        return .lower { e, c in                                          // the batch symbol becomes -1 (inferred)
            e.node("Reshape", [c.inputs[0], e.ints(dims.map { $0.value ?? -1 })], out: c.output)
        }
    case .concat(let axis):
        return .lower { e, c in e.node("Concat", c.inputs, [.int("axis", axis)], out: c.output) }
    case .split:
        return .refuse(training("split"))

    // MARK: Normalization (inference forms)
    case .batchNormEval(let eps):
        return .lower { e, c in                                          // [x, γ, β, running_mean, running_var]
            e.node("BatchNormalization", c.inputs, [.float("epsilon", eps)], out: c.output)
        }
    case .batchNormFoldWeight(let eps):
        return .lower { e, c in                                          // w·γ/√(rv+ε) per output unit
            let s = bnScale(&e, gamma: c.inputs[1], variance: c.inputs[2], eps: eps)
            let units = c.inputTypes[0].fixedShape?.first ?? 1
            e.node("Mul", [c.inputs[0], e.alongAxis(s, count: units, axis: 0, rank: c.inputTypes[0].rank)], out: c.output)
        }
    case .batchNormFoldBias(let eps):
        return .lower { e, c in                                          // (b − rm)·γ/√(rv+ε) + β
            let s = bnScale(&e, gamma: c.inputs[0], variance: c.inputs[3], eps: eps)
            let centred = c.inputs.count == 5 ? e.node("Sub", [c.inputs[4], c.inputs[2]]) : e.node("Neg", [c.inputs[2]])
            e.node("Add", [e.node("Mul", [centred, s]), c.inputs[1]], out: c.output)
        }
    case .layerNorm(let axes, let eps):
        return .lower { e, c in                                          // over the trailing `axes` axes
            e.node("LayerNormalization", c.inputs, [.int("axis", -axes), .float("epsilon", eps)], out: c.output)
        }
    case .groupNorm(let groups, let eps):
        return .lower { e, c in groupNorm(&e, groups: groups, eps: eps, c) }

    // MARK: Weight reparametrization (evaluation forms)
    case .weightNorm:
        return .lower { e, c in                                          // w = g·v/‖v‖ per output row
            let rank = c.inputTypes[0].rank
            let norm = e.node("ReduceL2", [c.inputs[0]], [.ints("axes", Array(1..<max(rank, 2))), .int("keepdims", 1)])
            e.node("Mul", [e.node("Div", [c.inputs[0], norm]), c.inputs[1]], out: c.output)
        }
    case .spectralNorm:
        return .lower { e, c in                                          // W/σ, σ = uᵀ·W·v with the stored u, v
            let rows = c.inputTypes[0].fixedShape?.first ?? 1
            let w2 = e.node("Reshape", [c.inputs[0], e.ints([rows, -1])])
            let sigma = e.node("MatMul", [c.inputs[1], e.node("MatMul", [w2, c.inputs[2]])])
            e.node("Div", [c.inputs[0], sigma], out: c.output)
        }

    // MARK: Sequence
    case .embedding:
        return .lower { e, c in e.node("Gather", [c.inputs[1], c.inputs[0]], [.int("axis", 0)], out: c.output) }
    case .lstm(let a), .gru(let a):
        if a.zoneout > 0 { return .refuse(zoneout) }
        let lstm: Bool = { if case .lstm = op { return true }; return false }()
        return .lower { e, c in recurrent(&e, a, lstm: lstm, c) }
    case .attention(let a):
        return .lower { e, c in attention(&e, a, c) }
    case .sequencePool(let m):
        return .lower { e, c in                                          // [N, T, F] → [N, F]
            switch m {
            case .mean: e.node("ReduceMean", c.inputs, [.ints("axes", [1]), .int("keepdims", 0)], out: c.output)
            case .max: e.node("ReduceMax", c.inputs, [.ints("axes", [1]), .int("keepdims", 0)], out: c.output)
            case .first:                                                 // Gather [0] along T: [N, 1, F] → [N, F]
                let y = e.node("Gather", [c.inputs[0], e.ints([0])], [.int("axis", 1)])
                e.node("Flatten", [y], [.int("axis", 1)], out: c.output)
            }
        }
    case .positionalEncoding:
        return .lower { e, c in                                          // x + PE, the table a [T, F] constant
            let s = c.inputTypes[0].shape
            let (t, f) = (s[1].value ?? 0, s[2].value ?? 0)
            let table = e.node("Reshape", [e.floats(PositionalEncoding.table(steps: t, features: f)), e.ints([t, f])])
            e.node("Add", [c.inputs[0], table], out: c.output)
        }

    // MARK: Ops that never reach an inference graph
    case .dropout, .spatialDropout, .gaussianNoise, .lockedDropout, .alphaDropout, .dropBlock, .stochasticDepth,
         .shakeShake, .shakeDrop:
        return .refuse("random ops are training-only; the inference pass replaces them by their expectation")
    case .conv2dBackwardData, .conv2dBackwardFilter, .maxPool2dBackward, .avgPool2dBackward, .globalAvgPoolBackward,
         .upsampleNearestBackward, .pad2dBackward, .activationBackward, .biasGrad, .dropoutBackward, .spatialDropoutBackward,
         .gaussianNoiseBackward, .lockedDropoutBackward, .alphaDropoutBackward, .dropBlockBackward,
         .stochasticDepthBackward, .shakeShakeBackward, .shakeDropBackward, .batchNormBackward, .layerNormBackward,
         .groupNormBackward, .weightNormBackward, .spectralNormBackward, .embeddingBackward, .lstmBackward,
         .gruBackward, .attentionBackward, .softmaxCrossEntropyBackward, .mseLossBackward, .bceLossBackward,
         .l1PenaltyBackward, .l2PenaltyBackward, .consistencyLossBackward, .sequencePoolBackward, .spectralPenaltyBackward:
        return .refuse(training("gradients"))
    case .batchNormTrain, .batchNormUpdateStats, .powerIteration, .spectralNormUpdate:
        return .refuse(training("batch statistics and buffer updates"))
    case .softmaxCrossEntropy, .mseLoss, .bceLoss, .l1Penalty, .l2Penalty, .accuracy, .consistencyLoss, .spectralPenalty:
        return .refuse("losses and metrics are not part of the exported model, which ends at the logits")
    }
}

private func training(_ what: String) -> String { "\(what) belong to training, not to the inference graph" }

private func pool(_ p: Pool2DAttrs) -> [ONNXAttribute] {
    [.ints("kernel_shape", p.size), .ints("strides", p.stride), .ints("pads", p.padding + p.padding), .int("ceil_mode", p.ceilMode ? 1 : 0)]
}

/// γ/√(rv + ε), the per-channel factor of a folded batchnorm.
private func bnScale(_ e: inout ONNXEmitter, gamma: String, variance: String, eps: Double) -> String {
    e.node("Div", [gamma, e.node("Sqrt", [e.node("Add", [variance, e.scalar(eps)])])])
}

/// One row per activation; opset 17 has no GELU node, so the exact erf form is spelled out.
private func activation(_ e: inout ONNXEmitter, _ f: Activation, slope: Double, axis: Int, _ c: ONNXNodeContext) {
    let x = c.inputs[0]
    switch f {
    case .relu: e.node("Relu", [x], out: c.output)
    case .tanh: e.node("Tanh", [x], out: c.output)
    case .sigmoid: e.node("Sigmoid", [x], out: c.output)
    case .identity: e.node("Identity", [x], out: c.output)
    case .softmax: e.node("Softmax", [x], [.int("axis", axis)], out: c.output)
    case .logSoftmax: e.node("LogSoftmax", [x], [.int("axis", axis)], out: c.output)
    case .leakyRelu: e.node("LeakyRelu", [x], [.float("alpha", slope)], out: c.output)
    case .elu: e.node("Elu", [x], [.float("alpha", slope)], out: c.output)
    case .selu: e.node("Selu", [x], out: c.output)                      // ONNX's default α, γ are SELU's constants
    case .silu: e.node("Mul", [x, e.node("Sigmoid", [x])], out: c.output)  // x·σ(x)
    case .gelu:                                                          // ½x(1 + erf(x/√2))
        let phi = e.node("Add", [e.node("Erf", [e.node("Div", [x, e.scalar(2.0.squareRoot())])]), e.scalar(1)])
        e.node("Mul", [e.node("Mul", [x, phi]), e.scalar(0.5)], out: c.output)
    }
}

/// Group norm (Wu & He 2018) as instance norm over [N, G, C/G·H·W], then the per-channel affine:
/// opset 17 has no GroupNormalization node (opset 18's has per-group scale).
private func groupNorm(_ e: inout ONNXEmitter, groups: Int, eps: Double, _ c: ONNXNodeContext) {
    let shape = c.inputTypes[0].perExample.compactMap(\.value)
    let channels = shape.first ?? 1
    let grouped = e.node("Reshape", [c.inputs[0], e.ints([0, groups, -1])])
    let ones = e.floats(Array(repeating: 1, count: groups)), zeros = e.floats(Array(repeating: 0, count: groups))
    let normed = e.node("InstanceNormalization", [grouped, ones, zeros], [.float("epsilon", eps)])
    let back = e.node("Reshape", [normed, e.ints([0] + shape)])
    let rank = shape.count + 1
    let gamma = e.alongAxis(c.inputs[1], count: channels, axis: 1, rank: rank)
    let beta = e.alongAxis(c.inputs[2], count: channels, axis: 1, rank: rank)
    e.node("Add", [e.node("Mul", [back, gamma]), beta], out: c.output)
}

/// `pad2d` as ONNX: one Slice for the stride and the negative amounts (x[:, c0:c1, h0:h1:s, w0:w1:s]),
/// then a constant-zero Pad for the positive ones; either is left out when it does nothing.
private func pad2d(_ e: inout ONNXEmitter, _ a: PadAmounts, _ c: ONNXNodeContext) {
    let s = c.inputTypes[0].shape.map { $0.value ?? 0 }                 // [N, C, H, W]
    let crop = { (v: Int) in max(0, -v) }, grow = { (v: Int) in max(0, v) }
    let amounts = [a.channels, a.height, a.width], steps = [1, a.stride, a.stride]
    var starts: [Int] = [], ends: [Int] = []
    for k in 0..<3 {
        let kept = (s[k + 1] + steps[k] - 1) / steps[k]                 // rows after the subsampling
        starts.append(crop(amounts[k][0]) * steps[k])
        ends.append((kept - crop(amounts[k][1]) - 1) * steps[k] + 1)
    }
    let pads = [0] + amounts.map { grow($0[0]) } + [0] + amounts.map { grow($0[1]) }
    let slices = a.stride != 1 || amounts.joined().contains { $0 < 0 }
    let padded = pads.contains { $0 > 0 }
    var x = c.inputs[0]
    if slices {
        x = e.node("Slice", [x, e.ints(starts), e.ints(ends), e.ints([1, 2, 3]), e.ints(steps)], out: padded ? nil : c.output)
    }
    if padded || !slices {
        e.node("Pad", [x, e.ints(pads)], out: c.output)          // mode "constant", value 0 by default
    }
}
