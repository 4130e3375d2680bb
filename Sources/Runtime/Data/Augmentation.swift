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
public struct Augmentation: Hashable, Sendable {
    public enum Kind: Hashable, Sendable {
        case randomCrop(padding: Int)
        case flip(horizontal: Bool, vertical: Bool, p: Float)
        case cutout(size: Int)
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
    func apply(_ x: UnsafeMutablePointer<Float>, channels c: Int, height h: Int, width w: Int, fill: Float,
               random: RandomStream, index: Int, slot: Int, scratch: UnsafeMutablePointer<Float>) {
        let at = (index * Self.slots + slot) * Self.draws
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
