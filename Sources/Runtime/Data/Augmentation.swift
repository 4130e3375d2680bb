import Foundation

/// Data augmentation of training images (semantics reference §6), applied by `BatchLoader` to
/// each example after normalization, in the order listed.
///
/// Random numbers are keyed by (seed, epoch, the example's index in its dataset): an example is
/// augmented the same way whatever batch it lands in and whatever the thread count.
///
/// - `randomCrop(padding: P)`: pad P on every side with `fill` (a black pixel after
///   normalization, as torchvision's `RandomCrop(size, padding=P)` before `Normalize`), then crop
///   the original size at an offset uniform in {0…2P}² (DeVries & Taylor's and the CIFAR recipe's
///   `RandomCrop(32, padding=4)`).
/// - `flip(horizontal:vertical:p:)`: reverse the width (and/or height) axis with probability p,
///   each axis independently (torchvision `RandomHorizontalFlip(p)`; Keras `RandomFlip` modes).
/// - `cutout(size: S)`: zero one S×S square in every channel (0 after normalization, the data
///   mean), centred uniformly over all pixels and clipped at the borders: rows
///   [cy − ⌊S/2⌋, cy − ⌊S/2⌋ + S) (DeVries & Taylor 2017).
/// - `rotate(degrees: d)`, `translate(fraction: f)`, `zoom(fraction: f)`: an affine warp about the
///   image centre by an angle uniform in [−d, d] degrees (counter-clockwise as displayed), a shift
///   uniform in [−f·W, f·W] × [−f·H, f·H] pixels, or a magnification uniform in [1 − f, 1 + f];
///   bilinear interpolation, `fill` outside the image (torchvision `RandomRotation`/`RandomAffine`
///   with `interpolation=BILINEAR, fill=0`; the tutorial's Keras layers do the same with
///   `fill_mode="constant"`, their default being `"reflect"`).
public struct Augmentation: Hashable, Sendable {
    public enum Kind: Hashable, Sendable {
        case randomCrop(padding: Int)
        case flip(horizontal: Bool, vertical: Bool, p: Float)
        case cutout(size: Int)
        case rotate(degrees: Float)
        case translate(fraction: Float)
        case zoom(fraction: Float)
        case colorJitter(ColorJitter)
    }

    public var kind: Kind
    /// Applied in the first `epochs` epochs only; nil = every epoch.
    public var epochs: Int?

    public init(_ kind: Kind, epochs: Int? = nil) {
        self.kind = kind
        self.epochs = epochs
    }

    /// Random draws per augmentation per example (the stream's element layout).
    static let draws = 2

    /// Augments one [C, H, W] example in place. `index` is the example's index in its dataset,
    /// `slot` the augmentation's position in the list; `scratch` holds at least C·H·W floats.
    func apply(_ x: UnsafeMutablePointer<Float>, channels c: Int, height h: Int, width w: Int, normalization: Normalization,
               random: RandomStream, index: Int, slot: Int, scratch: UnsafeMutablePointer<Float>) {
        let at = (index * Self.slots + slot) * Self.draws
        let fill = normalization.apply(0)
        switch kind {
        case .randomCrop(let p):
            let dy = Self.below(2 * p + 1, random.bits(at: at)) - p
            let dx = Self.below(2 * p + 1, random.bits(at: at + 1)) - p
            if dx == 0 && dy == 0 { return }
            scratch.update(from: x, count: c * h * w)
            for ch in 0..<c {
                let src = scratch + ch * h * w, dst = x + ch * h * w
                for y in 0..<h {
                    let sy = y + dy
                    for xx in 0..<w {
                        let sx = xx + dx
                        dst[y * w + xx] = sy >= 0 && sy < h && sx >= 0 && sx < w ? src[sy * w + sx] : fill
                    }
                }
            }
        case .flip(let horizontal, let vertical, let p):
            let flipW = horizontal && random.uniform(at: at) < p
            let flipH = vertical && random.uniform(at: at + 1) < p
            guard flipW || flipH else { return }
            scratch.update(from: x, count: c * h * w)
            for ch in 0..<c {
                let src = scratch + ch * h * w, dst = x + ch * h * w
                for y in 0..<h {
                    let sy = flipH ? h - 1 - y : y
                    for xx in 0..<w { dst[y * w + xx] = src[sy * w + (flipW ? w - 1 - xx : xx)] }
                }
            }
        case .cutout(let s):
            let cy = Self.below(h, random.bits(at: at)), cx = Self.below(w, random.bits(at: at + 1))
            let y0 = max(cy - s / 2, 0), y1 = min(cy - s / 2 + s, h)
            let x0 = max(cx - s / 2, 0), x1 = min(cx - s / 2 + s, w)
            guard y0 < y1 && x0 < x1 else { return }
            for ch in 0..<c {
                for y in y0..<y1 { (x + ch * h * w + y * w + x0).update(repeating: 0, count: x1 - x0) }
            }
        case .rotate(let d):
            let theta = (2 * random.uniform(at: at) - 1) * d * .pi / 180
            let (cs, sn) = (cos(theta), sin(theta))
            // The output point (u, v), v pointing up, shows the source point rotated back by θ.
            Self.warp(x, channels: c, height: h, width: w, fill: fill, scratch: scratch) { u, v in (cs * u + sn * v, -sn * u + cs * v) }
        case .translate(let f):
            let tx = (2 * random.uniform(at: at) - 1) * f * Float(w), ty = (2 * random.uniform(at: at + 1) - 1) * f * Float(h)
            // ty > 0 moves the content down: the output row y shows source row y − ty (v = −y).
            Self.warp(x, channels: c, height: h, width: w, fill: fill, scratch: scratch) { u, v in (u - tx, v + ty) }
        case .zoom(let f):
            let s = 1 + (2 * random.uniform(at: at) - 1) * f
            Self.warp(x, channels: c, height: h, width: w, fill: fill, scratch: scratch) { u, v in (u / s, v / s) }
        case .colorJitter(let j):
            // On the image as x/scale in [0, 1] (before `mean` and `std`), as torchvision after ToTensor.
            let n = h * w, (m, sd) = (normalization.mean, normalization.std)
            for i in 0..<(3 * n) { x[i] = x[i] * sd + m }
            let jitter = RandomStream(seed: random.seed, step: random.step, stream: RandomStream.colorJitter)
            let base = (index * Self.slots + slot) * ColorJitter.draws
            j.apply(x, plane: n) { jitter.uniform(at: base + $0) }
            for i in 0..<(3 * n) { x[i] = (x[i] - m) / sd }
        }
    }

    /// Resamples every channel of `x` in place: output pixel (y, x) takes the bilinear
    /// interpolation at the source point `source(u, v)`, in coordinates centred on the image
    /// centre ((W − 1)/2, (H − 1)/2) with `u` to the right and `v` up; `fill` outside.
    static func warp(_ x: UnsafeMutablePointer<Float>, channels c: Int, height h: Int, width w: Int, fill: Float,
                     scratch: UnsafeMutablePointer<Float>, source: (Float, Float) -> (Float, Float)) {
        scratch.update(from: x, count: c * h * w)
        let cx = Float(w - 1) / 2, cy = Float(h - 1) / 2
        for y in 0..<h {
            for xx in 0..<w {
                let (u, v) = source(Float(xx) - cx, cy - Float(y))
                let sx = cx + u, sy = cy - v
                let x0 = Int(sx.rounded(.down)), y0 = Int(sy.rounded(.down))
                let fx = sx - Float(x0), fy = sy - Float(y0)
                for ch in 0..<c {
                    let src = scratch + ch * h * w
                    func at(_ yy: Int, _ xc: Int) -> Float { yy >= 0 && yy < h && xc >= 0 && xc < w ? src[yy * w + xc] : fill }
                    let top = at(y0, x0) + fx * (at(y0, x0 + 1) - at(y0, x0))
                    let bottom = at(y0 + 1, x0) + fx * (at(y0 + 1, x0 + 1) - at(y0 + 1, x0))
                    x[ch * h * w + y * w + xx] = top + fy * (bottom - top)
                }
            }
        }
    }

    /// Augmentations per example in the stream's layout (a list longer than this is refused by
    /// the checker).
    public static let slots = 16

    /// A uniform integer in 0..<n from 32 random bits (Lemire's multiply-shift; the bias is below
    /// n/2³², irrelevant for image sizes).
    @inline(__always)
    static func below(_ n: Int, _ bits: UInt32) -> Int { Int((UInt64(bits) &* UInt64(n)) >> 32) }
}

extension RandomStream {
    /// Data augmentation (`step` = epoch, element = example index · slots · draws + …).
    public static let augment: UInt32 = 0xFFFF_0003
}
