import Check
import IR
import Runtime

/// Weight and spectral normalization (reference §4.3, §4.4) on the runtime's `WeightNorm` and
/// `SpectralNorm` kernels; weights are viewed as [rows = out, cols = in·kh·kw].
extension ExecutorOps {
    static func runReparam(_ op: Op, _ i: [ValueID], _ o: [ValueID], _ ptr: Ptr, _ e: Executor) -> Bool {
        func rowsCols(_ w: ValueID) -> (Int, Int) {
            let rows = e.shape(w).first ?? 1
            return (rows, e.count(w) / max(rows, 1))
        }
        switch op {
        case .weightNorm:
            // [v, g] → [w, norms]
            let (r, c) = rowsCols(i[0])
            WeightNorm.forward(rows: r, cols: c, v: ptr(i[0]), g: ptr(i[1]), w: ptr(o[0]), norms: ptr(o[1]))
        case .weightNormBackward:
            // [dw, v, g, norms] → [dv, dg]
            let (r, c) = rowsCols(i[1])
            WeightNorm.backward(rows: r, cols: c, v: ptr(i[1]), g: ptr(i[2]), norms: ptr(i[3]), dw: ptr(i[0]),
                                dv: ptr(o[0]), dg: ptr(o[1]))
        case .powerIteration(let n):
            // [W, u, v] → [u', v']: iterate on copies, the buffers change only in the update effect.
            let (r, c) = rowsCols(i[0])
            let u = ptr(o[0]), v = ptr(o[1])
            u.update(from: ptr(i[1]), count: r)
            v.update(from: ptr(i[2]), count: c)
            SpectralNorm.powerIteration(rows: r, cols: c, w: ptr(i[0]), u: u, v: v, iterations: n)
        case .spectralNorm:
            // [W, u, v] → [W/σ, σ]
            let (r, c) = rowsCols(i[0])
            ptr(o[1])[0] = SpectralNorm.forward(rows: r, cols: c, w: ptr(i[0]), u: ptr(i[1]), v: ptr(i[2]), out: ptr(o[0]))
        case .spectralNormBackward:
            // [dW_SN, W, u, v, σ] → dW
            let (r, c) = rowsCols(i[1])
            SpectralNorm.backward(rows: r, cols: c, w: ptr(i[1]), u: ptr(i[2]), v: ptr(i[3]), sigma: ptr(i[4])[0],
                                  dOut: ptr(i[0]), dw: ptr(o[0]))
        case .spectralNormUpdate:
            // [u, v, u', v']: u ← u', v ← v'
            ptr(i[0]).update(from: ptr(i[2]), count: e.count(i[0]))
            ptr(i[1]).update(from: ptr(i[3]), count: e.count(i[1]))
        default:
            return false
        }
        return true
    }

    static func isReparam(_ op: Op) -> Bool {
        switch op {
        case .weightNorm, .weightNormBackward, .powerIteration, .spectralNorm, .spectralNormBackward, .spectralNormUpdate:
            return true
        default:
            return false
        }
    }
}

/// PyTorch's registration-time values, computed once the weights are drawn: weight norm's
/// g = ‖v‖ per output row (`torch.nn.utils.weight_norm`, the layer's output is unchanged by
/// wrapping), and spectral norm's u, v: Gaussian draws refined by 15 power iterations
/// (`torch.nn.utils.parametrizations.spectral_norm` at registration).
enum ReparamInit {
    static let registrationIterations = 15

    static func apply(infos: [ParamInfo], tensors: [Tensor]) {
        var index: [String: Int] = [:]
        for (k, p) in infos.enumerated() { index[p.name] = k }
        for (k, p) in infos.enumerated() {
            let base = String(p.name.dropLast(p.name.hasSuffix("weight_g") ? "weight_g".count : "weight_u".count))
            switch p.role {
            case .weightGain:
                guard let vi = index[base + "weight_v"] else { preconditionFailure("\(p.name) has no weight_v beside it") }
                let v = tensors[vi], rows = v.shape.first ?? 1
                WeightNorm.initialGain(rows: rows, cols: v.count / max(rows, 1), v: v.data, g: tensors[k].data)
            case .spectralU:
                guard let wi = index[base + "weight_orig"], let vi = index[base + "weight_v"] else {
                    preconditionFailure("\(p.name) has no weight_orig and weight_v beside it")
                }
                let w = tensors[wi], rows = w.shape.first ?? 1
                SpectralNorm.powerIteration(rows: rows, cols: w.count / max(rows, 1), w: w.data, u: tensors[k].data,
                                            v: tensors[vi].data, iterations: registrationIterations)
            case .penaltyU:
                let stem = String(p.name.dropLast("spectral_u".count))
                guard let wi = index[stem + "weight"], let vi = index[stem + "spectral_v"] else {
                    preconditionFailure("\(p.name) has no weight and spectral_v beside it")
                }
                let w = tensors[wi], rows = w.shape.first ?? 1
                SpectralNorm.powerIteration(rows: rows, cols: w.count / max(rows, 1), w: w.data, u: tensors[k].data,
                                            v: tensors[vi].data, iterations: registrationIterations)
            default:
                break
            }
        }
    }
}
