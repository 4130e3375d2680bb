/// DropBlock (Ghiasi, Lin & Le 2018, "DropBlock: A regularization method for convolutional
/// networks"): dropout of whole bs×bs squares of a feature map, so that a dropped unit's
/// neighbours, which carry much the same information in a convolutional map, go with it.
///
/// Layout: x and y are `planes` contiguous maps of `height·width` floats ([N, C, H, W] gives
/// N·C planes). Every plane, one per (example, channel), has its own mask: the paper reports that
/// better than one mask shared by the channels. With `p` the drop probability 1 − keep_prob:
///
///     γ = p/bs² · H·W/((H−bs+1)(W−bs+1))                          seed rate (paper, eq. 1)
///     centre (i, j) of plane r, for bs/2 ≤ i < H − (bs−1)/2 and bs/2 ≤ j < W − (bs−1)/2
///         (where a whole block fits, the paper's valid region): a seed iff u(r·H·W + i·W + j) < γ
///     M = 0 on rows i − bs/2 ..< i − bs/2 + bs and columns j − bs/2 ..< j − bs/2 + bs of every
///         seed, 1 elsewhere
///     y = x·M·count(M)/sum(M)     count and sum over the mask of the whole batch (the paper's
///                                 and timm's normalization); y = 0 when every unit is dropped
///     dx = dy·M·count(M)/sum(M)   the same call on dy: the mask is regenerated from the key
///
/// u is `stream.uniform(at:)`, so the mask depends on (seed, step, stream) alone. timm's
/// `DropBlock2d(fast=True)` draws centres everywhere and clips blocks at the border; Regula keeps
/// the paper's valid region. `bs(H − bs + 1) ≥ H` for 1 ≤ bs ≤ H, so γ ≤ p.
public enum DropBlock {
    /// The seed rate γ for drop probability `p` on an H×W map (`blockSize` ≤ H, W).
    public static func seedRate(p: Double, blockSize bs: Int, height h: Int, width w: Int) -> Double {
        p / Double(bs * bs) * Double(h * w) / Double((h - bs + 1) * (w - bs + 1))
    }

    /// The drop probability at optimizer step `step`: the paper's linear schedule
    /// `p·min(1, step/scheduleSteps)` (keep_prob falling from 1 to 1 − p), or `p` without one.
    public static func scheduledRate(_ p: Double, scheduleSteps: Int?, step: UInt64) -> Double {
        guard let n = scheduleSteps, n > 0 else { return p }
        return p * min(1, Double(step) / Double(n))
    }

    /// Forward (y from x) or backward (dx from dy, the same call) at the step of `stream`, with the
    /// drop probability scheduled over `scheduleSteps` steps when given. x and y may alias.
    /// Planes are independent work items and the kept count is an integer, so results do not
    /// depend on the pool's thread count.
    public static func apply(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, planes: Int, height h: Int,
                             width w: Int, blockSize bs: Int, p: Double, scheduleSteps: Int? = nil,
                             stream: RandomStream, pool: ThreadPool = .default) {
        precondition(bs >= 1 && bs <= h && bs <= w, "dropblock block size \(bs) does not fit a \(h)×\(w) map")
        let size = h * w, total = planes * size
        let rate = scheduledRate(p, scheduleSteps: scheduleSteps, step: stream.step)
        if rate <= 0 {
            if UnsafePointer(y) != x { y.update(from: x, count: total) }
            return
        }
        let mask = UnsafeMutablePointer<UInt8>.allocate(capacity: max(total, 1))
        defer { mask.deallocate() }
        let kept = keepMask(mask, planes: planes, height: h, width: w, blockSize: bs, p: rate, stream: stream, pool: pool)
        let scale: Float = kept > 0 ? Float(Double(total) / Double(kept)) : 0
        pool.parallelFor(planes) { r in
            let src = x + r * size, dst = y + r * size, m = mask + r * size
            for k in 0..<size { dst[k] = src[k] * (m[k] != 0 ? scale : 0) }
        }
    }

    /// Writes the keep mask (1 kept, 0 dropped) of every plane for drop probability `p` (already
    /// scheduled) and returns how many units are kept, sum(M).
    ///
    /// Per plane: the seeds of each valid row come from one contiguous run of the stream, then
    /// every seed clears its block row by row. Seeds are rare (γ ≤ p/bs²), so this costs about one
    /// draw per valid centre plus p·H·W writes, instead of a bs×bs window per unit.
    public static func keepMask(_ mask: UnsafeMutablePointer<UInt8>, planes: Int, height h: Int, width w: Int,
                                blockSize bs: Int, p: Double, stream: RandomStream, pool: ThreadPool = .default) -> Int {
        let size = h * w, half = bs / 2
        let t = RandomStream.threshold(Float(seedRate(p: p, blockSize: bs, height: h, width: w)))
        let rows = half ..< h - (bs - 1) / 2, cols = half ..< w - (bs - 1) / 2
        let kept = UnsafeMutablePointer<Int>.allocate(capacity: max(planes, 1))
        defer { kept.deallocate() }
        pool.parallelFor(planes) { r in
            let m = mask + r * size
            m.update(repeating: 1, count: size)
            for i in rows {
                let first = r * size + i * w + cols.lowerBound
                stream.forEachBits(offset: first, count: cols.count) { e, bits in
                    guard (bits >> 8) < t else { return }
                    let j = e - first + cols.lowerBound
                    for row in (i - half) ..< (i - half + bs) { (m + row * w + j - half).update(repeating: 0, count: bs) }
                }
            }
            var n = 0
            for k in 0..<size { n += Int(m[k]) }
            kept[r] = n
        }
        var sum = 0
        for r in 0..<planes { sum += kept[r] }
        return sum
    }
}

/// The naive twin of `DropBlock`, written from the definition for the tests: unit (i, j) of a
/// plane is dropped iff some centre of the valid region whose block covers it is a seed.
public enum DropBlockReference {
    /// The keep mask of every plane (true = kept), unit by unit.
    public static func keepMask(planes: Int, height h: Int, width w: Int, blockSize bs: Int, p: Double,
                                stream: RandomStream) -> [Bool] {
        let gamma = Float(DropBlock.seedRate(p: p, blockSize: bs, height: h, width: w))
        let half = bs / 2
        func valid(_ a: Int, _ b: Int) -> Bool { a >= half && a < h - (bs - 1) / 2 && b >= half && b < w - (bs - 1) / 2 }
        var keep = [Bool](repeating: true, count: planes * h * w)
        for r in 0..<planes {
            for i in 0..<h {
                for j in 0..<w {
                    // Centre a covers rows a − half ... a − half + bs − 1.
                    for a in (i + half - bs + 1)...(i + half) {
                        for b in (j + half - bs + 1)...(j + half) where valid(a, b) {
                            if stream.uniform(at: r * h * w + a * w + b) < gamma { keep[r * h * w + i * w + j] = false }
                        }
                    }
                }
            }
        }
        return keep
    }

    /// y = x·M·count(M)/sum(M) with the scheduled rate, or x when the rate is 0.
    public static func apply(_ x: [Float], planes: Int, height: Int, width: Int, blockSize: Int, p: Double,
                             scheduleSteps: Int? = nil, stream: RandomStream) -> [Float] {
        let rate = DropBlock.scheduledRate(p, scheduleSteps: scheduleSteps, step: stream.step)
        if rate <= 0 { return x }
        let keep = keepMask(planes: planes, height: height, width: width, blockSize: blockSize, p: rate, stream: stream)
        let kept = keep.filter { $0 }.count
        let scale: Float = kept > 0 ? Float(Double(keep.count) / Double(kept)) : 0
        return zip(x, keep).map { $0 * ($1 ? scale : 0) }
    }
}
