/// Per-example axis permutation (torch.permute, Keras Permute): for each of `batch` examples of
/// per-example `shape`, output axis k is input axis `axes[k]`. Used to turn `[seq, features]` into
/// `[features, seq]` or `[C, H, W]` into `[H, W, C]`; the gradient is the inverse permutation.
public enum Permute {
    public static func forward(batch: Int, shape: [Int], axes: [Int], x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>) {
        let rank = shape.count, count = shape.reduce(1, *)
        guard count > 0 else { return }
        // Input strides, read in output order.
        var inStride = [Int](repeating: 1, count: rank)
        for k in stride(from: rank - 2, through: 0, by: -1) { inStride[k] = inStride[k + 1] * shape[k + 1] }
        let outShape = axes.map { shape[$0] }, step = axes.map { inStride[$0] }
        for b in 0..<batch {
            let xb = x + b * count, yb = y + b * count
            var index = [Int](repeating: 0, count: rank), offset = 0
            for j in 0..<count {
                yb[j] = xb[offset]
                // Odometer over the output axes, last fastest.
                var k = rank - 1
                while k >= 0 {
                    index[k] += 1
                    offset += step[k]
                    if index[k] < outShape[k] { break }
                    offset -= step[k] * outShape[k]
                    index[k] = 0
                    k -= 1
                }
            }
        }
    }
}
