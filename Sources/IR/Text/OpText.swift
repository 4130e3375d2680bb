import Check

/// Spelling of ops in the IR text: a snake_case name and `key=value` attributes.
extension Op {
    public var name: String {
        switch self {
        case .matmul: return "matmul"
        case .biasAdd: return "bias_add"
        case .biasGrad: return "bias_grad"
        case .conv2d: return "conv2d"
        case .conv2dBackwardData: return "conv2d_backward_data"
        case .conv2dBackwardFilter: return "conv2d_backward_filter"
        case .maxPool2d: return "maxpool2d"
        case .maxPool2dBackward: return "maxpool2d_backward"
        case .avgPool2d: return "avgpool2d"
        case .avgPool2dBackward: return "avgpool2d_backward"
        case .globalAvgPool: return "global_avgpool"
        case .globalAvgPoolBackward: return "global_avgpool_backward"
        case .upsampleNearest: return "upsample_nearest"
        case .upsampleNearestBackward: return "upsample_nearest_backward"
        case .permute: return "permute"
        case .pad2d: return "pad2d"
        case .pad2dBackward: return "pad2d_backward"
        case .activation(let f, _, _): return f.rawValue
        case .activationBackward(let f, _, _): return f.rawValue + "_backward"
        case .add: return "add"
        case .scale: return "scale"
        case .reshape: return "reshape"
        case .concat: return "concat"
        case .split: return "split"
        case .dropout: return "dropout"
        case .dropoutBackward: return "dropout_backward"
        case .spatialDropout: return "spatial_dropout"
        case .spatialDropoutBackward: return "spatial_dropout_backward"
        case .gaussianNoise: return "gaussian_noise"
        case .gaussianNoiseBackward: return "gaussian_noise_backward"
        case .lockedDropout: return "locked_dropout"
        case .sequencePool: return "sequence_pool"
        case .sequencePoolBackward: return "sequence_pool_backward"
        case .positionalEncoding: return "positional_encoding"
        case .lockedDropoutBackward: return "locked_dropout_backward"
        case .alphaDropout: return "alpha_dropout"
        case .alphaDropoutBackward: return "alpha_dropout_backward"
        case .dropBlock: return "dropblock"
        case .dropBlockBackward: return "dropblock_backward"
        case .stochasticDepth: return "stochastic_depth"
        case .stochasticDepthBackward: return "stochastic_depth_backward"
        case .shakeShake: return "shake_shake"
        case .shakeShakeBackward: return "shake_shake_backward"
        case .shakeDrop: return "shakedrop"
        case .shakeDropBackward: return "shakedrop_backward"
        case .batchNormTrain: return "batchnorm_train"
        case .batchNormBackward: return "batchnorm_backward"
        case .batchNormUpdateStats: return "batchnorm_update_stats"
        case .batchNormEval: return "batchnorm_eval"
        case .batchNormFoldWeight: return "batchnorm_fold_weight"
        case .batchNormFoldBias: return "batchnorm_fold_bias"
        case .layerNorm: return "layernorm"
        case .layerNormBackward: return "layernorm_backward"
        case .groupNorm: return "groupnorm"
        case .groupNormBackward: return "groupnorm_backward"
        case .weightNorm: return "weight_norm"
        case .weightNormBackward: return "weight_norm_backward"
        case .powerIteration: return "power_iteration"
        case .spectralNorm: return "spectral_norm"
        case .spectralNormBackward: return "spectral_norm_backward"
        case .spectralNormUpdate: return "spectral_norm_update"
        case .embedding: return "embedding"
        case .embeddingBackward: return "embedding_backward"
        case .lstm: return "lstm"
        case .lstmBackward: return "lstm_backward"
        case .gru: return "gru"
        case .gruBackward: return "gru_backward"
        case .attention: return "attention"
        case .attentionBackward: return "attention_backward"
        case .softmaxCrossEntropy: return "softmax_cross_entropy"
        case .softmaxCrossEntropyBackward: return "softmax_cross_entropy_backward"
        case .mseLoss: return "mse_loss"
        case .consistencyLoss: return "consistency_loss"
        case .spectralPenalty: return "spectral_penalty"
        case .spectralPenaltyBackward: return "spectral_penalty_backward"
        case .consistencyLossBackward: return "consistency_loss_backward"
        case .mseLossBackward: return "mse_loss_backward"
        case .bceLoss: return "bce_loss"
        case .bceLossBackward: return "bce_loss_backward"
        case .l1Penalty: return "l1_penalty"
        case .l1PenaltyBackward: return "l1_penalty_backward"
        case .l2Penalty: return "l2_penalty"
        case .l2PenaltyBackward: return "l2_penalty_backward"
        case .accuracy: return "accuracy"
        }
    }

    /// Attributes in a fixed order; booleans appear only when true.
    public var attributes: [String] {
        func list(_ xs: [Int]) -> String { xs.map(String.init).joined(separator: "x") }
        func conv(_ a: Conv2DAttrs) -> [String] {
            var out = ["stride=\(list(a.stride))", "pad=\(list(a.padding))"]
            if a.dilation != [1, 1] { out.append("dilation=\(list(a.dilation))") }
            if a.groups != 1 { out.append("groups=\(a.groups)") }
            return out
        }
        func pool(_ p: Pool2DAttrs) -> [String] {
            ["size=\(list(p.size))", "stride=\(list(p.stride))", "pad=\(list(p.padding))"] + (p.ceilMode ? ["ceil"] : [])
        }
        func pad(_ a: PadAmounts) -> [String] {
            (a.stride == 1 ? [] : ["stride=\(a.stride)"]) + ["channels=\(list(a.channels))", "height=\(list(a.height))", "width=\(list(a.width))"]
        }
        func act(_ f: Activation, _ slope: Double, _ axis: Int) -> [String] {
            switch f {
            case .leakyRelu, .elu: return ["slope=\(slope)"]
            case .softmax, .logSoftmax: return ["axis=\(axis)"]
            default: return []
            }
        }
        func shake(_ a: ShakeAttrs) -> [String] {
            ["forward=\(a.forward.rawValue)", "backward=\(a.backward.rawValue)", "level=\(a.level.rawValue)",
             "alpha_key=\(a.forwardKey)", "beta_key=\(a.backwardKey)"]
        }
        func shakeDrop(_ a: ShakeDropAttrs) -> [String] {
            ["p=\(a.p)", "alpha=\(a.alpha.lowerBound)...\(a.alpha.upperBound)", "beta=\(a.beta.lowerBound)...\(a.beta.upperBound)",
             "level=\(a.level.rawValue)", "gate_key=\(a.gateKey)", "alpha_key=\(a.forwardKey)", "beta_key=\(a.backwardKey)"]
        }
        func rnn(_ a: RecurrentAttrs) -> [String] {
            var out = ["units=\(a.units)"]
            if a.bidirectional { out.append("bidirectional") }
            if a.returnSequences { out.append("sequences") }
            if a.dropout > 0 { out.append("dropout=\(a.dropout)") }
            if a.recurrentDropout > 0 { out.append("recurrent_dropout=\(a.recurrentDropout)") }
            if a.zoneout > 0 { out.append("zoneout=\(a.zoneout)") }
            if let k = a.key, a.train { out.append("key=\(k)") }
            if !a.train { out.append("eval") }
            return out
        }
        func attn(_ a: AttentionAttrs) -> [String] {
            var out = ["heads=\(a.heads)", "dim=\(a.dim)"]
            if a.dropout > 0 { out.append("dropout=\(a.dropout)") }
            if a.causal { out.append("causal") }
            if let k = a.key, a.train { out.append("key=\(k)") }
            if !a.train { out.append("eval") }
            return out
        }
        func smoothing(_ s: Smoothing) -> [String] {
            s.epsilon == 0 ? [] : ["smoothing=\(s.epsilon)"] + (s.variant == .offTarget ? ["off_target"] : [])
        }
        switch self {
        case .matmul(let ta, let tb): return (ta ? ["transA"] : []) + (tb ? ["transB"] : [])
        case .biasAdd(let axis), .biasGrad(let axis): return ["axis=\(axis)"]
        case .conv2d(let a): return conv(a)
        case .conv2dBackwardData(let a, let input): return conv(a) + ["input=\(list(input))"]
        case .conv2dBackwardFilter(let a, let w): return conv(a) + ["weight=\(list(w))"]
        case .maxPool2d(let p), .maxPool2dBackward(let p), .avgPool2d(let p): return pool(p)
        case .avgPool2dBackward(let p, let input): return pool(p) + ["input=\(list(input))"]
        case .weightNorm, .weightNormBackward, .spectralNorm, .spectralNormBackward, .spectralNormUpdate: return []
        case .powerIteration(let n): return ["iterations=\(n)"]
        case .globalAvgPool, .add, .embedding, .mseLoss, .mseLossBackward, .bceLoss, .bceLossBackward, .accuracy, .consistencyLoss,
             .consistencyLossBackward: return []
        case .globalAvgPoolBackward(let s): return ["spatial=\(list(s))"]
        case .upsampleNearest(let k), .upsampleNearestBackward(let k): return ["scale=\(k)"]
        case .permute(let axes): return ["axes=\(list(axes))"]
        case .pad2d(let a): return pad(a)
        case .pad2dBackward(let a, let input): return pad(a) + ["input=\(list(input))"]
        case .activation(let f, let s, let a), .activationBackward(let f, let s, let a): return act(f, s, a)
        case .scale(let c): return ["by=\(c)"]
        case .reshape(let s): return ["to=\(shapeString(s))"]
        case .concat(let axis): return ["axis=\(axis)"]
        case .split(let axis, let sizes): return ["axis=\(axis)", "sizes=\(sizes.map(String.init).joined(separator: ","))"]
        case .dropout(let p, let s, let k), .dropoutBackward(let p, let s, let k):
            return ["p=\(p)"] + (s == .classic ? ["classic"] : []) + ["key=\(k)"]
        case .spatialDropout(let p, let k), .spatialDropoutBackward(let p, let k): return ["p=\(p)", "key=\(k)"]
        case .gaussianNoise(let s, let m, let k): return ["std=\(s)"] + (m ? ["multiplicative"] : []) + ["key=\(k)"]
        case .gaussianNoiseBackward(let s, let k): return ["std=\(s)", "key=\(k)"]
        case .alphaDropout(let p, let k), .alphaDropoutBackward(let p, let k),
             .lockedDropout(let p, let k), .lockedDropoutBackward(let p, let k): return ["p=\(p)", "key=\(k)"]
        case .sequencePool(let m), .sequencePoolBackward(let m): return ["mode=\(m.rawValue)"]
        case .positionalEncoding: return []
        case .dropBlock(let p, let bs, let n, let k), .dropBlockBackward(let p, let bs, let n, let k):
            return ["p=\(p)", "block_size=\(bs)"] + (n.map { ["schedule_steps=\($0)"] } ?? []) + ["key=\(k)"]
        case .stochasticDepth(let q, let m, let k), .stochasticDepthBackward(let q, let m, let k):
            return ["survival=\(q)", "mode=\(m.rawValue)", "key=\(k)"]
        case .shakeShake(let a), .shakeShakeBackward(let a): return shake(a)
        case .shakeDrop(let a), .shakeDropBackward(let a): return shakeDrop(a)
        case .batchNormTrain(let e), .batchNormBackward(let e), .batchNormEval(let e),
             .batchNormFoldWeight(let e), .batchNormFoldBias(let e): return ["eps=\(e)"]
        case .batchNormUpdateStats(let m, let s): return ["momentum=\(m)", "spatial=\(s)"]
        case .layerNorm(let a, let e), .layerNormBackward(let a, let e): return ["axes=\(a)", "eps=\(e)"]
        case .groupNorm(let g, let e), .groupNormBackward(let g, let e): return ["groups=\(g)", "eps=\(e)"]
        case .embeddingBackward(let v): return ["vocab=\(v)"]
        case .lstm(let a), .lstmBackward(let a), .gru(let a), .gruBackward(let a): return rnn(a)
        case .attention(let a), .attentionBackward(let a): return attn(a)
        case .softmaxCrossEntropy(let s), .softmaxCrossEntropyBackward(let s): return smoothing(s)
        case .l1Penalty(let l), .l1PenaltyBackward(let l), .l2Penalty(let l), .l2PenaltyBackward(let l),
             .spectralPenalty(let l), .spectralPenaltyBackward(let l): return ["lambda=\(l)"]
        }
    }
}
