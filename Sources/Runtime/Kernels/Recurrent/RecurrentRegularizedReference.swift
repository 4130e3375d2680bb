import Foundation

/// Naive Float64 twins of the regularized `LSTM`/`GRU` kernels (`RecurrentMasks`): one sample,
/// one step, one unit at a time, zero initial state. `recurrent` is [B·H] (or empty for none),
/// `zoneCell`/`zoneHidden` are [B·T·H] (or empty). Returns y [B, T, H].
public enum RecurrentRegularizedReference {
    static func sigmoid(_ x: Double) -> Double { 1 / (1 + exp(-x)) }

    public static func lstm(_ s: RecurrentShape, x: [Double], wIh: [Double], wHh: [Double], bIh: [Double], bHh: [Double],
                            recurrent: [Double], zoneCell: [Double], zoneHidden: [Double]) -> [Double] {
        let (H, I, T) = (s.hidden, s.input, s.steps)
        var y = [Double](repeating: 0, count: s.batch * T * H)
        for b in 0..<s.batch {
            var h = [Double](repeating: 0, count: H), c = h
            for t in 0..<T {
                let hm = (0..<H).map { h[$0] * (recurrent.isEmpty ? 1 : recurrent[b * H + $0]) }
                var a = [Double](repeating: 0, count: 4 * H)
                for r in 0..<(4 * H) {
                    a[r] = bIh[r] + bHh[r]
                    for k in 0..<I { a[r] += wIh[r * I + k] * x[(b * T + t) * I + k] }
                    for k in 0..<H { a[r] += wHh[r * H + k] * hm[k] }
                }
                for j in 0..<H {
                    let i = sigmoid(a[j]), f = sigmoid(a[H + j]), g = tanh(a[2 * H + j]), o = sigmoid(a[3 * H + j])
                    let cNew = f * c[j] + i * g, hNew = o * tanh(cNew)
                    let k = (b * T + t) * H + j
                    let dc = zoneCell.isEmpty ? 0 : zoneCell[k], dh = zoneHidden.isEmpty ? 0 : zoneHidden[k]
                    c[j] = dc * c[j] + (1 - dc) * cNew
                    h[j] = dh * h[j] + (1 - dh) * hNew
                    y[k] = h[j]
                }
            }
        }
        return y
    }

    public static func gru(_ s: RecurrentShape, x: [Double], wIh: [Double], wHh: [Double], bIh: [Double], bHh: [Double],
                           recurrent: [Double], zoneHidden: [Double]) -> [Double] {
        let (H, I, T) = (s.hidden, s.input, s.steps)
        var y = [Double](repeating: 0, count: s.batch * T * H)
        for b in 0..<s.batch {
            var h = [Double](repeating: 0, count: H)
            for t in 0..<T {
                let hm = (0..<H).map { h[$0] * (recurrent.isEmpty ? 1 : recurrent[b * H + $0]) }
                var gx = [Double](repeating: 0, count: 3 * H), gh = gx
                for r in 0..<(3 * H) {
                    gx[r] = bIh[r]; gh[r] = bHh[r]
                    for k in 0..<I { gx[r] += wIh[r * I + k] * x[(b * T + t) * I + k] }
                    for k in 0..<H { gh[r] += wHh[r * H + k] * hm[k] }
                }
                var next = h
                for j in 0..<H {
                    let r = sigmoid(gx[j] + gh[j]), z = sigmoid(gx[H + j] + gh[H + j])
                    let n = tanh(gx[2 * H + j] + r * gh[2 * H + j])
                    let k = (b * T + t) * H + j, d = zoneHidden.isEmpty ? 0 : zoneHidden[k]
                    next[j] = d * h[j] + (1 - d) * ((1 - z) * n + z * h[j])
                    y[k] = next[j]
                }
                h = next
            }
        }
        return y
    }
}
