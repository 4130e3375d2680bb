/// The geometry of a zero padding (negative amounts crop) of NCHW planes after keeping every
/// `stride`-th row and column: ResNet's option-A shortcut (He et al. 2016, `x[:, :, ::2, ::2]`
/// then zero channels), PyramidNet's zero-padded shortcut (Han et al. 2017) and Shake-Shake's
/// one-pixel shift (Gastaldi 2017, pad right/bottom and crop top/left).
public struct Pad2dShape: Sendable {
    public var batch: Int, channels: Int, height: Int, width: Int
    public var stride: Int
    /// (before, after) per axis; negative crops.
    public var padC: (Int, Int), padH: (Int, Int), padW: (Int, Int)

    public init(batch: Int, channels: Int, height: Int, width: Int, stride: Int,
                channelPad: [Int], heightPad: [Int], widthPad: [Int]) {
        (self.batch, self.channels, self.height, self.width, self.stride) = (batch, channels, height, width, stride)
        (padC, padH, padW) = ((channelPad[0], channelPad[1]), (heightPad[0], heightPad[1]), (widthPad[0], widthPad[1]))
    }

    public var outChannels: Int { channels + padC.0 + padC.1 }
    public var outHeight: Int { (height + stride - 1) / stride + padH.0 + padH.1 }
    public var outWidth: Int { (width + stride - 1) / stride + padW.0 + padW.1 }
    public var outputCount: Int { batch * outChannels * outHeight * outWidth }
}

/// y[n, c, h, w] = x[n, c − padC.0, (h − padH.0)·s, (w − padW.0)·s] where that lies in x, else 0.
/// A pure gather: the backward is the matching scatter (every x entry is read at most once).
public enum Pad2d {
    /// The input row index that output index `o` reads along one axis, or nil for a zero.
    @inline(__always)
    static func source(_ o: Int, before: Int, stride: Int, size: Int) -> Int? {
        let k = o - before
        guard k >= 0 else { return nil }
        let i = k * stride
        return i < size ? i : nil
    }

    public static func forward(_ s: Pad2dShape, x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>) {
        let (oc, oh, ow) = (s.outChannels, s.outHeight, s.outWidth)
        for n in 0..<s.batch {
            for c in 0..<oc {
                let plane = y + (n * oc + c) * oh * ow
                guard let ic = source(c, before: s.padC.0, stride: 1, size: s.channels) else {
                    plane.update(repeating: 0, count: oh * ow)
                    continue
                }
                let xp = x + (n * s.channels + ic) * s.height * s.width
                for h in 0..<oh {
                    let row = plane + h * ow
                    guard let ih = source(h, before: s.padH.0, stride: s.stride, size: s.height) else {
                        row.update(repeating: 0, count: ow)
                        continue
                    }
                    for w in 0..<ow {
                        row[w] = source(w, before: s.padW.0, stride: s.stride, size: s.width).map { xp[ih * s.width + $0] } ?? 0
                    }
                }
            }
        }
    }

    /// dx = the dy entries each x entry went to; x entries the forward skipped (stride, crop) get 0.
    public static func backward(_ s: Pad2dShape, dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>) {
        let (oc, oh, ow) = (s.outChannels, s.outHeight, s.outWidth)
        dx.update(repeating: 0, count: s.batch * s.channels * s.height * s.width)
        for n in 0..<s.batch {
            for c in 0..<oc {
                guard let ic = source(c, before: s.padC.0, stride: 1, size: s.channels) else { continue }
                let g = dy + (n * oc + c) * oh * ow, d = dx + (n * s.channels + ic) * s.height * s.width
                for h in 0..<oh {
                    guard let ih = source(h, before: s.padH.0, stride: s.stride, size: s.height) else { continue }
                    for w in 0..<ow {
                        if let iw = source(w, before: s.padW.0, stride: s.stride, size: s.width) { d[ih * s.width + iw] = g[h * ow + w] }
                    }
                }
            }
        }
    }
}
