/// Global average pooling and nearest-neighbour upsampling.
///
/// Layouts: global average pooling maps x [N, C, H, W] to y [N, C] (each plane's mean, summed with
/// the fixed-order `Reduce.sum`); nearest upsampling by integer factors maps [N, C, H, W] to
/// [N, C, H·sh, W·sw] with y[.., i, j] = x[.., i / sh, j / sw] (PyTorch `Upsample(mode="nearest")`
/// with integer scale), whose backward sums each sh×sw block.
public enum GlobalAvgPool {
    public static func forward(planes: Int, spatial: Int, x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>) {
        let inv = 1 / Float(spatial)
        for p in 0..<planes { y[p] = Reduce.sum(x + p * spatial, count: spatial) * inv }
    }

    public static func backward(planes: Int, spatial: Int, dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>) {
        let inv = 1 / Float(spatial)
        for p in 0..<planes { (dx + p * spatial).update(repeating: dy[p] * inv, count: spatial) }
    }
}

public enum UpsampleNearest {
    public static func forward(planes: Int, height h: Int, width w: Int, scaleH sh: Int, scaleW sw: Int,
                               x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>) {
        let (oh, ow) = (h * sh, w * sw)
        for p in 0..<planes {
            let xp = x + p * h * w, yp = y + p * oh * ow
            for i in 0..<oh { for j in 0..<ow { yp[i * ow + j] = xp[(i / sh) * w + j / sw] } }
        }
    }

    public static func backward(planes: Int, height h: Int, width w: Int, scaleH sh: Int, scaleW sw: Int,
                                dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>) {
        let (oh, ow) = (h * sh, w * sw)
        for p in 0..<planes {
            let dxp = dx + p * h * w, dyp = dy + p * oh * ow
            dxp.update(repeating: 0, count: h * w)
            for i in 0..<oh { for j in 0..<ow { dxp[(i / sh) * w + j / sw] += dyp[i * ow + j] } }
        }
    }
}
