import Foundation
import Check
import IR
import Runtime

/// Losses, penalties and metrics. Scalars are written to element 0 of their value.
extension ExecutorOps {
    static func runLoss(_ op: Op, _ i: [ValueID], _ o: [ValueID], _ ptr: Ptr, _ e: Executor) -> Bool {
        switch op {
        case .softmaxCrossEntropy(let sm):
            // The kernel fuses the loss with its gradient: the `probs` output holds
            // (softmax − q)/N, which is exactly what softmaxCrossEntropyBackward returns (an
            // evaluation graph reads only the loss, and the gradient is not computed).
            let n = e.batch, k = e.unitCount[i[0].raw]
            let probs = o.count > 1 && e.isRead[o[1].raw] ? e.storage(o[1]) : nil
            let r = e.graph[i[1]].dtype == .float32
                ? SoftmaxCrossEntropy.forwardBackward(batch: n, classes: k, logits: ptr(i[0]), targets: ptr(i[1]),
                                                      smoothing: smoothing(sm), dlogits: probs, pool: e.pool)
                : SoftmaxCrossEntropy.forwardBackward(batch: n, classes: k, logits: ptr(i[0]), labels: e.int32Pointer(i[1]),
                                                      smoothing: smoothing(sm), dlogits: probs, pool: e.pool)
            ptr(o[0])[0] = Float(r.loss)
        case .softmaxCrossEntropyBackward:
            let src = ptr(i[0]), dst = ptr(o[0])
            if src != dst { dst.update(from: src, count: e.count(o[0])) }
        case .accuracy:
            let n = e.batch, k = e.unitCount[i[0].raw]
            let c = e.graph[i[1]].dtype == .float32
                ? SoftmaxCrossEntropy.correctCount(batch: n, classes: k, logits: ptr(i[0]), targets: ptr(i[1]))
                : SoftmaxCrossEntropy.correctCount(batch: n, classes: k, logits: ptr(i[0]), labels: e.int32Pointer(i[1]))
            ptr(o[0])[0] = n > 0 ? Float(c) / Float(n) : 0
        case .mseLoss:                                      // mean (p − t)²
            ptr(o[0])[0] = MeanSquaredError.loss(count: e.count(i[0]), predictions: ptr(i[0]), targets: ptr(i[1]))
        case .mseLossBackward:                              // 2(p − t)/count
            MeanSquaredError.backward(count: e.count(i[0]), predictions: ptr(i[0]), targets: ptr(i[1]), dpredictions: ptr(o[0]))
        case .bceLoss:                                      // mean −(t·log p + (1−t)·log(1−p)), logs ≥ −100
            ptr(o[0])[0] = BinaryCrossEntropy.loss(count: e.count(i[0]), probabilities: ptr(i[0]), targets: ptr(i[1]))
        case .bceLossBackward:                              // (p − t)/max(p(1−p), 1e-12)/count
            BinaryCrossEntropy.backward(count: e.count(i[0]), probabilities: ptr(i[0]), targets: ptr(i[1]), dprobabilities: ptr(o[0]))
        case .consistencyLoss, .consistencyLossBackward:    // w/(rows·K)·Σ(softmax(z) − p)², and dz
            let k = e.graph[i[0]].shape.last?.value ?? 1, rows = e.count(i[0]) / max(k, 1)
            let d = op == .consistencyLossBackward ? ptr(o[0]) : nil
            let c = SoftmaxConsistency.forwardBackward(rows: rows, classes: k, logits: ptr(i[0]), target: ptr(i[1]), weight: ptr(i[2])[0], dlogits: d)
            if d == nil { ptr(o[0])[0] = Float(c) }
        case .spectralPenalty(let lambda):                  // [W, u, v] → (λ/2)·(uᵀWv)², W as [rows, rest]
            let rows = e.shape(i[0])[0], cols = e.count(i[0]) / max(rows, 1)
            ptr(o[0])[0] = SpectralPenalty.penalty(lambda: e.rate(lambda), rows: rows, cols: cols, w: ptr(i[0]), u: ptr(i[1]), v: ptr(i[2]))
        case .spectralPenaltyBackward(let lambda):          // λ·σ·u·vᵀ
            let rows = e.shape(i[0])[0], cols = e.count(i[0]) / max(rows, 1)
            SpectralPenalty.gradient(lambda: e.rate(lambda), rows: rows, cols: cols, w: ptr(i[0]), u: ptr(i[1]), v: ptr(i[2]), dw: ptr(o[0]))
        case .l1Penalty(let lambda):                        // λ·Σ|w|
            let w = ptr(i[0]), n = e.count(i[0])
            var s = 0.0
            for j in 0..<n { s += Double(abs(w[j])) }
            ptr(o[0])[0] = Float(e.rate(lambda) * s)
        case .l1PenaltyBackward(let lambda):                // λ·sign(w), sign(0) = 0
            let w = ptr(i[0]), d = ptr(o[0]), l = Float(e.rate(lambda))
            for j in 0..<e.count(i[0]) { d[j] = w[j] > 0 ? l : (w[j] < 0 ? -l : 0) }
        case .l2Penalty(let lambda):                        // λ·Σw²
            let w = ptr(i[0]), n = e.count(i[0])
            var s = 0.0
            for j in 0..<n { s += Double(w[j]) * Double(w[j]) }
            ptr(o[0])[0] = Float(e.rate(lambda) * s)
        case .l2PenaltyBackward(let lambda):                // 2λ·w
            let w = ptr(i[0]), d = ptr(o[0]), c = Float(2 * e.rate(lambda))
            for j in 0..<e.count(i[0]) { d[j] = c * w[j] }
        default:
            return false
        }
        return true
    }

    static func smoothing(_ s: Smoothing) -> LabelSmoothing {
        switch s.variant {
        case .uniform: return .uniform(Float(s.epsilon))
        case .offTarget: return .offTarget(Float(s.epsilon))
        }
    }
}
