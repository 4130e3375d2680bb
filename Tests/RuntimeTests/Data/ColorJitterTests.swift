@testable import Runtime
import XCTest

/// torchvision ColorJitter's oracles (semantics reference §6): factor 1 and hue 0 leave the image,
/// brightness 0 gives black, contrast 0 the image's gray mean, saturation 0 the gray image; every
/// output stays in [0, 1]; hue turns the colour wheel.
final class ColorJitterTests: XCTestCase {
    /// A 3×2×3 RGB image with values in [0, 1].
    private let image: [Float] = [0.9, 0.1, 0.5, 0.3, 0.7, 0.2,
                                  0.2, 0.8, 0.5, 0.6, 0.1, 0.9,
                                  0.4, 0.4, 0.0, 1.0, 0.3, 0.6]
    private let n = 6

    private func adjusted(_ f: (UnsafeMutablePointer<Float>, Int) -> Void) -> [Float] {
        var x = image
        x.withUnsafeMutableBufferPointer { f($0.baseAddress!, n) }
        return x
    }

    private func gray(_ i: Int) -> Float { ColorJitter.gray(image[i], image[n + i], image[2 * n + i]) }

    func testFactorsOfOneAndHueZeroAreTheIdentity() {
        XCTAssertEqual(adjusted { ColorJitter.adjustBrightness($0, plane: $1, 1) }, image)
        for (a, b) in zip(adjusted { ColorJitter.adjustContrast($0, plane: $1, 1) }, image) { XCTAssertEqual(a, b, accuracy: 1e-6) }
        for (a, b) in zip(adjusted { ColorJitter.adjustSaturation($0, plane: $1, 1) }, image) { XCTAssertEqual(a, b, accuracy: 1e-6) }
        for (a, b) in zip(adjusted { ColorJitter.adjustHue($0, plane: $1, 0) }, image) { XCTAssertEqual(a, b, accuracy: 1e-6) }
        // No range given: no adjustment at all, whatever the draws.
        var x = image
        x.withUnsafeMutableBufferPointer { ColorJitter().apply($0.baseAddress!, plane: n) { Float($0) / 7 } }
        XCTAssertEqual(x, image)
    }

    func testFactorsOfZero() {
        XCTAssertEqual(adjusted { ColorJitter.adjustBrightness($0, plane: $1, 0) }, [Float](repeating: 0, count: 3 * n))
        let mean = (0..<n).map(gray).reduce(0, +) / Float(n)
        for v in adjusted({ ColorJitter.adjustContrast($0, plane: $1, 0) }) { XCTAssertEqual(v, mean, accuracy: 1e-6) }
        let grayImage = adjusted { ColorJitter.adjustSaturation($0, plane: $1, 0) }
        for i in 0..<n { for ch in 0..<3 { XCTAssertEqual(grayImage[ch * n + i], gray(i), accuracy: 1e-6) } }
    }

    func testOutputsStayInTheUnitInterval() {
        for f: Float in [0.3, 1.7, 3] {
            let all = adjusted { ColorJitter.adjustBrightness($0, plane: $1, f) } + adjusted { ColorJitter.adjustContrast($0, plane: $1, f) }
                + adjusted { ColorJitter.adjustSaturation($0, plane: $1, f) } + adjusted { ColorJitter.adjustHue($0, plane: $1, f / 7) }
            XCTAssertTrue(all.allSatisfy { $0 >= 0 && $0 <= 1 }, "factor \(f)")
        }
        XCTAssertEqual(adjusted { ColorJitter.adjustBrightness($0, plane: $1, 2) }[0], 1, "0.9 · 2 clamps to 1")
    }

    func testHueTurnsTheColourWheel() {
        func hsvRoundTrip(_ r: Float, _ g: Float, _ b: Float) -> (Float, Float, Float) {
            let (h, s, v) = ColorJitter.rgbToHSV(r, g, b)
            return ColorJitter.hsvToRGB(h, s, v)
        }
        for (r, g, b) in [(0.9, 0.2, 0.4), (0.1, 0.7, 0.3), (0.5, 0.5, 0.5), (0.2, 0.3, 0.95)] as [(Float, Float, Float)] {
            let (r2, g2, b2) = hsvRoundTrip(r, g, b)
            XCTAssertEqual(r2, r, accuracy: 1e-6); XCTAssertEqual(g2, g, accuracy: 1e-6); XCTAssertEqual(b2, b, accuracy: 1e-6)
        }
        // A third of a turn: red → green → blue → red.
        var x: [Float] = [1, 0, 0, 0, 1, 0, 0, 0, 1]   // pixels red, green, blue (planes R, G, B)
        x.withUnsafeMutableBufferPointer { ColorJitter.adjustHue($0.baseAddress!, plane: 3, 1.0 / 3) }
        for (a, b) in zip(x, [0, 0, 1, 1, 0, 0, 0, 1, 0] as [Float]) { XCTAssertEqual(a, b, accuracy: 1e-5) }
    }

    /// The order is one of the 24 permutations, each reachable.
    func testOrdersAreThePermutations() {
        let all = (0..<24).map(ColorJitter.order)
        XCTAssertEqual(Set(all.map { $0.map(String.init).joined() }).count, 24)
        XCTAssertTrue(all.allSatisfy { $0.sorted() == [0, 1, 2, 3] })
    }

    /// Through the loader on normalized data: a jitter with no range is the identity (up to the
    /// rounding of leaving and re-entering the normalization), and a brightness range changes images.
    func testLoaderJittersTheImageBeforeNormalization() {
        let count = 20, e = 3 * 4 * 4
        let d = Dataset(inputs: .float((0..<(count * e)).map { Float($0 % 251) }), labels: [Int32](repeating: 0, count: count), exampleShape: [3, 4, 4])
        let nz = Normalization(scale: 255, mean: 0.5, std: 0.25)
        func batch(_ a: [Augmentation]) -> [Float] {
            let loader = BatchLoader(dataset: d, batchSize: count, shuffle: false, seed: 3, normalization: nz, augmentations: a, imageShape: [3, 4, 4])
            var x = [Float](repeating: 0, count: count * e), y = [Int32](repeating: 0, count: count)
            x.withUnsafeMutableBufferPointer { xb in y.withUnsafeMutableBufferPointer { _ = loader.fill(batch: 0, inputs: xb.baseAddress!, labels: $0.baseAddress!) } }
            return x
        }
        let plain = batch([])
        for (a, b) in zip(batch([Augmentation(.colorJitter(ColorJitter()))]), plain) { XCTAssertEqual(a, b, accuracy: 1e-5) }
        let bright = batch([Augmentation(.colorJitter(ColorJitter(brightness: 0.5)))])
        XCTAssertNotEqual(bright, plain)
        // Brightness scales x/scale (the un-normalized value) by one factor per image.
        for k in 0..<count {
            let ratios = (0..<e).compactMap { j -> Float? in
                let before = plain[k * e + j] * 0.25 + 0.5, after = bright[k * e + j] * 0.25 + 0.5
                return before > 0.05 && after < 0.99 ? after / before : nil
            }
            for r in ratios { XCTAssertEqual(r, ratios[0], accuracy: 1e-4, "image \(k)") }
            XCTAssertTrue(ratios[0] >= 0.5 - 1e-4 && ratios[0] <= 1.5 + 1e-4, "\(ratios[0])")
        }
    }
}
