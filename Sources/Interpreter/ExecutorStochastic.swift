import Check
import IR
import Runtime

/// Stochastic ops (semantics reference §2–§3). Every draw comes from the op's keyed stream at
/// the current step, indexed by element, so a backward op with the same key sees the same mask.
extension ExecutorOps {
    static func runStochastic(_ op: Op, _ i: [ValueID], _ o: [ValueID], _ ptr: Ptr, _ e: Executor) -> Bool {
        switch op {
        case .dropout(let p, let scaling, let key), .dropoutBackward(let p, let scaling, let key):
            // y = x⊙m/q (inverted) or x⊙m (classic), m ~ Bernoulli(q) per element; dx = dy⊙m/q.
            let q = Float(1 - e.rate(p))
            let scale: Float = scaling == .inverted ? (q > 0 ? 1 / q : 0) : 1
            e.random(key).applyBernoulli(ptr(i[0]), ptr(o[0]), count: e.count(i[0]), keep: q, scale: scale,
                                         pool: e.pool)
        case .spatialDropout(let p, let key), .spatialDropoutBackward(let p, let key):
            // One Bernoulli draw per (sample, channel) plane (Tompson et al. 2015).
            let shape = e.shape(i[0])
            let planes = shape[0] * (shape.count > 1 ? shape[1] : 1), len = e.count(i[0]) / max(planes, 1)
            SpatialDropout.apply(ptr(i[0]), ptr(o[0]), planes: planes, length: len, p: e.rate(p), stream: e.random(key))
        case .dropBlock(let p, let bs, let steps, let key), .dropBlockBackward(let p, let bs, let steps, let key):
            // bs×bs blocks per (sample, channel) map, rescaled by the batch's count/sum of the mask
            // (Ghiasi et al. 2018); the backward regenerates the mask from the same key.
            let s = e.shape(i[0])
            DropBlock.apply(ptr(i[0]), ptr(o[0]), planes: s[0] * s[1], height: s[2], width: s[3], blockSize: bs, p: e.rate(p),
                            scheduleSteps: steps, stream: e.random(key), pool: e.pool)
        case .gaussianNoise(let s, let multiplicative, let key):
            GaussianNoise.apply(ptr(i[0]), ptr(o[0]), count: e.count(i[0]), std: Float(s), multiplicative: multiplicative,
                                stream: e.random(key), pool: e.pool)
        case .lockedDropout(let p, let key), .lockedDropoutBackward(let p, let key):
            let s = e.shape(i[0])
            LockedDropout.apply(ptr(i[0]), ptr(o[0]), batch: s[0], steps: s[1], features: s[2], p: e.rate(p), stream: e.random(key))
        case .alphaDropout(let p, let key), .alphaDropoutBackward(let p, let key):
            var backward = false
            if case .alphaDropoutBackward = op { backward = true }
            AlphaDropout.apply(ptr(i[0]), ptr(o[0]), count: e.count(i[0]), p: e.rate(p), backward: backward,
                               stream: e.random(key), pool: e.pool)
        case .gaussianNoiseBackward(let s, let key):
            // dx = dy⊙(1 + σn): the forward's factor, regenerated from the same key.
            GaussianNoise.apply(ptr(i[0]), ptr(o[0]), count: e.count(i[0]), std: Float(s), multiplicative: true,
                                stream: e.random(key), pool: e.pool)
        case .stochasticDepth(let survival, let mode, let key), .stochasticDepthBackward(let survival, let mode, let key):
            // Paper (batch): b ~ Bernoulli(p) once per batch, no rescale; DropPath (sample): per
            // sample, kept rows scaled by 1/p. The backward applies the same gate to dy.
            let stream = e.random(key), p = Float(e.rate(survival)), n = e.batch
            let gates: [Float] = (0..<n).map { s in
                switch mode {
                case .batch: stream.uniform(at: 0) < p ? 1 : 0
                case .sample: stream.uniform(at: s) < p ? 1 / p : 0
                }
            }
            SampleScale.scale(ptr(i[0]), ptr(o[0]), batch: n, length: e.count(i[0]) / max(n, 1), coefficients: gates, pool: e.pool)
        case .shakeShake(let a):
            // y = Σ αᵢFᵢ; α from the forward key (Gastaldi 2017).
            let coeffs = shakeCoefficients(a, key: a.forward == .shake ? a.forwardKey : nil, e)
            SampleScale.mix(i.map { UnsafePointer(ptr($0)) }, into: ptr(o[0]), batch: e.batch, length: e.count(o[0]) / max(e.batch, 1),
                            coefficients: coeffs, pool: e.pool)
        case .shakeShakeBackward(let a):
            // dFᵢ = βᵢ·dy with β drawn from its own key: independent of α unless mode is keep.
            let key: RngKey?
            switch a.backward {
            case .shake: key = a.backwardKey
            case .keep: key = a.forward == .shake ? a.forwardKey : nil
            case .even: key = nil
            }
            let coeffs = shakeCoefficients(a, key: key, e)
            let n = e.batch, len = e.count(i[0]) / max(n, 1)
            for (b, v) in o.enumerated() {
                SampleScale.scale(ptr(i[0]), ptr(v), batch: n, length: len, coefficients: coeffs, stride: a.branches, offset: b, pool: e.pool)
            }
        case .shakeDrop(let a), .shakeDropBackward(let a):
            // (b + α − bα)·F forward, (b + β − bβ)·dy backward; b ~ Bernoulli(p) per batch from
            // the gate key shared by both passes (Yamada et al. 2019).
            let isForward: Bool
            if case .shakeDrop = op { isForward = true } else { isForward = false }
            let gate: Float = e.random(a.gateKey).uniform(at: 0) < Float(a.p) ? 1 : 0
            let range = isForward ? a.alpha : a.beta
            let stream = e.random(isForward ? a.forwardKey : a.backwardKey)
            let lo = Float(range.lowerBound), span = Float(range.upperBound - range.lowerBound)
            let n = e.batch
            let coeffs: [Float] = (0..<n).map { s in
                let u = lo + span * stream.uniform(at: a.level == .image ? s : 0)
                return gate + u - gate * u
            }
            SampleScale.scale(ptr(i[0]), ptr(o[0]), batch: n, length: e.count(i[0]) / max(n, 1), coefficients: coeffs, pool: e.pool)
        default:
            return false
        }
        return true
    }

    /// Per-sample branch coefficients for a shake-shake op (Runtime's `shakeCoefficients`).
    static func shakeCoefficients(_ a: ShakeAttrs, key: RngKey?, _ e: Executor) -> [Float] {
        Runtime.shakeCoefficients(key.map { e.random($0) }, branches: a.branches, perImage: a.level == .image, batch: e.batch)
    }
}
