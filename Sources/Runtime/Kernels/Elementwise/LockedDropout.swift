/// Locked (variational) dropout over sequences (Merity et al. 2018, AWD-LSTM's `LockedDropout`;
/// Keras `SpatialDropout1D`): one inverted-dropout mask per (sample, feature), shared by every
/// step of the sequence, so a dropped feature is gone for the whole sequence.
///
/// Layout: x and y are `[batch, steps, features]`. The mask of (n, f) is
/// `stream.uniform(at: n·features + f) < 1 − p`; kept values are scaled by 1/(1 − p). The same
/// call on dy gives dx (the mask is regenerated from the same key). x and y may alias.
public enum LockedDropout {
    public static func apply(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, batch: Int, steps: Int,
                             features: Int, p: Double, stream: RandomStream) {
        let q = Float(1 - p), scale: Float = q > 0 ? 1 / q : 0
        var mask = [Float](repeating: 0, count: features)
        for n in 0..<batch {
            for f in 0..<features { mask[f] = stream.uniform(at: n * features + f) < q ? scale : 0 }
            let base = n * steps * features
            for t in 0..<steps {
                for f in 0..<features { y[base + t * features + f] = x[base + t * features + f] * mask[f] }
            }
        }
    }
}
