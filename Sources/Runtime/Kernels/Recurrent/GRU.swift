#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// GRU over a batch-first sequence, PyTorch `nn.GRU` cell (one layer, one direction).
///
/// Layouts: x is [B, T, I]; wIh is [3H, I], wHh is [3H, H], biases are [3H], gate order r, z, n;
/// h0, hN are [B, H]; y is [B, T, H]. The `cache` ([B·T, 4H] floats, `cacheCount`) keeps r, z, n
/// [B·T, 3H] followed by W_hn·h + b_hn [B·T, H] (needed for ∂r).
///   r = σ(x·W_irᵀ + b_ir + h·W_hrᵀ + b_hr),  z = σ(… z …),
///   n = tanh(x·W_inᵀ + b_in + r ⊙ (h·W_hnᵀ + b_hn)),  h_t = (1 − z) ⊙ n + z ⊙ h_{t−1}
/// How: as `LSTM` — one input GEMM for all steps, one recurrent GEMM per step, and single GEMMs
/// for the weight gradients over the [B·T, 3H] gate-gradient buffers.
public enum GRU {
    public static func cacheCount(_ s: RecurrentShape) -> Int { s.rows * 4 * s.hidden }

    public static func forward(_ s: RecurrentShape, x: UnsafePointer<Float>, wIh: UnsafePointer<Float>, wHh: UnsafePointer<Float>,
                               bIh: UnsafePointer<Float>?, bHh: UnsafePointer<Float>?, h0: UnsafePointer<Float>?,
                               y: UnsafeMutablePointer<Float>, hN: UnsafeMutablePointer<Float>?,
                               cache: UnsafeMutablePointer<Float>, pool: ThreadPool = .default) {
        let (bsz, steps, h) = (s.batch, s.steps, s.hidden)
        let g3 = 3 * h
        let gates = cache, ghn = cache + s.rows * g3
        if s.rows == 0 { return }
        Gemm.sgemm(transB: true, m: s.rows, n: g3, k: s.input, a: x, lda: s.input, b: wIh, ldb: s.input,
                   c: gates, ldc: g3, epilogue: GemmEpilogue(bias: bIh), pool: pool)
        let gh = Tensor(shape: [bsz, g3])
        for t in 0..<steps {
            let hPrev: UnsafePointer<Float>? = t > 0 ? UnsafePointer(y + (t - 1) * h) : h0
            let ldPrev = t > 0 ? steps * h : h
            if let hPrev {
                Gemm.sgemm(transB: true, m: bsz, n: g3, k: h, a: hPrev, lda: ldPrev, b: wHh, ldb: h,
                           c: gh.data, ldc: g3, epilogue: GemmEpilogue(bias: bHh), pool: pool)
            } else {
                for b in 0..<bsz { for j in 0..<g3 { gh[b * g3 + j] = bHh?[j] ?? 0 } }
            }
            for b in 0..<bsz {
                let row = b * steps + t
                let a = gates + row * g3, hh = gh.data + b * g3, out = y + row * h, gn = ghn + row * h
                for j in 0..<h {
                    let r = Activation.sigmoid(a[j] + hh[j])
                    let z = Activation.sigmoid(a[h + j] + hh[h + j])
                    let n = tanhf(a[2 * h + j] + r * hh[2 * h + j])
                    a[j] = r; a[h + j] = z; a[2 * h + j] = n
                    gn[j] = hh[2 * h + j]
                    out[j] = (1 - z) * n + z * (hPrev.map { $0[b * ldPrev + j] } ?? 0)
                }
            }
        }
        if let hN { for b in 0..<bsz { (hN + b * h).update(from: y + (b * steps + steps - 1) * h, count: h) } }
    }

    /// Backward through time; conventions as `LSTM.backward`.
    public static func backward(_ s: RecurrentShape, x: UnsafePointer<Float>, wIh: UnsafePointer<Float>, wHh: UnsafePointer<Float>,
                                h0: UnsafePointer<Float>?, y: UnsafePointer<Float>, cache: UnsafePointer<Float>,
                                dy: UnsafePointer<Float>?, dhN: UnsafePointer<Float>?, dx: UnsafeMutablePointer<Float>?,
                                dwIh: UnsafeMutablePointer<Float>, dwHh: UnsafeMutablePointer<Float>,
                                dbIh: UnsafeMutablePointer<Float>?, dbHh: UnsafeMutablePointer<Float>?,
                                dh0: UnsafeMutablePointer<Float>?, accumulate: Bool = false, pool: ThreadPool = .default) {
        let (bsz, steps, h) = (s.batch, s.steps, s.hidden)
        let g3 = 3 * h
        let gates = cache, ghn = cache + s.rows * g3
        let work = Tensor(shape: [2 * s.rows * g3 + s.rows * h + bsz * h])
        let dGx = work.data, dGh = dGx + s.rows * g3, hPrev = dGh + s.rows * g3, dh = hPrev + s.rows * h
        RecurrentSupport.previousStates(s, y: y, h0: h0, into: hPrev)
        if let dhN { dh.update(from: dhN, count: bsz * h) }
        for t in stride(from: steps - 1, through: 0, by: -1) {
            for b in 0..<bsz {
                let row = b * steps + t
                let a = gates + row * g3, gn = ghn + row * h, hp = hPrev + row * h
                let dxr = dGx + row * g3, dhr = dGh + row * g3, dhb = dh + b * h
                for j in 0..<h {
                    let r = a[j], z = a[h + j], n = a[2 * h + j]
                    let dht = dhb[j] + (dy?[row * h + j] ?? 0)
                    let dan = dht * (1 - z) * (1 - n * n)                    // ∂ pre-tanh of n
                    let dar = dan * gn[j] * r * (1 - r)                      // ∂ pre-σ of r
                    let daz = dht * (hp[j] - n) * z * (1 - z)                // ∂ pre-σ of z
                    dxr[j] = dar; dxr[h + j] = daz; dxr[2 * h + j] = dan
                    dhr[j] = dar; dhr[h + j] = daz; dhr[2 * h + j] = dan * r
                    dhb[j] = dht * z                                         // direct path z ⊙ h_{t−1}
                }
            }
            // ∂h_{t−1} += ∂gh_t · W_hh
            Gemm.sgemm(m: bsz, n: h, k: g3, a: dGh + t * g3, lda: steps * g3, b: wHh, ldb: h, beta: 1, c: dh, ldc: h, pool: pool)
        }
        if let dh0 { dh0.update(from: dh, count: bsz * h) }
        let beta: Float = accumulate ? 1 : 0
        Gemm.sgemm(transA: true, m: g3, n: s.input, k: s.rows, a: dGx, lda: g3, b: x, ldb: s.input,
                   beta: beta, c: dwIh, ldc: s.input, pool: pool)
        Gemm.sgemm(transA: true, m: g3, n: h, k: s.rows, a: dGh, lda: g3, b: hPrev, ldb: h,
                   beta: beta, c: dwHh, ldc: h, pool: pool)
        if let dbIh { Bias.gradColumns(m: s.rows, n: g3, dGx, ld: g3, dbias: dbIh, accumulate: accumulate, pool: pool) }
        if let dbHh { Bias.gradColumns(m: s.rows, n: g3, dGh, ld: g3, dbias: dbHh, accumulate: accumulate, pool: pool) }
        if let dx {
            Gemm.sgemm(m: s.rows, n: s.input, k: g3, a: dGx, lda: g3, b: wIh, ldb: s.input, c: dx, ldc: s.input, pool: pool)
        }
    }
}
