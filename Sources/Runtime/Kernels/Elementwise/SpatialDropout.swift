/// Spatial dropout (Tompson et al. 2015, PyTorch `Dropout2d`): one inverted-dropout draw per
/// plane, so a dropped channel is zero everywhere in it. Embedding dropout (Gal & Ghahramani
/// 2016) is the same over the table viewed `[vocab, 1, dim]`: a dropped word's whole row.
///
/// Layout: x and y are `planes` contiguous planes of `length` floats ([N, C, H, W] gives N·C
/// planes of H·W; an unbatched [V, 1, D] table V planes of D). Plane r is kept iff
/// `stream.uniform(at: r) < 1 − p`, and kept values are scaled by 1/(1 − p). The same call on dy
/// gives dx (the mask is regenerated from the same key). x and y may alias.
public enum SpatialDropout {
    public static func apply(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, planes: Int, length: Int,
                             p: Double, stream: RandomStream) {
        let q = Float(1 - p), scale: Float = q > 0 ? 1 / q : 0
        for r in 0..<planes {
            let s: Float = stream.uniform(at: r) < q ? scale : 0
            for j in 0..<length { y[r * length + j] = s * x[r * length + j] }
        }
    }
}
