/// Bias, residual and fused GEMM epilogues.
///
/// Layouts: a dense layer's output is [M, N] (rows are samples, bias has N entries, one per
/// column); a convolution's output is [B, C, HW] (bias has C entries, one per channel).
/// The bias gradient is a reduction over the batch: each output entry is summed by one work item
/// in ascending row order, so it is bit-identical for any thread count.
public enum Bias {
    /// x[i, j] += bias[j] for an [m, n] matrix with row stride `ld`.
    public static func addColumns(m: Int, n: Int, _ x: UnsafeMutablePointer<Float>, ld: Int, bias: UnsafePointer<Float>) {
        for i in 0..<m { accumulate(bias, into: x + i * ld, count: n) }
    }

    /// x[b, c, s] += bias[c] for [batch, channels, spatial].
    public static func addChannels(batch: Int, channels: Int, spatial: Int, _ x: UnsafeMutablePointer<Float>,
                                   bias: UnsafePointer<Float>) {
        for b in 0..<batch {
            for c in 0..<channels {
                let p = x + (b * channels + c) * spatial, v = bias[c]
                for s in 0..<spatial { p[s] += v }
            }
        }
    }

    /// dbias[j] (+)= Σ_i dy[i, j] for an [m, n] matrix. `accumulate` adds to dbias instead of overwriting.
    public static func gradColumns(m: Int, n: Int, _ dy: UnsafePointer<Float>, ld: Int, dbias: UnsafeMutablePointer<Float>,
                                   accumulate: Bool = false, pool: ThreadPool = .default) {
        // Work items are column strips of 64; within a strip rows are summed in order.
        let strip = 64
        pool.parallelFor((n + strip - 1) / strip) { t in
            let j0 = t * strip, j1 = min(n, j0 + strip)
            var acc = [Float](repeating: 0, count: j1 - j0)
            acc.withUnsafeMutableBufferPointer { acc in
                for i in 0..<m {
                    let row = dy + i * ld + j0
                    for j in 0..<(j1 - j0) { acc[j] += row[j] }
                }
                for j in j0..<j1 { dbias[j] = accumulate ? dbias[j] + acc[j - j0] : acc[j - j0] }
            }
        }
    }

    /// dbias[c] (+)= Σ_{b,s} dy[b, c, s] for [batch, channels, spatial]; channels are parallel
    /// work items, each summing its planes in batch order, once the whole sum is worth a second
    /// thread (the tutorial CNN's second convolution, 32 channels of 64 × 196, summed serially
    /// when the test looked at one channel's size).
    public static func gradChannels(batch: Int, channels: Int, spatial: Int, _ dy: UnsafePointer<Float>,
                                    dbias: UnsafeMutablePointer<Float>, accumulate: Bool = false, pool: ThreadPool = .default) {
        let parallel = channels > 1 && batch * spatial * channels >= 1 << 15
        pool.parallelFor(parallel ? channels : 0) { c in
            dbias[c] = channelSum(batch: batch, channels: channels, spatial: spatial, dy, c, accumulate ? dbias[c] : 0)
        }
        if !parallel {
            for c in 0..<channels {
                dbias[c] = channelSum(batch: batch, channels: channels, spatial: spatial, dy, c, accumulate ? dbias[c] : 0)
            }
        }
    }

    @inline(__always)
    static func channelSum(batch: Int, channels: Int, spatial: Int, _ dy: UnsafePointer<Float>, _ c: Int, _ start: Float) -> Float {
        var total: Float = 0
        for b in 0..<batch { total += Reduce.sum(dy + (b * channels + c) * spatial, count: spatial) }
        return start + total
    }

    /// y[i] = a[i] + b[i] (residual add; `y` may alias either input). Sixteen lanes at a time
    /// (LLVM's vector loop checks for overlap and falls back to scalar code when `y` is an input),
    /// large buffers in fixed chunks on the pool (elementwise: no value depends on the threads).
    public static func add(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int,
                           pool: ThreadPool = .default) {
        Activation.chunked(count, pool) { lo, n in
            let ra = UnsafeRawPointer(a + lo), rb = UnsafeRawPointer(b + lo), ry = UnsafeMutableRawPointer(y + lo)
            var i = 0
            while i + 16 <= n {
                let v = ra.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self) + rb.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
                ry.storeBytes(of: v, toByteOffset: i * 4, as: SIMD16<Float>.self)
                i += 16
            }
            while i < n { y[lo + i] = a[lo + i] + b[lo + i]; i += 1 }
        }
    }

    /// y[i] += x[i]·scale (gradient accumulation, residual branches with a coefficient), sixteen
    /// lanes at a time, on the calling thread (it runs inside parallel loops).
    public static func accumulate(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, scale: Float = 1, count: Int) {
        let rx = UnsafeRawPointer(x), ry = UnsafeMutableRawPointer(y), sv = SIMD16<Float>(repeating: scale)
        var i = 0
        while i + 16 <= count {
            let xv = rx.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
            let v = ry.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self) + (scale == 1 ? xv : sv * xv)
            ry.storeBytes(of: v, toByteOffset: i * 4, as: SIMD16<Float>.self)
            i += 16
        }
        while i < count { y[i] += scale == 1 ? x[i] : scale * x[i]; i += 1 }
    }

    /// y[i] = relu(y[i] + x[i]): `accumulate` then `Activation.relu.forwardSerial` in one pass,
    /// with their arithmetic lane for lane (a NaN stays NaN in the lanes, the tail takes `max`).
    static func accumulateThenRelu(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int) {
        let rx = UnsafeRawPointer(x), ry = UnsafeMutableRawPointer(y), zero = SIMD16<Float>()
        var i = 0
        while i + 16 <= count {
            let v = ry.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self) + rx.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
            ry.storeBytes(of: v.replacing(with: zero, where: v .<= zero), toByteOffset: i * 4, as: SIMD16<Float>.self)
            i += 16
        }
        while i < count { y[i] = max(y[i] + x[i], 0); i += 1 }
    }

    /// y[i] *= x[i] (a per-column scale, a dropout mask), sixteen lanes at a time, on the calling thread.
    public static func multiply(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int) {
        let rx = UnsafeRawPointer(x), ry = UnsafeMutableRawPointer(y)
        var i = 0
        while i + 16 <= count {
            let v = ry.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self) * rx.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
            ry.storeBytes(of: v, toByteOffset: i * 4, as: SIMD16<Float>.self)
            i += 16
        }
        while i < count { y[i] *= x[i]; i += 1 }
    }
}

/// What `Gemm.sgemm` applies to each finished tile of C while it is still in cache (the fusion
/// pass's target), in this order, each step optional:
///   z = C·scale + bias + residual     (scale/bias per column for dense layers, per row for
///                                      convolutions as W·col; `scale` is a folded batchnorm)
///   preActivation ← z                 (saved for backward when the activation needs its input)
///   y = f(z) ⊙ dropoutMask            (mask holds 0 or 1/keep, same layout as C)
/// `residual`, `preActivation` and `dropoutMask` use C's layout and row stride `ldc`.
/// Each step is the same arithmetic as the separate kernels, so fused and unfused results agree
/// bit for bit.
public struct GemmEpilogue {
    public enum BiasAxis: Sendable { case columns, rows }

    public var scale: UnsafePointer<Float>?
    public var bias: UnsafePointer<Float>?
    public var biasAxis: BiasAxis
    public var residual: UnsafePointer<Float>?
    public var activation: Activation
    public var preActivation: UnsafeMutablePointer<Float>?
    public var dropoutMask: UnsafePointer<Float>?

    public init(scale: UnsafePointer<Float>? = nil, bias: UnsafePointer<Float>? = nil, biasAxis: BiasAxis = .columns,
                residual: UnsafePointer<Float>? = nil, activation: Activation = .identity,
                preActivation: UnsafeMutablePointer<Float>? = nil, dropoutMask: UnsafePointer<Float>? = nil) {
        self.scale = scale
        self.bias = bias
        self.biasAxis = biasAxis
        self.residual = residual
        self.activation = activation
        self.preActivation = preActivation
        self.dropoutMask = dropoutMask
    }

    /// Applies the epilogue to rows `i0..<i0+rows`, columns `j0..<j0+cols` of C (every step a
    /// vector loop along the row: scalar, these passes cost a dense layer a tenth of its time).
    func apply(_ c: UnsafeMutablePointer<Float>, ldc: Int, i0: Int, rows: Int, j0: Int, cols: Int) {
        // A dense layer's bias and ReLU and nothing else: one pass over each row.
        if scale == nil, residual == nil, preActivation == nil, dropoutMask == nil, biasAxis == .columns, let bias,
           activation == .relu {
            for i in i0..<(i0 + rows) { Bias.accumulateThenRelu(bias + j0, into: c + i * ldc + j0, count: cols) }
            return
        }
        for i in i0..<(i0 + rows) {
            let row = c + i * ldc + j0
            if let scale {
                switch biasAxis {
                case .columns: Bias.multiply(scale + j0, into: row, count: cols)
                case .rows: let v = scale[i]; for j in 0..<cols { row[j] *= v }
                }
            }
            if let bias {
                switch biasAxis {
                case .columns: Bias.accumulate(bias + j0, into: row, count: cols)
                case .rows: let v = bias[i]; for j in 0..<cols { row[j] += v }
                }
            }
            if let residual { Bias.accumulate(residual + i * ldc + j0, into: row, count: cols) }
            if let preActivation { (preActivation + i * ldc + j0).update(from: row, count: cols) }
            activation.forwardSerial(row, row, count: cols)
            if let dropoutMask { Bias.multiply(dropoutMask + i * ldc + j0, into: row, count: cols) }
        }
    }
}
