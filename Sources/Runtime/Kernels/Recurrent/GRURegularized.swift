#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// GRU with recurrent dropout and zoneout (`RecurrentMasks`; `zoneCell` is unused): layouts, gate
/// order and `cache` as `GRU.forward`; y holds the zoned h_t.
///   ĥ = h_{t−1}⊙m (Keras `recurrent_dropout`: the mask on the state entering every W_h·),
///   r, z, n as `GRU` with ĥ in the recurrent products,  h̃ = (1−z)⊙n + z⊙h_{t−1} (unmasked),
///   h_t = d⊙h_{t−1} + (1−d)⊙h̃ (Krueger et al. 2017).
/// Initial state is zero.
extension GRU {
    public static func forward(_ s: RecurrentShape, x: UnsafePointer<Float>, wIh: UnsafePointer<Float>, wHh: UnsafePointer<Float>,
                               bIh: UnsafePointer<Float>?, bHh: UnsafePointer<Float>?, masks: RecurrentMasks,
                               y: UnsafeMutablePointer<Float>, cache: UnsafeMutablePointer<Float>, pool: ThreadPool = .default) {
        let (bsz, steps, h) = (s.batch, s.steps, s.hidden)
        let g3 = 3 * h
        let gates = cache, ghn = cache + s.rows * g3
        if s.rows == 0 { return }
        Gemm.sgemm(transB: true, m: s.rows, n: g3, k: s.input, a: x, lda: s.input, b: wIh, ldb: s.input,
                   c: gates, ldc: g3, epilogue: GemmEpilogue(bias: bIh), pool: pool)
        let gh = Tensor(shape: [bsz, g3]), masked = Tensor(shape: [bsz * h])
        for t in 0..<steps {
            if t > 0 {
                for b in 0..<bsz {
                    let src = y + (b * steps + t - 1) * h, dst = masked.data + b * h
                    if let m = masks.recurrent { for j in 0..<h { dst[j] = src[j] * m[b * h + j] } } else { dst.update(from: src, count: h) }
                }
                Gemm.sgemm(transB: true, m: bsz, n: g3, k: h, a: masked.data, lda: h, b: wHh, ldb: h,
                           c: gh.data, ldc: g3, epilogue: GemmEpilogue(bias: bHh), pool: pool)
            } else {
                for b in 0..<bsz { for j in 0..<g3 { gh[b * g3 + j] = bHh?[j] ?? 0 } }
            }
            pool.parallelFor(bsz) { b in     // samples are independent
                let row = b * steps + t
                let a = gates + row * g3, hh = gh.data + b * g3, out = y + row * h, gn = ghn + row * h
                for j in 0..<h {
                    let r = Activation.sigmoid(a[j] + hh[j])
                    let z = Activation.sigmoid(a[h + j] + hh[h + j])
                    let n = fastTanh(a[2 * h + j] + r * hh[2 * h + j])
                    a[j] = r; a[h + j] = z; a[2 * h + j] = n
                    gn[j] = hh[2 * h + j]
                    let hp = t > 0 ? y[(row - 1) * h + j] : 0
                    let d = masks.zoneHidden?[row * h + j] ?? 0
                    out[j] = d * hp + (1 - d) * ((1 - z) * n + z * hp)
                }
            }
        }
    }

    /// Backward through time of the regularized forward (same masks); gradients overwritten.
    public static func backward(_ s: RecurrentShape, x: UnsafePointer<Float>, wIh: UnsafePointer<Float>, wHh: UnsafePointer<Float>,
                                masks: RecurrentMasks, y: UnsafePointer<Float>, cache: UnsafePointer<Float>, dy: UnsafePointer<Float>,
                                dx: UnsafeMutablePointer<Float>?, dwIh: UnsafeMutablePointer<Float>, dwHh: UnsafeMutablePointer<Float>,
                                dbIh: UnsafeMutablePointer<Float>?, dbHh: UnsafeMutablePointer<Float>?, pool: ThreadPool = .default) {
        let (bsz, steps, h) = (s.batch, s.steps, s.hidden)
        let g3 = 3 * h
        let gates = cache, ghn = cache + s.rows * g3
        let work = Tensor(shape: [2 * s.rows * g3 + s.rows * h + 2 * bsz * h])
        let dGx = work.data, dGh = dGx + s.rows * g3, hPrev = dGh + s.rows * g3, dh = hPrev + s.rows * h, back = dh + bsz * h
        RecurrentSupport.previousStates(s, y: y, h0: nil, into: hPrev)
        for t in stride(from: steps - 1, through: 0, by: -1) {
            pool.parallelFor(bsz) { b in     // samples are independent
                let row = b * steps + t
                let a = gates + row * g3, gn = ghn + row * h, hp = hPrev + row * h
                let dxr = dGx + row * g3, dhr = dGh + row * g3, dhb = dh + b * h
                for j in 0..<h {
                    let r = a[j], z = a[h + j], n = a[2 * h + j]
                    let d = masks.zoneHidden?[row * h + j] ?? 0
                    let dht = dhb[j] + dy[row * h + j]
                    let dhNew = (1 - d) * dht                                // ∂h̃
                    let dan = dhNew * (1 - z) * (1 - n * n)                  // ∂ pre-tanh of n
                    let dar = dan * gn[j] * r * (1 - r)                      // ∂ pre-σ of r
                    let daz = dhNew * (hp[j] - n) * z * (1 - z)              // ∂ pre-σ of z
                    dxr[j] = dar; dxr[h + j] = daz; dxr[2 * h + j] = dan
                    dhr[j] = dar; dhr[h + j] = daz; dhr[2 * h + j] = dan * r
                    dhb[j] = d * dht + dhNew * z                             // identity paths to h_{t−1}
                }
            }
            // ∂h_{t−1} += (∂gh_t · W_hh) ⊙ m
            Gemm.sgemm(m: bsz, n: h, k: g3, a: dGh + t * g3, lda: steps * g3, b: wHh, ldb: h, c: back, ldc: h, pool: pool)
            for k in 0..<(bsz * h) { dh[k] += back[k] * (masks.recurrent?[k] ?? 1) }
        }
        if let m = masks.recurrent {
            for b in 0..<bsz { for t in 0..<steps { for j in 0..<h { hPrev[(b * steps + t) * h + j] *= m[b * h + j] } } }
        }
        Gemm.sgemm(transA: true, m: g3, n: s.input, k: s.rows, a: dGx, lda: g3, b: x, ldb: s.input, c: dwIh, ldc: s.input, pool: pool)
        Gemm.sgemm(transA: true, m: g3, n: h, k: s.rows, a: dGh, lda: g3, b: hPrev, ldb: h, c: dwHh, ldc: h, pool: pool)
        if let dbIh { Bias.gradColumns(m: s.rows, n: g3, dGx, ld: g3, dbias: dbIh, pool: pool) }
        if let dbHh { Bias.gradColumns(m: s.rows, n: g3, dGh, ld: g3, dbias: dbHh, pool: pool) }
        if let dx {
            Gemm.sgemm(m: s.rows, n: s.input, k: g3, a: dGx, lda: g3, b: wIh, ldb: s.input, c: dx, ldc: s.input, pool: pool)
        }
    }
}
