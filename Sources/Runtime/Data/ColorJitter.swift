import Foundation

/// torchvision's `ColorJitter(brightness, contrast, saturation, hue)` on one [3, H, W] RGB image
/// with values in [0, 1] (semantics reference §6, `transforms.py`, `_functional_tensor.py`):
/// factors `b, c, s ~ U[max(0, 1 − v), 1 + v]` and `h ~ U[−v, v]` for the ranges given (a range
/// of 0 leaves that adjustment out), applied in a random order, each
/// - brightness `blend(x, 0, b)`,
/// - contrast `blend(x, mean(gray(x)), c)` with the image's mean gray level,
/// - saturation `blend(x, gray(x), s)` per pixel,
/// - hue: H ← (H + h) mod 1 in HSV,
/// where `blend(a, b, r) = clamp(r·a + (1 − r)·b, 0, 1)` and `gray = 0.2989 R + 0.587 G + 0.114 B`.
public struct ColorJitter: Hashable, Sendable {
    public var brightness: Float
    public var contrast: Float
    public var saturation: Float
    public var hue: Float

    public init(brightness: Float = 0, contrast: Float = 0, saturation: Float = 0, hue: Float = 0) {
        self.brightness = brightness
        self.contrast = contrast
        self.saturation = saturation
        self.hue = hue
    }

    /// Draws per image: four factors and the order.
    static let draws = 5

    /// Jitters `x` (planes R, G, B of `plane` values each) in place with the draws `u(0)…u(4)`,
    /// uniforms in [0, 1).
    func apply(_ x: UnsafeMutablePointer<Float>, plane: Int, _ u: (Int) -> Float) {
        func factor(_ v: Float, _ k: Int) -> Float { max(0, 1 - v) + u(k) * (1 + v - max(0, 1 - v)) }
        let b = factor(brightness, 0), c = factor(contrast, 1), s = factor(saturation, 2)
        let h = (2 * u(3) - 1) * hue
        for step in Self.order(Int(u(4) * 24) % 24) {
            switch step {
            case 0 where brightness > 0: Self.adjustBrightness(x, plane: plane, b)
            case 1 where contrast > 0: Self.adjustContrast(x, plane: plane, c)
            case 2 where saturation > 0: Self.adjustSaturation(x, plane: plane, s)
            case 3 where hue > 0: Self.adjustHue(x, plane: plane, h)
            default: break
            }
        }
    }

    /// Permutation number `k` of (0, 1, 2, 3), in lexicographic order (as `randperm(4)` is uniform).
    static func order(_ k: Int) -> [Int] {
        var rest = [0, 1, 2, 3], out: [Int] = [], k = k
        for f in [6, 2, 1, 1] {
            out.append(rest.remove(at: k / f))
            k %= f
        }
        return out
    }

    @inline(__always) static func blend(_ a: Float, _ b: Float, _ r: Float) -> Float { min(max(r * a + (1 - r) * b, 0), 1) }
    @inline(__always) static func gray(_ r: Float, _ g: Float, _ b: Float) -> Float { 0.2989 * r + 0.587 * g + 0.114 * b }

    static func adjustBrightness(_ x: UnsafeMutablePointer<Float>, plane n: Int, _ f: Float) {
        for i in 0..<(3 * n) { x[i] = blend(x[i], 0, f) }
    }

    static func adjustContrast(_ x: UnsafeMutablePointer<Float>, plane n: Int, _ f: Float) {
        var sum = 0.0
        for i in 0..<n { sum += Double(gray(x[i], x[n + i], x[2 * n + i])) }
        let mean = Float(sum / Double(n))
        for i in 0..<(3 * n) { x[i] = blend(x[i], mean, f) }
    }

    static func adjustSaturation(_ x: UnsafeMutablePointer<Float>, plane n: Int, _ f: Float) {
        for i in 0..<n {
            let g = gray(x[i], x[n + i], x[2 * n + i])
            for ch in 0..<3 { x[ch * n + i] = blend(x[ch * n + i], g, f) }
        }
    }

    static func adjustHue(_ x: UnsafeMutablePointer<Float>, plane n: Int, _ shift: Float) {
        for i in 0..<n {
            var (h, s, v) = rgbToHSV(x[i], x[n + i], x[2 * n + i])
            h = (h + shift).truncatingRemainder(dividingBy: 1)
            if h < 0 { h += 1 }
            (x[i], x[n + i], x[2 * n + i]) = hsvToRGB(h, s, v)
        }
    }

    /// torchvision's `_rgb2hsv`: hue in [0, 1).
    static func rgbToHSV(_ r: Float, _ g: Float, _ b: Float) -> (Float, Float, Float) {
        let maxc = max(r, g, b), minc = min(r, g, b)
        let equal = maxc == minc
        let cr = maxc - minc
        let s = cr / (equal ? 1 : maxc)
        let d = equal ? 1 : cr
        let rc = (maxc - r) / d, gc = (maxc - g) / d, bc = (maxc - b) / d
        var h: Float
        if maxc == r { h = bc - gc } else if maxc == g { h = 2 + rc - bc } else { h = 4 + gc - rc }
        h = (h / 6 + 1).truncatingRemainder(dividingBy: 1)
        return (h, s, maxc)
    }

    /// torchvision's `_hsv2rgb`.
    static func hsvToRGB(_ h: Float, _ s: Float, _ v: Float) -> (Float, Float, Float) {
        let i6 = (h * 6).rounded(.down)
        let f = h * 6 - i6
        let i = ((Int(i6) % 6) + 6) % 6
        let p = min(max(v * (1 - s), 0), 1), q = min(max(v * (1 - s * f), 0), 1), t = min(max(v * (1 - s * (1 - f)), 0), 1)
        switch i {
        case 0: return (v, t, p)
        case 1: return (q, v, p)
        case 2: return (p, v, t)
        case 3: return (p, q, v)
        case 4: return (t, p, v)
        default: return (v, p, q)
        }
    }
}

extension RandomStream {
    /// Colour jitter (`step` = epoch, element = (example index · slots + item) · 5 + draw).
    public static let colorJitter: UInt32 = 0xFFFF_0005
}
