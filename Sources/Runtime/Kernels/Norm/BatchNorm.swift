/// Batch normalization (Ioffe & Szegedy 2015) with PyTorch's conventions (semantics reference §4.1).
///
/// Layouts: x, y, dy, dx are [N, C, S] (S = H·W for `BatchNorm2d`, 1 for `BatchNorm1d` on [N, C]);
/// gamma, beta, running statistics, the saved mean and inverse std are [C].
/// Training normalizes with the biased batch variance; the running update is
/// r ← (1 − m)·r + m·batch with the unbiased variance n/(n − 1)·σ²_B (m = 0.1 in PyTorch).
/// Channels are independent work items; each channel's sums run plane by plane with the fixed-order
/// `Reduce` helpers (Float64 across planes), so results do not depend on the thread count.
/// Every pass is a vectorized sweep: the normalize step is y = a·x + b per channel, and the backward
/// step is dx = a·dy + b·x + c, with a, b, c folded from the two channel sums.
public enum BatchNorm {
    /// Training forward: batch statistics, running update (if buffers are given), y = γ·x̂ + β.
    /// `gamma`/`beta` nil means γ = 1, β = 0 (`affine=False`). With one value per channel the
    /// running variance is updated with the biased variance (PyTorch refuses that case).
    /// `relu` applies max(y, 0) in the same pass (a following ReLU fused into the kernel).
    /// `planeStatistics` ([N, C, 2]: each plane's mean and squared deviation, see `statistics`)
    /// skips the statistics pass over x.
    public static func forwardTraining(batch n: Int, channels c: Int, spatial s: Int, x: UnsafePointer<Float>,
                                       gamma: UnsafePointer<Float>?, beta: UnsafePointer<Float>?, y: UnsafeMutablePointer<Float>,
                                       saveMean: UnsafeMutablePointer<Float>, saveInvStd: UnsafeMutablePointer<Float>,
                                       runningMean: UnsafeMutablePointer<Float>?, runningVar: UnsafeMutablePointer<Float>?,
                                       momentum: Float = 0.1, eps: Float = 1e-5, relu: Bool = false,
                                       planeStatistics: UnsafePointer<Double>? = nil, pool: ThreadPool = .default) {
        let count = n * s
        pool.parallelFor(c) { ch in
            // Mean and squared deviation of each sample's plane (two passes while the plane is in
            // L1), merged over the batch in order with Chan et al.'s update: two passes over the
            // activation in all (statistics, then the affine map) instead of three.
            var seen = 0.0, batchMean = 0.0, squares = 0.0
            for b in 0..<(s > 0 ? n : 0) {
                let size = Double(s)
                let (m, m2) = planeStatistics.map { ($0[2 * (b * c + ch)], $0[2 * (b * c + ch) + 1]) }
                    ?? Self.statistics(x + (b * c + ch) * s, count: s)
                let total = seen + size, delta = m - batchMean
                batchMean += delta * size / total
                squares += m2 + delta * delta * seen * size / total
                seen = total
            }
            let mean = Float(batchMean)
            let variance = squares / Double(max(count, 1))
            let invStd = Float(1 / (variance + Double(eps)).squareRoot())
            saveMean[ch] = mean
            saveInvStd[ch] = invStd
            if let runningMean { runningMean[ch] = (1 - momentum) * runningMean[ch] + momentum * mean }
            if let runningVar {
                let unbiased = count > 1 ? squares / Double(count - 1) : variance
                runningVar[ch] = (1 - momentum) * runningVar[ch] + momentum * Float(unbiased)
            }
            let a = (gamma?[ch] ?? 1) * invStd, shift = (beta?[ch] ?? 0) - a * mean
            for b in 0..<n {
                let plane = y + (b * c + ch) * s
                affine(x + (b * c + ch) * s, plane, count: s, a, shift)
                if relu { Activation.reluForward(plane, plane, count: s) }   // while the plane is in L1
            }
        }
    }

    /// A plane's mean and squared deviation Σ(x − mean)², the terms `forwardTraining` merges over
    /// the batch. A convolution computes them while each output plane is in cache and passes them
    /// as `planeStatistics` (`Conv2d.forward(statistics:)`): the same function, the same bits.
    @inline(__always)
    public static func statistics(_ plane: UnsafePointer<Float>, count s: Int) -> (mean: Double, squares: Double) {
        let m = Double(Reduce.sum(plane, count: s)) / Double(s)
        return (m, Double(Reduce.squaredDeviation(plane, count: s, mean: Float(m))))
    }

    /// Eval forward: y = γ(x − r_mean)/√(r_var + ε) + β.
    public static func forwardInference(batch n: Int, channels c: Int, spatial s: Int, x: UnsafePointer<Float>,
                                        gamma: UnsafePointer<Float>?, beta: UnsafePointer<Float>?,
                                        runningMean: UnsafePointer<Float>, runningVar: UnsafePointer<Float>,
                                        y: UnsafeMutablePointer<Float>, eps: Float = 1e-5, pool: ThreadPool = .default) {
        pool.parallelFor(c) { ch in
            let a = (gamma?[ch] ?? 1) / (runningVar[ch] + eps).squareRoot()
            let shift = (beta?[ch] ?? 0) - a * runningMean[ch]
            for b in 0..<n { affine(x + (b * c + ch) * s, y + (b * c + ch) * s, count: s, a, shift) }
        }
    }

    /// Training backward: dx = (γ/σ)(dy − mean(dy) − x̂·mean(dy·x̂)), dγ = Σ dy·x̂, dβ = Σ dy.
    /// dγ/dβ are overwritten, or added to with `accumulate`; pass nil to skip them.
    /// `dxSum` gets Σ dx per channel, summed as `Bias.gradChannels` sums it (each plane with
    /// `Reduce.sum` right after it is written, planes in batch order): the gradient of a bias
    /// added before the batch norm (a convolution's), without reading dx again.
    public static func backwardTraining(batch n: Int, channels c: Int, spatial s: Int, x: UnsafePointer<Float>,
                                        dy: UnsafePointer<Float>, gamma: UnsafePointer<Float>?,
                                        saveMean: UnsafePointer<Float>, saveInvStd: UnsafePointer<Float>,
                                        dx: UnsafeMutablePointer<Float>?, dgamma: UnsafeMutablePointer<Float>?,
                                        dbeta: UnsafeMutablePointer<Float>?, accumulate: Bool = false,
                                        dxSum: UnsafeMutablePointer<Float>? = nil, pool: ThreadPool = .default) {
        let count = Float(max(n * s, 1))
        pool.parallelFor(c) { ch in
            let mean = saveMean[ch], invStd = saveInvStd[ch]
            var sumDy = 0.0, sumDyX = 0.0
            for b in 0..<n {
                let off = (b * c + ch) * s
                let (sum, dot) = Reduce.sumAndDot(dy + off, x + off, count: s)
                sumDy += Double(sum)
                sumDyX += Double(dot)
            }
            let s1 = Float(sumDy)
            let s2 = Float((sumDyX - Double(mean) * sumDy) * Double(invStd))   // Σ dy·x̂
            if let dgamma { dgamma[ch] = accumulate ? dgamma[ch] + s2 : s2 }
            if let dbeta { dbeta[ch] = accumulate ? dbeta[ch] + s1 : s1 }
            guard let dx else { return }
            let a = (gamma?[ch] ?? 1) * invStd
            let bx = -a * invStd * s2 / count
            let c0 = -a * s1 / count - bx * mean
            var planeSums: Float = 0
            for b in 0..<n {
                let off = (b * c + ch) * s
                combine(dy + off, x + off, dx + off, count: s, a, bx, c0)
                if dxSum != nil { planeSums += Reduce.sum(dx + off, count: s) }
            }
            dxSum?[ch] = 0 + planeSums
        }
    }

    /// Eval backward: dx = dy·γ/√(r_var + ε) (statistics are constants).
    public static func backwardInference(batch n: Int, channels c: Int, spatial s: Int, dy: UnsafePointer<Float>,
                                         gamma: UnsafePointer<Float>?, runningVar: UnsafePointer<Float>,
                                         dx: UnsafeMutablePointer<Float>, eps: Float = 1e-5) {
        for ch in 0..<c {
            let a = (gamma?[ch] ?? 1) / (runningVar[ch] + eps).squareRoot()
            for b in 0..<n { affine(dy + (b * c + ch) * s, dx + (b * c + ch) * s, count: s, a, 0) }
        }
    }

    /// y = a·x + b, sixteen lanes at a time (the scalar loop does not vectorize: y may alias x).
    @inline(__always)
    static func affine(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int, _ a: Float, _ b: Float) {
        let rx = UnsafeRawPointer(x), ry = UnsafeMutableRawPointer(y)
        let av = SIMD16<Float>(repeating: a), bv = SIMD16<Float>(repeating: b)
        var i = 0
        while i + 16 <= count {
            ry.storeBytes(of: av * rx.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self) + bv, toByteOffset: i * 4,
                          as: SIMD16<Float>.self)
            i += 16
        }
        while i < count { y[i] = a * x[i] + b; i += 1 }
    }

    /// dx = a·dy + b·x + c, sixteen lanes at a time.
    @inline(__always)
    static func combine(_ dy: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, count: Int,
                        _ a: Float, _ b: Float, _ c: Float) {
        let rg = UnsafeRawPointer(dy), rx = UnsafeRawPointer(x), rd = UnsafeMutableRawPointer(dx)
        let av = SIMD16<Float>(repeating: a), bv = SIMD16<Float>(repeating: b), cv = SIMD16<Float>(repeating: c)
        var i = 0
        while i + 16 <= count {
            let g = rg.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
            let v = rx.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
            rd.storeBytes(of: av * g + bv * v + cv, toByteOffset: i * 4, as: SIMD16<Float>.self)
            i += 16
        }
        while i < count { dx[i] = a * dy[i] + b * x[i] + c; i += 1 }
    }
}
