import XCTest
@testable import Runtime

/// Oracles of regularization-semantics.md §6 for the data augmentations, through `BatchLoader`.
final class AugmentationTests: XCTestCase {
    /// `count` C×H×W float images whose pixels are all distinct and nonzero (1 + flat index).
    private func images(_ count: Int, c: Int, h: Int, w: Int) -> Dataset {
        let e = c * h * w
        return Dataset(inputs: .float((0..<(count * e)).map { Float($0 % e + 1 + 1000 * ($0 / e)) }),
                       labels: [Int32](repeating: 0, count: count), exampleShape: [c, h, w])
    }

    /// The batch of every example in dataset order, augmented in epoch `epoch`.
    private func augmented(_ d: Dataset, _ a: [Augmentation], shape: [Int], epoch: Int = 0, seed: UInt64 = 7,
                           pool: ThreadPool? = nil) -> [[Float]] {
        let loader = BatchLoader(dataset: d, batchSize: d.count, shuffle: false, seed: seed, augmentations: a, imageShape: shape)
        loader.pool = pool
        loader.startEpoch(epoch)
        let e = d.elementsPerExample
        let inputs = UnsafeMutablePointer<Float>.allocate(capacity: d.count * e), labels = UnsafeMutablePointer<Int32>.allocate(capacity: d.count)
        defer { inputs.deallocate(); labels.deallocate() }
        loader.fill(batch: 0, inputs: inputs, labels: labels)
        return (0..<d.count).map { Array(UnsafeBufferPointer(start: inputs + $0 * e, count: e)) }
    }

    private func original(_ d: Dataset, _ k: Int) -> [Float] {
        guard case .float(let v) = d.inputs else { return [] }
        return Array(v[(k * d.elementsPerExample)..<((k + 1) * d.elementsPerExample)])
    }

    /// Each output is a window of the zero-padded input; the offsets are uniform over the (2P+1)² cells.
    func testRandomCropIsAWindowOfThePaddedImageAtAUniformOffset() {
        let (c, h, w, p, n) = (2, 6, 5, 2, 5000)
        let d = images(n, c: c, h: h, w: w)
        let out = augmented(d, [Augmentation(.randomCrop(padding: p))], shape: [c, h, w])
        var histogram = [Int](repeating: 0, count: (2 * p + 1) * (2 * p + 1))
        for k in 0..<n {
            let x = original(d, k)
            let offsets = (-p...p).flatMap { dy in (-p...p).map { dx in (dy, dx) } }.filter { dy, dx in
                (0..<c).allSatisfy { ch in
                    (0..<h).allSatisfy { y in
                        (0..<w).allSatisfy { xx in
                            let sy = y + dy, sx = xx + dx
                            let want: Float = sy >= 0 && sy < h && sx >= 0 && sx < w ? x[ch * h * w + sy * w + sx] : 0
                            return out[k][ch * h * w + y * w + xx] == want
                        }
                    }
                }
            }
            XCTAssertEqual(offsets.count, 1, "example \(k) is not exactly one window of the padded image")
            if let (dy, dx) = offsets.first { histogram[(dy + p) * (2 * p + 1) + dx + p] += 1 }
        }
        let expected = Double(n) / Double(histogram.count)
        let chi2 = histogram.reduce(0.0) { $0 + pow(Double($1) - expected, 2) / expected }
        XCTAssertLessThan(chi2, 52.6, "24 degrees of freedom, p = 0.001: \(histogram)")
    }

    /// Flipped fraction ≈ p per axis, flip∘flip = identity, and the vertical mode leaves rows' contents.
    func testFlipRateAndInvolution() {
        let (h, w, n) = (3, 4, 10_000)
        let d = images(n, c: 1, h: h, w: w)
        let out = augmented(d, [Augmentation(.flip(horizontal: true, vertical: false, p: 0.3))], shape: [1, h, w])
        var flipped = 0
        for k in 0..<n {
            let x = original(d, k)
            let mirrored = (0..<h).flatMap { y in (0..<w).map { xx in x[y * w + (w - 1 - xx)] } }
            XCTAssertTrue(out[k] == x || out[k] == mirrored, "example \(k)")
            if out[k] == mirrored { flipped += 1 }
        }
        XCTAssertEqual(Double(flipped) / Double(n), 0.3, accuracy: 4 * (0.3 * 0.7 / Double(n)).squareRoot())
        // flip∘flip = id: the same draws (seed, epoch, index) applied to the flipped images.
        let a = [Augmentation(.flip(horizontal: true, vertical: true, p: 0.5))]
        let once = augmented(d, a, shape: [1, h, w])
        let again = augmented(Dataset(inputs: .float(once.flatMap { $0 }), labels: d.allLabels, exampleShape: [1, h, w]), a, shape: [1, h, w])
        XCTAssertGreaterThan((0..<n).filter { once[$0] != original(d, $0) }.count, n / 2)
        for k in 0..<n { XCTAssertEqual(again[k], original(d, k), "example \(k)") }
    }

    /// Zeroed area ≤ s² everywhere, = s² when the centre is ≥ s/2 from the borders, in every channel.
    func testCutoutZeroesOneClippedSquareInEveryChannel() {
        let (c, h, w, s, n) = (2, 10, 9, 4, 3000)
        let d = images(n, c: c, h: h, w: w)
        let out = augmented(d, [Augmentation(.cutout(size: s))], shape: [c, h, w])
        var full = 0
        for k in 0..<n {
            let zeros = (0..<(h * w)).filter { out[k][$0] == 0 }
            XCTAssertTrue(zeros.allSatisfy { i in out[k][h * w + i] == 0 }, "channel 1 has the same square")
            XCTAssertLessThanOrEqual(zeros.count, s * s)
            XCTAssertGreaterThan(zeros.count, 0)
            let rows = Set(zeros.map { $0 / w }), cols = Set(zeros.map { $0 % w })
            XCTAssertEqual(zeros.count, rows.count * cols.count, "a rectangle")
            XCTAssertEqual(rows.max()! - rows.min()! + 1, rows.count)
            if rows.count == s && cols.count == s { full += 1 }
            for i in 0..<(c * h * w) where out[k][i] != 0 { XCTAssertEqual(out[k][i], original(d, k)[i]) }
        }
        // Rows [cy − 2, cy + 2) inside the image for cy in 2…8 (7 of 10), columns for cx in 2…7 (6 of 9).
        XCTAssertEqual(Double(full) / Double(n), 7.0 / 10 * 6.0 / 9, accuracy: 0.04)
    }

    /// An example is augmented by (seed, epoch, its index) alone: the same in any batch or order,
    /// different in another epoch; `epochs` switches an augmentation off afterwards.
    func testDrawsDependOnSeedEpochAndExampleOnly() {
        let d = images(40, c: 1, h: 5, w: 5)
        let a = [Augmentation(.randomCrop(padding: 1)), Augmentation(.cutout(size: 2), epochs: 1)]
        let whole = augmented(d, a, shape: [1, 5, 5], epoch: 0)
        let loader = BatchLoader(dataset: d, batchSize: 8, shuffle: true, seed: 7, augmentations: a, imageShape: [1, 5, 5])
        let inputs = UnsafeMutablePointer<Float>.allocate(capacity: 8 * 25), labels = UnsafeMutablePointer<Int32>.allocate(capacity: 8)
        defer { inputs.deallocate(); labels.deallocate() }
        loader.fill(batch: 2, inputs: inputs, labels: labels)
        for k in 0..<8 {
            let index = Int(loader.order[16 + k])
            XCTAssertEqual(Array(UnsafeBufferPointer(start: inputs + k * 25, count: 25)), whole[index], "example \(index)")
        }
        XCTAssertNotEqual(augmented(d, a, shape: [1, 5, 5], epoch: 1), whole)
        XCTAssertNotEqual(augmented(d, a, shape: [1, 5, 5], seed: 8), whole)
        let later = augmented(d, a, shape: [1, 5, 5], epoch: 1)
        let cropOnly = augmented(d, [a[0]], shape: [1, 5, 5], epoch: 1)
        XCTAssertEqual(later, cropOnly, "cutout is off from epoch 1 (epochs: 1)")
    }

    /// The warp's geometry on exact cases: a quarter turn of an odd square is `rot90` (counter-
    /// clockwise as displayed), an integer shift moves pixels and fills the border, a half-pixel
    /// shift averages neighbours, and magnification 2 keeps the centre pixel.
    func testAffineWarpOracles() {
        let n = 5
        let image: [Float] = (0..<(n * n)).map { Float($0 + 1) }
        func warped(_ source: @escaping (Float, Float) -> (Float, Float)) -> [Float] {
            var x = image, scratch = [Float](repeating: 0, count: n * n)
            x.withUnsafeMutableBufferPointer { xb in
                scratch.withUnsafeMutableBufferPointer { sb in
                    Augmentation.warp(xb.baseAddress!, channels: 1, height: n, width: n, fill: -1, scratch: sb.baseAddress!, source: source)
                }
            }
            return x
        }
        let quarter = warped { u, v in (v, -u) }   // θ = 90°: (cos θ·u + sin θ·v, −sin θ·u + cos θ·v)
        for y in 0..<n { for x in 0..<n { XCTAssertEqual(quarter[y * n + x], image[x * n + (n - 1 - y)], "(\(y), \(x))") } }
        let theta = Float.pi / 2
        let rotated = warped { u, v in (cos(theta) * u + sin(theta) * v, -sin(theta) * u + cos(theta) * v) }
        for k in 0..<(n * n) { XCTAssertEqual(rotated[k], quarter[k], accuracy: 1e-4) }
        let shifted = warped { u, v in (u - 2, v + 1) }   // 2 right, 1 down
        for y in 0..<n {
            for x in 0..<n { XCTAssertEqual(shifted[y * n + x], y >= 1 && x >= 2 ? image[(y - 1) * n + x - 2] : -1, "(\(y), \(x))") }
        }
        let half = warped { u, v in (u - 0.5, v) }
        XCTAssertEqual(half[2 * n + 2], (image[2 * n + 1] + image[2 * n + 2]) / 2)
        let zoomed = warped { u, v in (u / 2, v / 2) }
        XCTAssertEqual(zoomed[2 * n + 2], image[2 * n + 2])
        XCTAssertEqual(zoomed[0], image[n + 1], "output (0, 0) samples source (1, 1) at magnification 2")
        XCTAssertEqual(zoomed[1], (image[n + 1] + image[n + 2]) / 2)
    }

    /// Through the loader: a single bright pixel moves by the drawn shift, the shifts are uniform
    /// in ±f of each side (mean 0, variance (2fW)²/12), and the angles of a rotated off-centre
    /// pixel stay within ±d with mean 0.
    func testTranslateAndRotateDrawUniformAmounts() {
        let (side, count) = (21, 4000)
        var pixels = [Float](repeating: 0, count: count * side * side)
        for k in 0..<count { pixels[k * side * side + 10 * side + 15] = 1 }   // 5 right of the centre
        let d = Dataset(inputs: .float(pixels), labels: [Int32](repeating: 0, count: count), exampleShape: [1, side, side])
        func centroid(_ x: [Float]) -> (x: Double, y: Double) {
            var s = 0.0, sx = 0.0, sy = 0.0
            for y in 0..<side { for xx in 0..<side { let v = Double(x[y * side + xx]); s += v; sx += v * Double(xx); sy += v * Double(y) } }
            return (sx / s, sy / s)
        }
        let f = 0.2, limit = f * Double(side)
        let shifts = augmented(d, [Augmentation(.translate(fraction: Float(f)))], shape: [1, side, side]).map { centroid($0).y - 10 }
        XCTAssertLessThanOrEqual(shifts.map(abs).max() ?? 0, limit + 1e-3)
        let mean = shifts.reduce(0, +) / Double(count)
        let variance = shifts.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(count)
        let expected = (2 * limit) * (2 * limit) / 12
        XCTAssertEqual(mean, 0, accuracy: 4 * (expected / Double(count)).squareRoot())
        XCTAssertEqual(variance, expected, accuracy: 0.1 * expected)
        let degrees = 30.0
        let angles = augmented(d, [Augmentation(.rotate(degrees: Float(degrees)))], shape: [1, side, side]).map { x -> Double in
            let c = centroid(x)
            return atan2(10 - c.y, c.x - 10) * 180 / .pi   // counter-clockwise as displayed
        }
        XCTAssertLessThanOrEqual(angles.map(abs).max() ?? 0, degrees + 0.5)
        XCTAssertGreaterThan(angles.max() ?? 0, degrees * 0.9)
        XCTAssertLessThan(angles.min() ?? 0, -degrees * 0.9)
        XCTAssertEqual(angles.reduce(0, +) / Double(count), 0, accuracy: 4 * degrees / (3 * Double(count)).squareRoot())
    }

    /// Examples augmented in parallel on a pool are those augmented on one thread.
    func testParallelAugmentationEqualsSerial() {
        let d = images(37, c: 3, h: 8, w: 8)
        let list = [Augmentation(.randomCrop(padding: 2)), Augmentation(.rotate(degrees: 20)), Augmentation(.cutout(size: 3)),
                    Augmentation(.flip(horizontal: true, vertical: true, p: 0.5))]
        let serial = augmented(d, list, shape: [3, 8, 8])
        XCTAssertEqual(augmented(d, list, shape: [3, 8, 8], pool: ThreadPool(threads: 3)), serial)
        XCTAssertNotEqual(serial, (0..<37).map { original(d, $0) })
    }
}
