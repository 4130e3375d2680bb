import Foundation

/// A data regularizer that mixes the examples of a training batch with each other and their
/// target rows with the same weights (semantics reference §5.2–5.3). Unlike an `Augmentation`,
/// which changes one example at a time, a mix pairs example i with example `perm[i]` of the
/// same batch, so it runs after the batch is gathered, augmented and its labels turned into
/// float target rows (one-hot, or as the loss takes them).
///
/// Random numbers are keyed by (seed, epoch, batch index): whether the batch is mixed, λ and the
/// pairing, and for CutMix the box. A mix is a pure function of the batch and that key, so the
/// thread count and `--resume` at an epoch boundary do not change it.
public struct BatchMix: Hashable, Sendable {
    public enum Kind: Hashable, Sendable {
        /// Mixup (Zhang et al. 2018): `x̃ = λx_i + (1−λ)x_j`, `ỹ = λy_i + (1−λ)y_j`,
        /// one λ ~ Beta(α, α) per batch, pairing by a random permutation (the official code).
        case mixup(alpha: Float)
        /// CutMix (Yun et al. 2019): λ ~ Beta(α, α), a box of `⌊W√(1−λ)⌋ × ⌊H√(1−λ)⌋` centred
        /// uniformly and clipped at the borders takes the partner's pixels; the targets mix with
        /// `λ = 1 − box area / (W·H)` recomputed from the clipped box (the official code).
        case cutmix(alpha: Float)
    }

    public var kind: Kind
    /// Probability that a batch is mixed (the official CutMix scripts' `cutmix_prob`).
    public var prob: Float
    /// Applied in the first `epochs` epochs only; nil = every epoch.
    public var epochs: Int?

    /// α as a schedule over the run (the kind's α is its final value), evaluated at the batch's
    /// step, epoch·stepsPerEpoch + batch.
    public var alphaSchedule: ValueSchedule?

    public init(_ kind: Kind, prob: Float = 1, epochs: Int? = nil, alphaSchedule: ValueSchedule? = nil) {
        self.kind = kind
        self.prob = prob
        self.epochs = epochs
        self.alphaSchedule = alphaSchedule
    }

    /// α at batch `batch` of `epoch`: the schedule's value there, or the kind's α.
    public func alpha(epoch: Int, batch: Int, stepsPerEpoch: Int) -> Float {
        if let s = alphaSchedule { return Float(s.value(step: epoch * stepsPerEpoch + batch, stepsPerEpoch: stepsPerEpoch)) }
        switch kind {
        case .mixup(let a), .cutmix(let a): return a
        }
    }

    /// Reserved streams of the batch mixes: the draws (decision, λ, box) and the pairing.
    public static let stream: UInt32 = 0xFFFF_0006
    public static let pairingStream: UInt32 = 0xFFFF_0007
    /// At most this many mixes in one `data.augment` list (they share the key space of a batch).
    public static let maxSlots = 4

    /// What one application did: the partner of each example and the weight of its own target.
    public struct Draw: Equatable {
        public var applied: Bool
        public var lambda: Float
        public var partner: [Int]
        /// CutMix's box in pixels: rows y0..<y1, columns x0..<x1 (empty for mixup).
        public var box: Box
    }

    public struct Box: Equatable {
        public var y0 = 0, y1 = 0, x0 = 0, x1 = 0
        public var area: Int { (y1 - y0) * (x1 - x0) }
    }

    /// The draws of mix number `slot` for batch `batch` of `epoch` with `n` examples of
    /// `height`×`width`: streams keyed by (seed, epoch·2³² + batch·slots + slot).
    /// `stepsPerEpoch` places the batch on α's schedule (unused without one).
    public func draw(seed: UInt64, epoch: Int, batch: Int, slot: Int, n: Int, height: Int, width: Int, stepsPerEpoch: Int = 1) -> Draw {
        precondition(slot < Self.maxSlots, "at most \(Self.maxSlots) batch mixes")
        let step = UInt64(epoch) << 32 | UInt64(batch * Self.maxSlots + slot)
        let random = RandomStream(seed: seed, step: step, stream: Self.stream)
        var counter = 0
        func next() -> Float { defer { counter += 1 }; return random.uniform(at: counter) }
        let applied = next() < prob
        let perm = RandomStream(seed: seed, step: step, stream: Self.pairingStream).permutation(count: n).map(Int.init)
        var lambda: Float
        switch kind {
        case .mixup, .cutmix: lambda = Self.beta(alpha(epoch: epoch, batch: batch, stepsPerEpoch: stepsPerEpoch), next)
        }
        var box = Box()
        if case .cutmix = kind {
            let ratio = (1 - lambda).squareRoot()
            let cutH = Int(Float(height) * ratio), cutW = Int(Float(width) * ratio)
            let cy = min(Int(next() * Float(height)), height - 1), cx = min(Int(next() * Float(width)), width - 1)
            box = Box(y0: max(cy - cutH / 2, 0), y1: min(cy + cutH / 2, height), x0: max(cx - cutW / 2, 0), x1: min(cx + cutW / 2, width))
            lambda = 1 - Float(box.area) / Float(height * width)
        }
        return Draw(applied: applied, lambda: lambda, partner: perm, box: box)
    }

    /// Mixes `n` examples of `inputs` ([n, channels, height, width], or [n, features] for mixup
    /// with `height = 1`) and their target rows `targets` ([n, classes]) in place.
    public func apply(_ d: Draw, inputs: UnsafeMutablePointer<Float>, targets: UnsafeMutablePointer<Float>,
                      n: Int, channels: Int, height: Int, width: Int, classes k: Int) {
        guard d.applied, n > 1 else { return }
        let e = channels * height * width
        let x = Array(UnsafeBufferPointer(start: inputs, count: n * e))
        let t = Array(UnsafeBufferPointer(start: targets, count: n * k))
        let l = d.lambda
        for i in 0..<n {
            let j = d.partner[i]
            switch kind {
            case .mixup:
                for v in 0..<e { inputs[i * e + v] = l * x[i * e + v] + (1 - l) * x[j * e + v] }
            case .cutmix:
                for c in 0..<channels {
                    for y in d.box.y0..<d.box.y1 {
                        let row = (c * height + y) * width
                        for xx in d.box.x0..<d.box.x1 { inputs[i * e + row + xx] = x[j * e + row + xx] }
                    }
                }
            }
            for c in 0..<k { targets[i * k + c] = l * t[i * k + c] + (1 - l) * t[j * k + c] }
        }
    }

    /// A Beta(α, α) variate as X/(X+Y) of two Gamma(α) variates (Marsaglia & Tsang 2000, with
    /// Gamma(α) = Gamma(α+1)·U^(1/α) for α < 1), from the uniforms `next` yields.
    static func beta(_ alpha: Float, _ next: () -> Float) -> Float {
        let x = gamma(Double(alpha), next), y = gamma(Double(alpha), next)
        return x + y > 0 ? Float(x / (x + y)) : 0.5
    }

    static func gamma(_ alpha: Double, _ next: () -> Float) -> Double {
        if alpha < 1 {
            let u = max(Double(next()), 0x1p-30)
            return gamma(alpha + 1, next) * pow(u, 1 / alpha)
        }
        let d = alpha - 1.0 / 3, c = 1 / (9 * d).squareRoot()
        // Rejection sampling accepts with probability > 0.95; the cap keeps the draw count bounded.
        for _ in 0..<64 {
            var z: Double, v: Double
            repeat {
                // Box–Muller from two uniforms.
                let u1 = max(Double(next()), 0x1p-30), u2 = Double(next())
                z = (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
                v = 1 + c * z
            } while v <= 0
            v = v * v * v
            let u = max(Double(next()), 0x1p-30)
            if log(u) < 0.5 * z * z + d - d * v + d * log(v) { return d * v }
        }
        return d
    }
}
