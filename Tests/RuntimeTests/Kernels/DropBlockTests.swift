import XCTest
@testable import Runtime

/// DropBlock (Ghiasi, Lin & Le 2018): bs×bs squares per (example, channel) map, centres only
/// where a whole block fits, kept units scaled by count/sum of the batch's mask, the same mask
/// backward, a linear schedule of p.
final class DropBlockTests: XCTestCase {
    /// x with no zeros, so a zero in y is a dropped unit.
    func input(_ count: Int) -> [Float] { (0..<count).map { Float($0 % 23) * 0.25 + 0.5 } }

    func run(_ x: [Float], planes: Int, h: Int, w: Int, bs: Int, p: Double, steps: Int? = nil,
             stream: RandomStream, threads: Int = 1) -> [Float] {
        var y = [Float](repeating: .nan, count: x.count)
        DropBlock.apply(x, &y, planes: planes, height: h, width: w, blockSize: bs, p: p, scheduleSteps: steps,
                        stream: stream, pool: ThreadPool(threads: threads))
        return y
    }

    /// The kernel against its naive twin, bit for bit, over awkward shapes: odd and even blocks,
    /// blocks as tall or as wide as the map, bs = 1 (plain dropout with batch normalization),
    /// non-square maps, high rates where blocks overlap.
    func testMatchesTheNaiveTwinOnAwkwardShapes() {
        let cases: [(planes: Int, h: Int, w: Int, bs: Int, p: Double)] = [
            (3, 5, 7, 3, 0.3), (4, 6, 6, 4, 0.2), (2, 4, 9, 4, 0.5), (5, 3, 3, 1, 0.4),
            (2, 8, 5, 5, 0.9), (6, 7, 7, 7, 0.3), (3, 11, 13, 2, 0.15), (1, 1, 1, 1, 0.5),
        ]
        for (k, c) in cases.enumerated() {
            let stream = RandomStream(seed: UInt64(11 + k), step: UInt64(3 * k), stream: 2)
            let x = input(c.planes * c.h * c.w)
            let y = run(x, planes: c.planes, h: c.h, w: c.w, bs: c.bs, p: c.p, stream: stream)
            let twin = DropBlockReference.apply(x, planes: c.planes, height: c.h, width: c.w, blockSize: c.bs, p: c.p, stream: stream)
            XCTAssertEqual(y.map(\.bitPattern), twin.map(\.bitPattern), "case \(c)")
            var mask = [UInt8](repeating: 7, count: x.count)
            let kept = DropBlock.keepMask(&mask, planes: c.planes, height: c.h, width: c.w, blockSize: c.bs, p: c.p, stream: stream)
            let reference = DropBlockReference.keepMask(planes: c.planes, height: c.h, width: c.w, blockSize: c.bs, p: c.p, stream: stream)
            XCTAssertEqual(mask, reference.map { $0 ? 1 : 0 }, "case \(c)")
            XCTAssertEqual(kept, reference.filter { $0 }.count, "case \(c)")
        }
    }

    /// Every zero lies in a whole bs×bs block of zeros inside the map, every seed drawn in the
    /// valid region is such a block, and no unit outside the seeds' blocks is dropped.
    func testZerosComeInWholeBlocksInsideTheMap() {
        let (planes, h, w, bs, p) = (40, 12, 10, 3, 0.2)
        let stream = RandomStream(seed: 5, step: 9, stream: 4)
        let x = input(planes * h * w)
        let y = run(x, planes: planes, h: h, w: w, bs: bs, p: p, stream: stream)
        let gamma = Float(DropBlock.seedRate(p: p, blockSize: bs, height: h, width: w))
        var blocks = 0
        for r in 0..<planes {
            func zero(_ i: Int, _ j: Int) -> Bool { y[r * h * w + i * w + j] == 0 }
            func blockIsZero(_ top: Int, _ left: Int) -> Bool {
                (top..<top + bs).allSatisfy { i in (left..<left + bs).allSatisfy { j in zero(i, j) } }
            }
            var covered = [Bool](repeating: false, count: h * w)
            for top in 0...(h - bs) {
                for left in 0...(w - bs) where stream.uniform(at: r * h * w + (top + bs / 2) * w + left + bs / 2) < gamma {
                    XCTAssertTrue(blockIsZero(top, left), "plane \(r): the block of the seed at (\(top + 1), \(left + 1))")
                    for i in top..<top + bs { for j in left..<left + bs { covered[i * w + j] = true } }
                    blocks += 1
                }
            }
            for i in 0..<h {
                for j in 0..<w where zero(i, j) {
                    XCTAssertTrue(covered[i * w + j], "plane \(r): (\(i), \(j)) is dropped but no seed's block covers it")
                    let inWholeBlock = (max(0, i - bs + 1)...min(i, h - bs)).contains { top in
                        (max(0, j - bs + 1)...min(j, w - bs)).contains { left in blockIsZero(top, left) }
                    }
                    XCTAssertTrue(inWholeBlock, "plane \(r): (\(i), \(j)) is not in a whole block of zeros")
                }
            }
        }
        XCTAssertGreaterThan(blocks, 20)   // the oracle saw blocks to check
    }

    /// γ = p/bs²·HW/((H−bs+1)(W−bs+1)) makes the dropped fraction p when blocks rarely overlap:
    /// over 20 000 maps of 16×16 with p = 0.02 (about one block per map), within 4σ of the block
    /// count's binomial noise. Without the border factor HW/((H−bs+1)(W−bs+1)) = 1.31 the
    /// fraction would be 0.0153, outside.
    func testDroppedFractionMatchesTheDropProbability() {
        let (planes, h, w, bs, p) = (20_000, 16, 16, 3, 0.02)
        var mask = [UInt8](repeating: 0, count: planes * h * w)
        let kept = DropBlock.keepMask(&mask, planes: planes, height: h, width: w, blockSize: bs, p: p,
                                      stream: RandomStream(seed: 8, step: 1, stream: 3), pool: ThreadPool(threads: 2))
        let units = Double(planes * h * w)
        let centres = Double(planes * (h - bs + 1) * (w - bs + 1))
        let gamma = DropBlock.seedRate(p: p, blockSize: bs, height: h, width: w)
        let sigma = Double(bs * bs) * (centres * gamma * (1 - gamma)).squareRoot() / units
        XCTAssertEqual(1 - Double(kept) / units, p, accuracy: 4 * sigma)
    }

    /// Kept units are x·count(M)/sum(M) exactly, count and sum over the whole batch (not per
    /// map), and dropped ones are 0.
    func testKeptValuesAreScaledByCountOverSumOfTheBatch() {
        let (planes, h, w, bs, p) = (24, 9, 9, 4, 0.3)
        let stream = RandomStream(seed: 1, step: 77, stream: 0)
        let x = (0..<(planes * h * w)).map { (k: Int) -> Float in Float((k * 7919) % 101) / 17 - 2.499 }
        let y = run(x, planes: planes, h: h, w: w, bs: bs, p: p, stream: stream)
        let keep = DropBlockReference.keepMask(planes: planes, height: h, width: w, blockSize: bs, p: p, stream: stream)
        let kept = keep.filter { $0 }.count
        XCTAssertLessThan(kept, keep.count)
        let scale = Float(Double(keep.count) / Double(kept))
        for k in x.indices { XCTAssertEqual(y[k], keep[k] ? x[k] * scale : 0, "unit \(k)") }
        // Per-map scales would differ between maps; the batch's one is shared.
        let perMap = (0..<planes).map { r in keep[(r * h * w)..<((r + 1) * h * w)].filter { $0 }.count }
        XCTAssertGreaterThan(Set(perMap).count, 1)
    }

    /// The backward is the same call on dy: dx = dy·M·scale with the forward's mask and scale.
    func testBackwardUsesTheForwardMaskAndScale() {
        let (planes, h, w, bs, p) = (10, 8, 8, 3, 0.25)
        let stream = RandomStream(seed: 3, step: 12, stream: 6)
        let x = input(planes * h * w)
        let y = run(x, planes: planes, h: h, w: w, bs: bs, p: p, stream: stream)
        let dy = (0..<x.count).map { Float($0 % 5) - 2.5 }
        let dx = run(dy, planes: planes, h: h, w: w, bs: bs, p: p, stream: stream)
        let kept = y.filter { $0 != 0 }.count           // x has no zeros: y = 0 exactly where dropped
        XCTAssertLessThan(kept, y.count)
        let scale = Float(Double(y.count) / Double(kept))
        for k in x.indices {
            XCTAssertEqual(y[k], y[k] == 0 ? 0 : x[k] * scale, "unit \(k)")
            XCTAssertEqual(dx[k], y[k] == 0 ? 0 : dy[k] * scale, "unit \(k)")
        }
        // Another step draws another mask.
        let other = run(x, planes: planes, h: h, w: w, bs: bs, p: p, stream: RandomStream(seed: 3, step: 13, stream: 6))
        XCTAssertNotEqual(other, y)
    }

    /// Every unit dropped (sum(M) = 0): zeros, no NaN from the 0/0 scale.
    func testAllDroppedGivesZerosWithoutNaN() throws {
        let (planes, h, w, bs, p) = (1, 3, 3, 3, 0.95)
        let seed = try XCTUnwrap((UInt64(0)..<64).first { s in
            var m = [UInt8](repeating: 0, count: 9)
            return DropBlock.keepMask(&m, planes: planes, height: h, width: w, blockSize: bs, p: p, stream: RandomStream(seed: s)) == 0
        })
        let y = run(input(9), planes: planes, h: h, w: w, bs: bs, p: p, stream: RandomStream(seed: seed))
        XCTAssertEqual(y, [Float](repeating: 0, count: 9))
    }

    /// p = 0 and the first step of a schedule leave x unchanged.
    func testZeroRateIsTheIdentity() {
        let x = input(4 * 6 * 6)
        XCTAssertEqual(run(x, planes: 4, h: 6, w: 6, bs: 3, p: 0, stream: RandomStream(seed: 1, step: 5)), x)
        XCTAssertEqual(run(x, planes: 4, h: 6, w: 6, bs: 3, p: 0.5, steps: 100, stream: RandomStream(seed: 1, step: 0)), x)
    }

    /// The masks are keyed by unit index, maps are independent work items and the kept count is
    /// an integer: 1, 2 and 3 threads give the same bits.
    func testIdenticalForAnyThreadCount() {
        let (planes, h, w, bs, p) = (257, 14, 14, 3, 0.1)
        let x = input(planes * h * w)
        let stream = RandomStream(seed: 42, step: 1000, stream: 9)
        let one = run(x, planes: planes, h: h, w: w, bs: bs, p: p, stream: stream, threads: 1)
        XCTAssertTrue(one.contains(0))
        for t in [2, 3] {
            XCTAssertEqual(run(x, planes: planes, h: h, w: w, bs: bs, p: p, stream: stream, threads: t).map(\.bitPattern),
                           one.map(\.bitPattern), "\(t) threads")
        }
    }

    /// With `schedule_steps: N` the drop probability at step t is p·min(1, t/N): the kernel at
    /// step t draws exactly what the constant rate p·t/N draws at that step, and p from step N on.
    func testScheduleRaisesTheRateLinearly() {
        let (p, n) = (0.4, 200)
        XCTAssertEqual(DropBlock.scheduledRate(p, scheduleSteps: n, step: 0), 0)
        XCTAssertEqual(DropBlock.scheduledRate(p, scheduleSteps: n, step: 50), p * 50 / 200)
        XCTAssertEqual(DropBlock.scheduledRate(p, scheduleSteps: n, step: 200), p)
        XCTAssertEqual(DropBlock.scheduledRate(p, scheduleSteps: n, step: 5000), p)
        XCTAssertEqual(DropBlock.scheduledRate(p, scheduleSteps: nil, step: 7), p)
        let (planes, h, w, bs) = (30, 10, 10, 3)
        let x = input(planes * h * w)
        for t: UInt64 in [50, 130, 200, 900] {
            let stream = RandomStream(seed: 6, step: t, stream: 1)
            let scheduled = run(x, planes: planes, h: h, w: w, bs: bs, p: p, steps: n, stream: stream)
            let constant = run(x, planes: planes, h: h, w: w, bs: bs, p: p * min(1, Double(t) / Double(n)), stream: stream)
            XCTAssertEqual(scheduled, constant, "step \(t)")
            XCTAssertTrue(scheduled.contains(0), "step \(t)")
        }
        // Halfway, about half the units of the full rate are dropped (many maps, few overlaps).
        var half = [UInt8](repeating: 0, count: 4000 * 100), full = half
        let stream = RandomStream(seed: 6, step: 100, stream: 1)
        let keptHalf = DropBlock.keepMask(&half, planes: 4000, height: 10, width: 10, blockSize: bs,
                                          p: DropBlock.scheduledRate(0.04, scheduleSteps: n, step: 100), stream: stream)
        let keptFull = DropBlock.keepMask(&full, planes: 4000, height: 10, width: 10, blockSize: bs, p: 0.04, stream: stream)
        let ratio = Double(400_000 - keptHalf) / Double(400_000 - keptFull)
        XCTAssertEqual(ratio, 0.5, accuracy: 0.06)
    }
}
