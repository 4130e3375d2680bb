#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Masks of a regularized LSTM run (semantics reference §2.1).
///
/// - `recurrent`: variational recurrent dropout (Gal & Ghahramani 2016), [B, H] multipliers
///   (0 or 1/q) applied to h_{t−1} before W_hh, the same at every step; nil for none.
/// - `zoneCell`, `zoneHidden`: zoneout (Krueger et al. 2017), [B·T, H] weights d of the previous
///   state, c_t = d_c⊙c_{t−1} + (1−d_c)⊙c̃_t and h_t = d_h⊙h_{t−1} + (1−d_h)⊙h̃_t: 0 or 1 per
///   (sample, unit, step) in training, the probability z everywhere at eval (the expectation,
///   no rescaling); nil for none.
public struct RecurrentMasks {
    public var recurrent: UnsafePointer<Float>?
    public var zoneCell: UnsafePointer<Float>?
    public var zoneHidden: UnsafePointer<Float>?
    public init(recurrent: UnsafePointer<Float>? = nil, zoneCell: UnsafePointer<Float>? = nil,
                zoneHidden: UnsafePointer<Float>? = nil) {
        self.recurrent = recurrent; self.zoneCell = zoneCell; self.zoneHidden = zoneHidden
    }
}

/// tanh x = 1 − 2/(e^{2x} + 1): one `expf` instead of libm's `tanhf` (which goes through
/// `expm1f` and took a third of the recurrent kernels' time); absolute error ≈ 1e-7, exact ±1
/// in the tails.
@inline(__always) func fastTanh(_ x: Float) -> Float { 1 - 2 / (expf(2 * x) + 1) }

/// LSTM with recurrent dropout and zoneout: layouts, gate order and `cache` ([B·T, 5H]: gate
/// activations, then the zoned cell states c_t) as `LSTM.forward`; y holds the zoned h_t.
///   ĥ = h_{t−1}⊙m,  a = x·W_ihᵀ + b_ih + ĥ·W_hhᵀ + b_hh,  c̃ = f⊙c_{t−1} + i⊙g,  h̃ = o⊙tanh(c̃)
/// The backward recomputes c̃ from the cached gates and c_{t−1}; it needs the same masks.
/// Initial states h0/c0 are zero (the interpreter's layers start from zero state).
extension LSTM {
    public static func forward(_ s: RecurrentShape, x: UnsafePointer<Float>, wIh: UnsafePointer<Float>, wHh: UnsafePointer<Float>,
                               bIh: UnsafePointer<Float>?, bHh: UnsafePointer<Float>?, masks: RecurrentMasks,
                               y: UnsafeMutablePointer<Float>, cache: UnsafeMutablePointer<Float>, pool: ThreadPool = .default) {
        let (bsz, steps, h) = (s.batch, s.steps, s.hidden)
        let g4 = 4 * h
        let gates = cache, cells = cache + s.rows * g4
        if s.rows == 0 { return }
        Gemm.sgemm(transB: true, m: s.rows, n: g4, k: s.input, a: x, lda: s.input, b: wIh, ldb: s.input,
                   c: gates, ldc: g4, epilogue: GemmEpilogue(bias: bIh), pool: pool)
        if let bHh { Bias.addColumns(m: s.rows, n: g4, gates, ld: g4, bias: bHh) }
        let masked = Tensor(shape: [bsz * h])
        for t in 0..<steps {
            if t > 0 {
                for b in 0..<bsz {
                    let src = y + (b * steps + t - 1) * h, dst = masked.data + b * h
                    if let m = masks.recurrent { for j in 0..<h { dst[j] = src[j] * m[b * h + j] } } else { dst.update(from: src, count: h) }
                }
                Gemm.sgemm(transB: true, m: bsz, n: g4, k: h, a: masked.data, lda: h, b: wHh, ldb: h,
                           beta: 1, c: gates + t * g4, ldc: steps * g4, pool: pool)
            }
            pool.parallelFor(bsz) { b in     // samples are independent
                let row = b * steps + t
                let a = gates + row * g4, c = cells + row * h, out = y + row * h
                let cPrev: UnsafePointer<Float>? = t > 0 ? UnsafePointer(cells + (row - 1) * h) : nil
                let hPrev: UnsafePointer<Float>? = t > 0 ? UnsafePointer(y + (row - 1) * h) : nil
                for j in 0..<h {
                    let i = Activation.sigmoid(a[j]), f = Activation.sigmoid(a[h + j])
                    let g = fastTanh(a[2 * h + j]), o = Activation.sigmoid(a[3 * h + j])
                    a[j] = i; a[h + j] = f; a[2 * h + j] = g; a[3 * h + j] = o
                    let cp = cPrev?[j] ?? 0, hp = hPrev?[j] ?? 0
                    let cNew = f * cp + i * g, hNew = o * fastTanh(cNew)
                    let dc = masks.zoneCell?[row * h + j] ?? 0, dh = masks.zoneHidden?[row * h + j] ?? 0
                    c[j] = dc * cp + (1 - dc) * cNew
                    out[j] = dh * hp + (1 - dh) * hNew
                }
            }
        }
    }

    /// Backward through time of the regularized forward (same masks). Weight and bias gradients
    /// are overwritten; dx is skipped when nil.
    public static func backward(_ s: RecurrentShape, x: UnsafePointer<Float>, wIh: UnsafePointer<Float>, wHh: UnsafePointer<Float>,
                                masks: RecurrentMasks, y: UnsafePointer<Float>, cache: UnsafePointer<Float>, dy: UnsafePointer<Float>,
                                dx: UnsafeMutablePointer<Float>?, dwIh: UnsafeMutablePointer<Float>, dwHh: UnsafeMutablePointer<Float>,
                                dbIh: UnsafeMutablePointer<Float>?, dbHh: UnsafeMutablePointer<Float>?, pool: ThreadPool = .default) {
        let (bsz, steps, h) = (s.batch, s.steps, s.hidden)
        let g4 = 4 * h
        let gates = cache, cells = cache + s.rows * g4
        let work = Tensor(shape: [s.rows * g4 + s.rows * h + 3 * bsz * h])
        let dA = work.data, hPrev = dA + s.rows * g4, dh = hPrev + s.rows * h, dc = dh + bsz * h, back = dc + bsz * h
        for t in stride(from: steps - 1, through: 0, by: -1) {
            pool.parallelFor(bsz) { b in     // samples are independent
                let row = b * steps + t
                let a = gates + row * g4, d = dA + row * g4
                let cp = t > 0 ? cells + (row - 1) * h : nil
                let dhb = dh + b * h, dcb = dc + b * h
                for j in 0..<h {
                    let i = a[j], f = a[h + j], g = a[2 * h + j], o = a[3 * h + j]
                    let zc = masks.zoneCell?[row * h + j] ?? 0, zh = masks.zoneHidden?[row * h + j] ?? 0
                    let cPrev = cp?[j] ?? 0
                    let tc = fastTanh(f * cPrev + i * g)                         // tanh(c̃)
                    let dht = dhb[j] + dy[row * h + j], dct = dcb[j]         // ∂h_t, ∂c_t
                    let dhNew = (1 - zh) * dht                               // ∂h̃
                    let dcNew = (1 - zc) * dct + dhNew * o * (1 - tc * tc)   // ∂c̃
                    d[j] = dcNew * g * i * (1 - i)                           // ∂a_i
                    d[h + j] = dcNew * cPrev * f * (1 - f)                   // ∂a_f
                    d[2 * h + j] = dcNew * i * (1 - g * g)                   // ∂a_g
                    d[3 * h + j] = dhNew * tc * o * (1 - o)                  // ∂a_o
                    dcb[j] = zc * dct + dcNew * f                            // ∂c_{t−1}
                    dhb[j] = zh * dht                                        // ∂h_{t−1}, identity path
                }
            }
            // ∂h_{t−1} += (∂a_t · W_hh) ⊙ m
            Gemm.sgemm(m: bsz, n: h, k: g4, a: dA + t * g4, lda: steps * g4, b: wHh, ldb: h, c: back, ldc: h, pool: pool)
            for k in 0..<(bsz * h) { dh[k] += back[k] * (masks.recurrent?[k] ?? 1) }
        }
        // ĥ_{t−1} for every (b, t), so dW_hh is one GEMM.
        RecurrentSupport.previousStates(s, y: y, h0: nil, into: hPrev)
        if let m = masks.recurrent {
            for b in 0..<bsz { for t in 0..<steps { for j in 0..<h { hPrev[(b * steps + t) * h + j] *= m[b * h + j] } } }
        }
        Gemm.sgemm(transA: true, m: g4, n: s.input, k: s.rows, a: dA, lda: g4, b: x, ldb: s.input, c: dwIh, ldc: s.input, pool: pool)
        Gemm.sgemm(transA: true, m: g4, n: h, k: s.rows, a: dA, lda: g4, b: hPrev, ldb: h, c: dwHh, ldc: h, pool: pool)
        if let dbIh { Bias.gradColumns(m: s.rows, n: g4, dA, ld: g4, dbias: dbIh, pool: pool) }
        if let dbHh { Bias.gradColumns(m: s.rows, n: g4, dA, ld: g4, dbias: dbHh, pool: pool) }
        if let dx {
            Gemm.sgemm(m: s.rows, n: s.input, k: g4, a: dA, lda: g4, b: wIh, ldb: s.input, c: dx, ldc: s.input, pool: pool)
        }
    }
}
