import XCTest
@testable import Runtime

/// Oracles of regularization-semantics.md §5.2 (mixup) and §5.3 (CutMix), through `BatchLoader`.
final class BatchMixTests: XCTestCase {
    /// `count` C×H×W float images whose pixels are all distinct, labelled `i mod classes`.
    private func images(_ count: Int, c: Int, h: Int, w: Int, classes: Int = 10) -> Dataset {
        let e = c * h * w
        return Dataset(inputs: .float((0..<(count * e)).map { Float($0) }),
                       labels: (0..<count).map { Int32($0 % classes) }, exampleShape: [c, h, w])
    }

    private struct Batch {
        var inputs: [Float]
        var targets: [Float]
    }

    /// Batch `batch` of `epoch` (no shuffling: example i of batch b is b·size + i) with target rows.
    private func mixed(_ d: Dataset, _ mixes: [BatchMix], shape: [Int], size: Int, classes: Int = 10,
                       epoch: Int = 0, batch: Int = 0, seed: UInt64 = 5) -> Batch {
        let loader = BatchLoader(dataset: d, batchSize: size, shuffle: false, seed: seed, mixes: mixes, imageShape: shape)
        loader.startEpoch(epoch)
        let e = d.elementsPerExample
        let inputs = UnsafeMutablePointer<Float>.allocate(capacity: size * e)
        let rows = UnsafeMutableRawPointer.allocate(byteCount: size * classes * 4, alignment: 16)
        defer { inputs.deallocate(); rows.deallocate() }
        let n = loader.fill(batch: batch, inputs: inputs, targetRows: rows, classes: classes)
        return Batch(inputs: Array(UnsafeBufferPointer(start: inputs, count: n * e)),
                     targets: Array(UnsafeBufferPointer(start: rows.assumingMemoryBound(to: Float.self), count: n * classes)))
    }

    private func original(_ d: Dataset, _ k: Int) -> [Float] {
        guard case .float(let v) = d.inputs else { return [] }
        return Array(v[(k * d.elementsPerExample)..<((k + 1) * d.elementsPerExample)])
    }

    /// x̃ = λx_i + (1−λ)x_perm(i) exactly, ỹ likewise, one λ for the batch, partners a permutation.
    func testMixupIsTheConvexCombinationWithThePartner() throws {
        let d = images(16, c: 1, h: 3, w: 4), mix = BatchMix(.mixup(alpha: 0.4))
        let draw = mix.draw(seed: 5, epoch: 0, batch: 0, slot: 0, n: 16, height: 3, width: 4)
        XCTAssertTrue(draw.applied)
        XCTAssertEqual(draw.partner.sorted(), Array(0..<16))
        XCTAssertNotEqual(draw.partner, Array(0..<16))
        XCTAssertTrue(draw.lambda > 0 && draw.lambda < 1, "\(draw.lambda)")
        let b = mixed(d, [mix], shape: [1, 3, 4], size: 16)
        let l = draw.lambda
        for i in 0..<16 {
            let j = draw.partner[i], x = original(d, i), y = original(d, j)
            XCTAssertEqual(Array(b.inputs[(i * 12)..<(i * 12 + 12)]), (0..<12).map { l * x[$0] + (1 - l) * y[$0] }, "example \(i)")
            var want = [Float](repeating: 0, count: 10)
            want[i % 10] += l
            want[j % 10] += 1 - l
            let row = Array(b.targets[(i * 10)..<(i * 10 + 10)])
            for c in 0..<10 { XCTAssertEqual(row[c], want[c], accuracy: 1e-6, "example \(i) class \(c)") }
            XCTAssertEqual(row.reduce(0, +), 1, accuracy: 1e-6)
        }
    }

    /// Mixup needs no image layout: flat [features] examples mix the same way.
    func testMixupOnFlatExamples() {
        let d = Dataset(inputs: .float((0..<40).map(Float.init)), labels: (0..<8).map { Int32($0 % 2) }, exampleShape: [5])
        let mix = BatchMix(.mixup(alpha: 1))
        let draw = mix.draw(seed: 5, epoch: 0, batch: 0, slot: 0, n: 8, height: 1, width: 5)
        let b = mixed(d, [mix], shape: [5], size: 8, classes: 2)
        for i in 0..<8 {
            let j = draw.partner[i]
            XCTAssertEqual(b.inputs[i * 5 + 3], draw.lambda * Float(i * 5 + 3) + (1 - draw.lambda) * Float(j * 5 + 3))
        }
    }

    /// λ ~ Beta(α, α): over 10⁵ draws the mean is 1/2 and the variance 1/(4(2α+1)), within five
    /// standard errors, for α below, at and above 1.
    func testLambdaHasTheBetaMoments() {
        for alpha: Float in [0.2, 1, 2] {
            let mix = BatchMix(.mixup(alpha: alpha)), count = 100_000
            var sum = 0.0, squares = 0.0
            for b in 0..<count {
                let l = Double(mix.draw(seed: 9, epoch: b / 1000, batch: b % 1000, slot: 0, n: 2, height: 1, width: 1).lambda)
                sum += l
                squares += l * l
            }
            let mean = sum / Double(count), variance = squares / Double(count) - mean * mean
            let want = 1 / (4 * (2 * Double(alpha) + 1))
            XCTAssertEqual(mean, 0.5, accuracy: 5 * (want / Double(count)).squareRoot(), "α \(alpha)")
            // The variance of the sample variance of a distribution on [0, 1] is below 1/(4n)… far below; 5% is generous.
            XCTAssertEqual(variance, want, accuracy: 0.05 * want, "α \(alpha)")
        }
    }

    /// CutMix: pixels outside the box are unchanged, inside they are the partner's; the target
    /// weights equal the area fractions and sum to 1; λ is recomputed from the clipped box.
    func testCutMixPastesThePartnersBoxAndMixesByArea() {
        let (c, h, w) = (2, 9, 7)
        let d = images(12, c: c, h: h, w: w), mix = BatchMix(.cutmix(alpha: 1))
        var boxes = 0
        for batch in 0..<3 {
            let n = 4, e = c * h * w
            let draw = mix.draw(seed: 5, epoch: 1, batch: batch, slot: 0, n: n, height: h, width: w)
            let b = mixed(d, [mix], shape: [c, h, w], size: n, epoch: 1, batch: batch)
            let box = draw.box
            XCTAssertEqual(draw.lambda, 1 - Float(box.area) / Float(h * w))
            if box.area > 0 { boxes += 1 }
            for i in 0..<n {
                let own = original(d, batch * n + i), partner = original(d, batch * n + draw.partner[i])
                for ch in 0..<c {
                    for y in 0..<h {
                        for x in 0..<w {
                            let v = (ch * h + y) * w + x
                            let inside = y >= box.y0 && y < box.y1 && x >= box.x0 && x < box.x1
                            XCTAssertEqual(b.inputs[i * e + v], inside ? partner[v] : own[v], "batch \(batch) example \(i) at \(ch),\(y),\(x)")
                        }
                    }
                }
                let row = Array(b.targets[(i * 10)..<(i * 10 + 10)])
                var want = [Float](repeating: 0, count: 10)
                want[(batch * n + i) % 10] += draw.lambda
                want[(batch * n + draw.partner[i]) % 10] += 1 - draw.lambda
                for k in 0..<10 { XCTAssertEqual(row[k], want[k], accuracy: 1e-6) }
            }
        }
        XCTAssertGreaterThan(boxes, 0, "no batch got a box")
    }

    /// The box's side is ⌊H√(1−λ)⌋ before clipping, so its area never exceeds (1−λ₀)·H·W.
    func testCutMixBoxStaysWithinTheImage() {
        let mix = BatchMix(.cutmix(alpha: 1))
        for b in 0..<500 {
            let d = mix.draw(seed: 3, epoch: 0, batch: b, slot: 0, n: 2, height: 32, width: 28)
            XCTAssertTrue(d.box.y0 >= 0 && d.box.y1 <= 32 && d.box.x0 >= 0 && d.box.x1 <= 28 && d.box.y0 <= d.box.y1 && d.box.x0 <= d.box.x1)
            XCTAssertTrue(d.lambda >= 0 && d.lambda <= 1)
        }
    }

    /// `prob` is the fraction of mixed batches; `epochs` switches the mix off (rows stay one-hot);
    /// the draws are a function of (seed, epoch, batch) only.
    func testProbabilityEpochsAndKeys() {
        let mix = BatchMix(.mixup(alpha: 1), prob: 0.3)
        let applied = (0..<4000).filter { mix.draw(seed: 1, epoch: 0, batch: $0, slot: 0, n: 2, height: 1, width: 1).applied }.count
        XCTAssertEqual(Double(applied) / 4000, 0.3, accuracy: 5 * (0.3 * 0.7 / 4000).squareRoot())

        let d = images(8, c: 1, h: 2, w: 2), limited = BatchMix(.mixup(alpha: 1), epochs: 2)
        let during = mixed(d, [limited], shape: [1, 2, 2], size: 8, epoch: 1)
        let after = mixed(d, [limited], shape: [1, 2, 2], size: 8, epoch: 2)
        XCTAssertNotEqual(during.inputs, (0..<32).map(Float.init))
        XCTAssertEqual(after.inputs, (0..<32).map(Float.init))
        XCTAssertEqual(after.targets, (0..<80).map { $0 % 10 == ($0 / 10) % 10 ? 1 : 0 })

        let a = BatchMix(.mixup(alpha: 1)).draw(seed: 1, epoch: 3, batch: 2, slot: 0, n: 8, height: 1, width: 1)
        XCTAssertEqual(a, BatchMix(.mixup(alpha: 1)).draw(seed: 1, epoch: 3, batch: 2, slot: 0, n: 8, height: 1, width: 1))
        XCTAssertNotEqual(a, BatchMix(.mixup(alpha: 1)).draw(seed: 1, epoch: 3, batch: 3, slot: 0, n: 8, height: 1, width: 1))
        XCTAssertNotEqual(a, BatchMix(.mixup(alpha: 1)).draw(seed: 2, epoch: 3, batch: 2, slot: 0, n: 8, height: 1, width: 1))
    }
}
