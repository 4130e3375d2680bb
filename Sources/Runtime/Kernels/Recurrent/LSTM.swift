#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// LSTM over a batch-first sequence, PyTorch `nn.LSTM` cell (one layer, one direction).
///
/// Layouts: x is [B, T, I]; wIh is [4H, I], wHh is [4H, H], biases are [4H], gate order i, f, g, o;
/// h0, c0, hN, cN are [B, H]; y is [B, T, H]. The `cache` ([B·T, 5H] floats, `cacheCount`) keeps
/// the gate activations [B·T, 4H] followed by the cell states [B·T, H] for the backward pass.
///   i = σ(a_i), f = σ(a_f), g = tanh(a_g), o = σ(a_o),  a = x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh
///   c_t = f ⊙ c_{t−1} + i ⊙ g,  h_t = o ⊙ tanh(c_t)
/// How: the input projection of all steps is one GEMM ([B·T, I]·W_ihᵀ); each step adds one
/// [B, H]·W_hhᵀ GEMM into its strided rows. Backward through time writes the gate gradients of
/// all steps into one [B·T, 4H] buffer, so dW_ih, dW_hh, dx and the biases are again single GEMMs
/// (sums over steps in a fixed order, independent of threads).
public enum LSTM {
    public static func cacheCount(_ s: RecurrentShape) -> Int { s.rows * 5 * s.hidden }

    public static func forward(_ s: RecurrentShape, x: UnsafePointer<Float>, wIh: UnsafePointer<Float>, wHh: UnsafePointer<Float>,
                               bIh: UnsafePointer<Float>?, bHh: UnsafePointer<Float>?, h0: UnsafePointer<Float>?, c0: UnsafePointer<Float>?,
                               y: UnsafeMutablePointer<Float>, hN: UnsafeMutablePointer<Float>?, cN: UnsafeMutablePointer<Float>?,
                               cache: UnsafeMutablePointer<Float>, pool: ThreadPool = .default) {
        let (bsz, steps, h) = (s.batch, s.steps, s.hidden)
        let g4 = 4 * h
        let gates = cache, cells = cache + s.rows * g4
        if s.rows == 0 { return }
        Gemm.sgemm(transB: true, m: s.rows, n: g4, k: s.input, a: x, lda: s.input, b: wIh, ldb: s.input,
                   c: gates, ldc: g4, epilogue: GemmEpilogue(bias: bIh), pool: pool)
        if let bHh { Bias.addColumns(m: s.rows, n: g4, gates, ld: g4, bias: bHh) }
        for t in 0..<steps {
            let gt = gates + t * g4   // rows b·T + t, stride T·4H
            if t > 0 {
                Gemm.sgemm(transB: true, m: bsz, n: g4, k: h, a: y + (t - 1) * h, lda: steps * h, b: wHh, ldb: h,
                           beta: 1, c: gt, ldc: steps * g4, pool: pool)
            } else if let h0 {
                Gemm.sgemm(transB: true, m: bsz, n: g4, k: h, a: h0, lda: h, b: wHh, ldb: h,
                           beta: 1, c: gt, ldc: steps * g4, pool: pool)
            }
            for b in 0..<bsz {
                let row = b * steps + t
                let a = gates + row * g4, c = cells + row * h, out = y + row * h
                let cPrev: UnsafePointer<Float>? = t > 0 ? UnsafePointer(cells + (row - 1) * h) : c0.map { $0 + b * h }
                for j in 0..<h {
                    let i = Activation.sigmoid(a[j]), f = Activation.sigmoid(a[h + j])
                    let g = tanhf(a[2 * h + j]), o = Activation.sigmoid(a[3 * h + j])
                    a[j] = i; a[h + j] = f; a[2 * h + j] = g; a[3 * h + j] = o
                    let cv = f * (cPrev?[j] ?? 0) + i * g
                    c[j] = cv
                    out[j] = o * tanhf(cv)
                }
            }
        }
        for b in 0..<bsz {
            let last = b * steps + steps - 1
            hN?.advanced(by: b * h).update(from: y + last * h, count: h)
            cN?.advanced(by: b * h).update(from: cells + last * h, count: h)
        }
    }

    /// Backward through time. Any of dy, dhN, dcN may be nil (zero). Outputs that are nil are
    /// skipped; weight and bias gradients are overwritten, or added to with `accumulate`.
    public static func backward(_ s: RecurrentShape, x: UnsafePointer<Float>, wIh: UnsafePointer<Float>, wHh: UnsafePointer<Float>,
                                h0: UnsafePointer<Float>?, c0: UnsafePointer<Float>?, y: UnsafePointer<Float>,
                                cache: UnsafePointer<Float>, dy: UnsafePointer<Float>?, dhN: UnsafePointer<Float>?,
                                dcN: UnsafePointer<Float>?, dx: UnsafeMutablePointer<Float>?,
                                dwIh: UnsafeMutablePointer<Float>, dwHh: UnsafeMutablePointer<Float>,
                                dbIh: UnsafeMutablePointer<Float>?, dbHh: UnsafeMutablePointer<Float>?,
                                dh0: UnsafeMutablePointer<Float>?, dc0: UnsafeMutablePointer<Float>?,
                                accumulate: Bool = false, pool: ThreadPool = .default) {
        let (bsz, steps, h) = (s.batch, s.steps, s.hidden)
        let g4 = 4 * h
        let gates = cache, cells = cache + s.rows * g4
        let work = Tensor(shape: [s.rows * g4 + s.rows * h + 2 * bsz * h])
        let dA = work.data, hPrev = dA + s.rows * g4, dh = hPrev + s.rows * h, dc = dh + bsz * h
        if let dhN { dh.update(from: dhN, count: bsz * h) }
        if let dcN { dc.update(from: dcN, count: bsz * h) }
        for t in stride(from: steps - 1, through: 0, by: -1) {
            for b in 0..<bsz {
                let row = b * steps + t
                let a = gates + row * g4, c = cells + row * h, d = dA + row * g4
                let cPrev: UnsafePointer<Float>? = t > 0 ? cells + (row - 1) * h : c0.map { $0 + b * h }
                let dhb = dh + b * h, dcb = dc + b * h
                for j in 0..<h {
                    let i = a[j], f = a[h + j], g = a[2 * h + j], o = a[3 * h + j]
                    let tc = tanhf(c[j])
                    let dht = dhb[j] + (dy?[row * h + j] ?? 0)
                    let dct = dcb[j] + dht * o * (1 - tc * tc)              // ∂c_t
                    d[j] = dct * g * i * (1 - i)                             // ∂a_i
                    d[h + j] = dct * (cPrev?[j] ?? 0) * f * (1 - f)          // ∂a_f
                    d[2 * h + j] = dct * i * (1 - g * g)                     // ∂a_g
                    d[3 * h + j] = dht * tc * o * (1 - o)                    // ∂a_o
                    dcb[j] = dct * f                                         // ∂c_{t−1}
                }
            }
            // ∂h_{t−1} = ∂a_t · W_hh
            Gemm.sgemm(m: bsz, n: h, k: g4, a: dA + t * g4, lda: steps * g4, b: wHh, ldb: h, c: dh, ldc: h, pool: pool)
        }
        if let dh0 { dh0.update(from: dh, count: bsz * h) }
        if let dc0 { dc0.update(from: dc, count: bsz * h) }
        RecurrentSupport.previousStates(s, y: y, h0: h0, into: hPrev)
        let beta: Float = accumulate ? 1 : 0
        Gemm.sgemm(transA: true, m: g4, n: s.input, k: s.rows, a: dA, lda: g4, b: x, ldb: s.input,
                   beta: beta, c: dwIh, ldc: s.input, pool: pool)
        Gemm.sgemm(transA: true, m: g4, n: h, k: s.rows, a: dA, lda: g4, b: hPrev, ldb: h,
                   beta: beta, c: dwHh, ldc: h, pool: pool)
        if let dbIh { Bias.gradColumns(m: s.rows, n: g4, dA, ld: g4, dbias: dbIh, accumulate: accumulate, pool: pool) }
        if let dbHh { Bias.gradColumns(m: s.rows, n: g4, dA, ld: g4, dbias: dbHh, accumulate: accumulate, pool: pool) }
        if let dx {
            Gemm.sgemm(m: s.rows, n: s.input, k: g4, a: dA, lda: g4, b: wIh, ldb: s.input, c: dx, ldc: s.input, pool: pool)
        }
    }
}
