import Foundation

/// A sequential reader over a `RandomStream`, for draws whose count is not known in advance
/// (rejection sampling, Fisher–Yates). Word `n` of the sequence is stream element `n`, so the whole
/// sequence is still a pure function of `(seed, step, stream)`.
public struct RandomGenerator: RandomNumberGenerator {
    public let stream: RandomStream
    private var blockIndex: Int = 0
    private var words: SIMD4<UInt32> = .zero
    private var lane: Int = 4

    public init(_ stream: RandomStream) { self.stream = stream }

    public init(seed: UInt64, step: UInt64 = 0, stream: UInt32 = 0) {
        self.init(RandomStream(seed: seed, step: step, stream: stream))
    }

    /// The next 32 random bits.
    @inline(__always)
    public mutating func nextWord() -> UInt32 {
        if lane == 4 {
            precondition(blockIndex < 1 << 32, "random stream exhausted (2^34 words)")
            words = stream.block(blockIndex)
            blockIndex += 1
            lane = 0
        }
        let w = words[lane]
        lane += 1
        return w
    }

    /// `RandomNumberGenerator` conformance: two words, first one in the high half.
    public mutating func next() -> UInt64 {
        let hi = UInt64(nextWord())
        return hi << 32 | UInt64(nextWord())
    }

    /// Uniform in [0, 1) with 24 bits.
    public mutating func nextUniform() -> Float { RandomStream.unit(nextWord()) }

    /// Uniform in [0, 1) with 53 bits.
    public mutating func nextDouble() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// Uniform integer in `0 ..< n` without modulo bias (Lemire 2019, "Fast random integer
    /// generation in an interval").
    public mutating func nextInt(below n: UInt32) -> UInt32 {
        precondition(n > 0, "nextInt(below: 0)")
        var m = UInt64(nextWord()) &* UInt64(n)
        var low = UInt32(truncatingIfNeeded: m)
        if low < n {
            let t = (0 &- n) % n
            while low < t {
                m = UInt64(nextWord()) &* UInt64(n)
                low = UInt32(truncatingIfNeeded: m)
            }
        }
        return UInt32(truncatingIfNeeded: m >> 32)
    }

    /// Standard normal (Box–Muller, one value per two words).
    public mutating func nextNormal() -> Double {
        let u1 = 1 - nextDouble()                        // (0, 1]
        let u2 = nextDouble()
        return (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
    }

    /// Gamma(shape, 1) by Marsaglia & Tsang (2000); shape < 1 uses the boost `G(a+1)·U^(1/a)`.
    public mutating func nextGamma(shape a: Double) -> Double {
        precondition(a > 0, "gamma shape must be positive, got \(a)")
        if a < 1 {
            let g = nextGamma(shape: a + 1)
            return g * pow(1 - nextDouble(), 1 / a)
        }
        let d = a - 1.0 / 3.0
        let c = 1 / (9 * d).squareRoot()
        while true {
            var x: Double, v: Double
            repeat { x = nextNormal(); v = 1 + c * x } while v <= 0
            v = v * v * v
            let u = 1 - nextDouble()
            if u < 1 - 0.0331 * x * x * x * x { return d * v }
            if log(u) < 0.5 * x * x + d * (1 - v + log(v)) { return d * v }
        }
    }

    /// Beta(a, b) as `X/(X+Y)` with `X ~ Gamma(a)`, `Y ~ Gamma(b)` (mixup's λ ~ Beta(α, α)).
    public mutating func nextBeta(_ a: Double, _ b: Double) -> Double {
        let x = nextGamma(shape: a), y = nextGamma(shape: b)
        return x + y > 0 ? x / (x + y) : 0.5
    }
}

extension RandomStream {
    /// A uniformly random permutation of `0 ..< count` by Fisher–Yates (Durstenfeld's form:
    /// for i = n−1 … 1 swap `p[i]` with `p[j]`, `j` uniform in `0...i`).
    ///
    /// For per-epoch shuffling use `RandomStream(seed: seed, step: epoch, stream: RandomStream.shuffle)`.
    public func permutation(count: Int) -> [Int32] {
        precondition(count >= 0 && count <= Int(Int32.max), "permutation size \(count) out of range")
        var p = [Int32](unsafeUninitializedCapacity: count) { buf, n in
            for i in 0..<count { buf[i] = Int32(i) }
            n = count
        }
        var g = RandomGenerator(self)
        p.withUnsafeMutableBufferPointer { buf in
            var i = count - 1
            while i > 0 {
                let j = Int(g.nextInt(below: UInt32(i + 1)))
                buf.swapAt(i, j)
                i -= 1
            }
        }
        return p
    }
}
