import Foundation

/// Naive twins of `LSTM` and `GRU` in Float64: one sample, one step, one unit at a time, straight
/// from the PyTorch equations. Same layouts.
public enum RecurrentReference {
    static func sigmoid(_ x: Double) -> Double { 1 / (1 + exp(-x)) }

    /// Returns (y [B,T,H], hN [B,H], cN [B,H]).
    public static func lstm(_ s: RecurrentShape, x: [Double], wIh: [Double], wHh: [Double], bIh: [Double], bHh: [Double],
                            h0: [Double], c0: [Double]) -> ([Double], [Double], [Double]) {
        let (H, I) = (s.hidden, s.input)
        var y = [Double](repeating: 0, count: s.batch * s.steps * H)
        var hN = h0, cN = c0
        for b in 0..<s.batch {
            var hv = Array(h0[(b * H)..<(b * H + H)]), cv = Array(c0[(b * H)..<(b * H + H)])
            for t in 0..<s.steps {
                var a = [Double](repeating: 0, count: 4 * H)
                for r in 0..<(4 * H) {
                    var sum = bIh[r] + bHh[r]
                    for k in 0..<I { sum += wIh[r * I + k] * x[(b * s.steps + t) * I + k] }
                    for k in 0..<H { sum += wHh[r * H + k] * hv[k] }
                    a[r] = sum
                }
                for j in 0..<H {
                    let i = sigmoid(a[j]), f = sigmoid(a[H + j]), g = tanh(a[2 * H + j]), o = sigmoid(a[3 * H + j])
                    cv[j] = f * cv[j] + i * g
                    hv[j] = o * tanh(cv[j])
                }
                for j in 0..<H { y[(b * s.steps + t) * H + j] = hv[j] }
            }
            for j in 0..<H { hN[b * H + j] = hv[j]; cN[b * H + j] = cv[j] }
        }
        return (y, hN, cN)
    }

    /// Returns (y [B,T,H], hN [B,H]).
    public static func gru(_ s: RecurrentShape, x: [Double], wIh: [Double], wHh: [Double], bIh: [Double], bHh: [Double],
                           h0: [Double]) -> ([Double], [Double]) {
        let (H, I) = (s.hidden, s.input)
        var y = [Double](repeating: 0, count: s.batch * s.steps * H)
        var hN = h0
        for b in 0..<s.batch {
            var hv = Array(h0[(b * H)..<(b * H + H)])
            for t in 0..<s.steps {
                var gx = [Double](repeating: 0, count: 3 * H), gh = gx
                for r in 0..<(3 * H) {
                    gx[r] = bIh[r]; gh[r] = bHh[r]
                    for k in 0..<I { gx[r] += wIh[r * I + k] * x[(b * s.steps + t) * I + k] }
                    for k in 0..<H { gh[r] += wHh[r * H + k] * hv[k] }
                }
                var next = hv
                for j in 0..<H {
                    let r = sigmoid(gx[j] + gh[j]), z = sigmoid(gx[H + j] + gh[H + j])
                    let n = tanh(gx[2 * H + j] + r * gh[2 * H + j])
                    next[j] = (1 - z) * n + z * hv[j]
                }
                hv = next
                for j in 0..<H { y[(b * s.steps + t) * H + j] = hv[j] }
            }
            for j in 0..<H { hN[b * H + j] = hv[j] }
        }
        return (y, hN)
    }
}
