import Check
import IR

/// Shake-Shake, ShakeDrop, spatial dropout and DropBlock: the interpreter's draws
/// (Interpreter/ExecutorStochastic.swift) written out with the sizes folded in. Every draw comes
/// from the op's keyed stream at the current step, so the backward regenerates the forward's.
extension OpEmitter {
    /// A rate as the generated step reads it: its constant (as `regula train` passes it), or the
    /// loop's value at this step from the model's table of scheduled rates.
    static func rate(_ r: Rate) -> String { r.slot.map { "scheduled[\($0)]" } ?? "\(r.value)" }

    mutating func emitStochastic(_ op: Op, _ i: [ValueID], _ o: [ValueID], into w: inout SwiftWriter) -> Bool {
        let L = layout
        func p(_ v: ValueID) -> String { L.ptr(v) }
        switch op {
        case .spatialDropout(let prob, let key), .spatialDropoutBackward(let prob, let key):
            // One draw per plane: (sample, channel) of a batched value, the first axis's rows
            // (times the second's) of an unbatched one (the embedding table viewed [V, 1, D]).
            let d = L.perExample(i[0]), batched = L.isBatched(i[0])
            let planes = batched ? L.times("n", d.first ?? 1) : String(d.prefix(2).reduce(1, *))
            let len = d.dropFirst(batched ? 1 : 2).reduce(1, *)
            w.line("SpatialDropout.apply(\(p(i[0])), \(p(o[0])), planes: \(planes), length: \(len), p: \(Self.rate(prob)),")
            w.line("                     stream: RandomStream(seed: seed, step: step, stream: \(key.id)))")
        case .dropBlock(let prob, let bs, let steps, let key), .dropBlockBackward(let prob, let bs, let steps, let key):
            // bs×bs blocks per (sample, channel) map, rescaled by the batch's count/sum of the mask.
            let d = L.perExample(i[0])
            w.line("DropBlock.apply(\(p(i[0])), \(p(o[0])), planes: \(L.times("n", d[0])), height: \(d[1]), width: \(d[2]), blockSize: \(bs), p: \(Self.rate(prob)),")
            w.line("                scheduleSteps: \(steps.map(String.init) ?? "nil"), stream: RandomStream(seed: seed, step: step, stream: \(key.id)), pool: pool)")
        case .gaussianNoise(let s, let multiplicative, let key):
            w.line("GaussianNoise.apply(\(p(i[0])), \(p(o[0])), count: \(L.times("n", L.unit(i[0]))), std: \(Self.float(s)), multiplicative: \(multiplicative),")
            w.line("                    stream: RandomStream(seed: seed, step: step, stream: \(key.id)), pool: pool)")
        case .gaussianNoiseBackward(let s, let key):
            w.line("GaussianNoise.apply(\(p(i[0])), \(p(o[0])), count: \(L.times("n", L.unit(i[0]))), std: \(Self.float(s)), multiplicative: true,")
            w.line("                    stream: RandomStream(seed: seed, step: step, stream: \(key.id)), pool: pool)")
        case .lockedDropout(let prob, let key), .lockedDropoutBackward(let prob, let key):
            let d = L.perExample(i[0])
            w.line("LockedDropout.apply(\(p(i[0])), \(p(o[0])), batch: n, steps: \(d[0]), features: \(d[1]), p: \(Self.rate(prob)),")
            w.line("                    stream: RandomStream(seed: seed, step: step, stream: \(key.id)))")
        case .alphaDropout(let prob, let key), .alphaDropoutBackward(let prob, let key):
            var backward = false
            if case .alphaDropoutBackward = op { backward = true }
            w.line("AlphaDropout.apply(\(p(i[0])), \(p(o[0])), count: \(L.times("n", L.unit(i[0]))), p: \(Self.rate(prob)), backward: \(backward),")
            w.line("                   stream: RandomStream(seed: seed, step: step, stream: \(key.id)), pool: pool)")
        case .shakeShake(let a):
            // y = Σ αᵢFᵢ with α from the forward key (Gastaldi 2017).
            let len = L.unit(o[0])
            w.line("do {")
            w.line("    let alpha = shakeCoefficients(\(coefficientArgs(a, key: a.forward == .shake ? a.forwardKey : nil)))")
            w.line("    SampleScale.mix([\(i.map { "UnsafePointer(\(p($0)))" }.joined(separator: ", "))], into: \(p(o[0])), batch: n, length: \(len),")
            w.line("                    coefficients: alpha, pool: pool)")
            w.line("}")
        case .shakeShakeBackward(let a):
            // dFᵢ = βᵢ·dy, β from its own key: independent of α unless the mode is keep.
            let key: RngKey?
            switch a.backward {
            case .shake: key = a.backwardKey
            case .keep: key = a.forward == .shake ? a.forwardKey : nil
            case .even: key = nil
            }
            let len = L.unit(i[0])
            w.line("do {")
            w.line("    let beta = shakeCoefficients(\(coefficientArgs(a, key: key)))")
            for (b, v) in o.enumerated() {
                w.line("    SampleScale.scale(\(p(i[0])), \(p(v)), batch: n, length: \(len), coefficients: beta, stride: \(a.branches), offset: \(b), pool: pool)")
            }
            w.line("}")
        case .shakeDrop(let a), .shakeDropBackward(let a):
            // (b + α − bα)·F forward, (b + β − bβ)·dy backward; the gate b ~ Bernoulli(p) per
            // batch comes from the key both passes share (Yamada et al. 2019).
            let isForward: Bool
            if case .shakeDrop = op { isForward = true } else { isForward = false }
            let range = isForward ? a.alpha : a.beta
            let key = isForward ? a.forwardKey : a.backwardKey
            let len = L.unit(i[0])
            w.line("do {")
            w.line("    let gate: Float = RandomStream(seed: seed, step: step, stream: \(a.gateKey.id)).uniform(at: 0) < \(Self.float(a.p)) ? 1 : 0")
            w.line("    let stream = RandomStream(seed: seed, step: step, stream: \(key.id))")
            w.line("    let lo: Float = \(Self.float(range.lowerBound)), span: Float = \(Self.float(range.upperBound - range.lowerBound))")
            w.line("    let coefficients: [Float] = (0..<n).map { s in")
            w.line("        let u = lo + span * stream.uniform(at: \(a.level == .image ? "s" : "0"))")
            w.line("        return gate + u - gate * u")
            w.line("    }")
            w.line("    SampleScale.scale(\(p(i[0])), \(p(o[0])), batch: n, length: \(len), coefficients: coefficients, pool: pool)")
            w.line("}")
        case .attention(let a):
            // [x, in_w, in_b, out_w, out_b] → train: [y, qkv, probs, ctx]; eval: [y].
            w.line("\(attention(a, x: i[0])).forward(")
            w.line("    x: \(p(i[0])), inWeight: \(p(i[1])), inBias: \(p(i[2])), outWeight: \(p(i[3])), outBias: \(p(i[4])), y: \(p(o[0])),")
            w.line("    saved: \(o.count == 4 ? "(\(p(o[1])), \(p(o[2])), \(p(o[3])))" : "nil"))")
        case .attentionBackward(let a):
            // [dy, x, in_w, in_b, out_w, out_b, qkv, probs, ctx] → [dx, din_w, din_b, dout_w, dout_b].
            w.line("\(attention(a, x: i[1])).backward(")
            w.line("    dy: \(p(i[0])), x: \(p(i[1])), inWeight: \(p(i[2])), outWeight: \(p(i[4])), qkv: \(p(i[6])), probs: \(p(i[7])), ctx: \(p(i[8])),")
            w.line("    dx: \(p(o[0])), dInWeight: \(p(o[1])), dInBias: \(p(o[2])), dOutWeight: \(p(o[3])), dOutBias: \(p(o[4])))")
        case .layerNorm(let axes, let eps):
            // [x, γ, β] → [y, mean, rstd] over the trailing `axes` axes.
            let d = L.perExample(i[0]).suffix(axes).reduce(1, *), rows = L.isBatched(i[0]) ? L.times("n", L.unit(i[0]) / max(d, 1)) : String(L.unit(i[0]) / max(d, 1))
            w.line("LayerNorm.forward(rows: \(rows), d: \(d), x: \(p(i[0])), gamma: \(p(i[1])), beta: \(p(i[2])), y: \(p(o[0])),")
            w.line("                  saveMean: \(o.count > 1 ? L.ptrOrNil(o[1]) : "nil"), saveInvStd: \(o.count > 2 ? L.ptrOrNil(o[2]) : "nil"), eps: \(Self.float(eps)), pool: pool)")
        case .groupNorm(let groups, let eps):
            // [x, γ, β] → [y, mean, inverse std] per example and group.
            let (c, s) = channelsSpatial(i[0])
            w.line("GroupNorm.forward(batch: n, channels: \(c), spatial: \(s), groups: \(groups), x: \(p(i[0])), gamma: \(p(i[1])), beta: \(p(i[2])),")
            w.line("                  y: \(p(o[0])), saveMean: \(o.count > 1 ? L.ptrOrNil(o[1]) : "nil"), saveInvStd: \(o.count > 2 ? L.ptrOrNil(o[2]) : "nil"), eps: \(Self.float(eps)), pool: pool)")
        case .groupNormBackward(let groups, _):
            // [dy, x, γ, mean, inverse std] → [dx, dγ, dβ].
            let (c, s) = channelsSpatial(i[1])
            w.line("GroupNorm.backward(batch: n, channels: \(c), spatial: \(s), groups: \(groups), x: \(p(i[1])), dy: \(p(i[0])), gamma: \(p(i[2])),")
            w.line("                   saveMean: \(p(i[3])), saveInvStd: \(p(i[4])), dx: \(p(o[0])), dgamma: \(o.count > 1 ? p(o[1]) : "nil"), dbeta: \(o.count > 2 ? p(o[2]) : "nil"), pool: pool)")
        case .layerNormBackward(let axes, _):
            // [dy, x, γ, mean, rstd] → [dx, dγ, dβ].
            let d = L.perExample(i[1]).suffix(axes).reduce(1, *), rows = L.isBatched(i[1]) ? L.times("n", L.unit(i[1]) / max(d, 1)) : String(L.unit(i[1]) / max(d, 1))
            w.line("LayerNorm.backward(rows: \(rows), d: \(d), x: \(p(i[1])), dy: \(p(i[0])), gamma: \(p(i[2])), saveMean: \(p(i[3])),")
            w.line("                   saveInvStd: \(p(i[4])), dx: \(p(o[0])), dgamma: \(o.count > 1 ? p(o[1]) : "nil"), dbeta: \(o.count > 2 ? p(o[2]) : "nil"), pool: pool)")
        default:
            return emitReparam(op, i, o, into: &w)
        }
        return true
    }

    /// Weight and spectral normalization (Salimans & Kingma 2016; Miyato et al. 2018) on the
    /// runtime's kernels, weights viewed as [rows = out, cols = in·kh·kw], as the interpreter.
    private func emitReparam(_ op: Op, _ i: [ValueID], _ o: [ValueID], into w: inout SwiftWriter) -> Bool {
        let L = layout
        func p(_ v: ValueID) -> String { L.ptr(v) }
        func rc(_ v: ValueID) -> (Int, Int) {
            let rows = L.perExample(v).first ?? 1
            return (rows, L.unit(v) / max(rows, 1))
        }
        switch op {
        case .weightNorm:                       // [v, g] → [w, norms]
            let (r, c) = rc(i[0])
            w.line("WeightNorm.forward(rows: \(r), cols: \(c), v: \(p(i[0])), g: \(p(i[1])), w: \(p(o[0])), norms: \(p(o[1])))")
        case .weightNormBackward:               // [dw, v, g, norms] → [dv, dg]
            let (r, c) = rc(i[1])
            w.line("WeightNorm.backward(rows: \(r), cols: \(c), v: \(p(i[1])), g: \(p(i[2])), norms: \(p(i[3])), dw: \(p(i[0])),")
            w.line("                    dv: \(p(o[0])), dg: \(p(o[1])))")
        case .powerIteration(let n):            // [W, u, v] → [u', v'] on copies; the update effect writes back
            let (r, c) = rc(i[0])
            w.line("\(p(o[0])).update(from: \(p(i[1])), count: \(r))")
            w.line("\(p(o[1])).update(from: \(p(i[2])), count: \(c))")
            w.line("SpectralNorm.powerIteration(rows: \(r), cols: \(c), w: \(p(i[0])), u: \(p(o[0])), v: \(p(o[1])), iterations: \(n))")
        case .spectralNorm:                     // [W, u, v] → [W/σ, σ]
            let (r, c) = rc(i[0])
            w.line("\(p(o[1]))[0] = SpectralNorm.forward(rows: \(r), cols: \(c), w: \(p(i[0])), u: \(p(i[1])), v: \(p(i[2])), out: \(p(o[0])))")
        case .spectralNormBackward:             // [dW_SN, W, u, v, σ] → dW
            let (r, c) = rc(i[1])
            w.line("SpectralNorm.backward(rows: \(r), cols: \(c), w: \(p(i[1])), u: \(p(i[2])), v: \(p(i[3])), sigma: \(p(i[4]))[0],")
            w.line("                      dOut: \(p(i[0])), dw: \(p(o[0])))")
        case .spectralNormUpdate:               // u ← u', v ← v'
            w.line("\(p(i[0])).update(from: \(p(i[2])), count: \(L.unit(i[0])))")
            w.line("\(p(i[1])).update(from: \(p(i[3])), count: \(L.unit(i[1])))")
        default:
            return false
        }
        return true
    }

    private func attention(_ a: AttentionAttrs, x: ValueID) -> String {
        let d = layout.perExample(x)
        let stream = a.train && a.dropout > 0 ? a.key.map { "RandomStream(seed: seed, step: step, stream: \($0.id))" } ?? "nil" : "nil"
        return "MultiHeadSelfAttention(batch: n, steps: \(d[0]), dim: \(d[1]), heads: \(a.heads), causal: \(a.causal), dropout: \(a.dropout), stream: \(stream),\n"
            + "                       pool: pool, scratch: scratch.buffer)"
    }

    private func coefficientArgs(_ a: ShakeAttrs, key: RngKey?) -> String {
        let stream = key.map { "RandomStream(seed: seed, step: step, stream: \($0.id))" } ?? "nil"
        return "\(stream), branches: \(a.branches), perImage: \(a.level == .image), batch: n"
    }
}
