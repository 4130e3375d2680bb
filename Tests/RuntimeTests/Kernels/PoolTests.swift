import XCTest
@testable import Runtime

final class PoolTests: XCTestCase {
    let shapes: [Pool2dShape] = [
        Pool2dShape(batch: 2, channels: 3, height: 28, width: 28, kernelH: 2, kernelW: 2),
        // 2×2 with 18 outputs per row: one 16-lane group and a scalar tail; 7 per row: scalar only.
        Pool2dShape(batch: 1, channels: 2, height: 6, width: 37, kernelH: 2, kernelW: 2),
        Pool2dShape(batch: 2, channels: 3, height: 14, width: 14, kernelH: 2, kernelW: 2),
        // 18 windows per row (a 16-lane group, then the scalar tail) and 5.
        Pool2dShape(batch: 1, channels: 2, height: 6, width: 36, kernelH: 2, kernelW: 2),
        Pool2dShape(batch: 2, channels: 2, height: 10, width: 10, kernelH: 2, kernelW: 2),
        Pool2dShape(batch: 1, channels: 2, height: 7, width: 5, kernelH: 3, kernelW: 2, strideH: 2, strideW: 1, padH: 1, padW: 1),
        Pool2dShape(batch: 2, channels: 1, height: 5, width: 7, kernelH: 2, kernelW: 3, strideH: 2, strideW: 2, ceilMode: true),
        Pool2dShape(batch: 1, channels: 3, height: 4, width: 9, kernelH: 3, kernelW: 3, strideH: 2, strideW: 3, padH: 1, padW: 1, ceilMode: true),
        Pool2dShape(batch: 3, channels: 1, height: 17, width: 3, kernelH: 3, kernelW: 1, strideH: 3, strideW: 1),
        Pool2dShape(batch: 1, channels: 1, height: 1, width: 1, kernelH: 1, kernelW: 1),
    ]

    func testOutputSizesMatchPyTorch() {
        // Values from torch.nn.functional.max_pool2d output shapes.
        XCTAssertEqual(Pool2dShape(batch: 1, channels: 1, height: 5, width: 5, kernelH: 2, kernelW: 2).outH, 2)
        XCTAssertEqual(Pool2dShape(batch: 1, channels: 1, height: 5, width: 5, kernelH: 2, kernelW: 2, ceilMode: true).outH, 3)
        XCTAssertEqual(Pool2dShape(batch: 1, channels: 1, height: 4, width: 4, kernelH: 3, kernelW: 3, strideH: 2, strideW: 2,
                                   padH: 1, padW: 1, ceilMode: true).outH, 3)
        // ceil mode may not start a window in the right padding: 6 with k 2, s 2, p 1 → 4, not 5.
        XCTAssertEqual(Pool2dShape(batch: 1, channels: 1, height: 6, width: 6, kernelH: 2, kernelW: 2, padH: 1, padW: 1,
                                   ceilMode: true).outH, 4)
        XCTAssertEqual(Pool2dShape(batch: 1, channels: 1, height: 28, width: 28, kernelH: 2, kernelW: 2).outW, 14)
    }

    func testMaxPoolMatchesTwinAndGradient() {
        var rng = TestRandom(seed: 40)
        for s in shapes {
            let x = rng.tensor([s.inputCount]), y = Tensor(shape: [s.outputCount])
            let idx = UnsafeMutablePointer<Int32>.allocate(capacity: s.outputCount)
            defer { idx.deallocate() }
            MaxPool2d.forward(s, x: x.data, y: y.data, indices: idx)
            let ref = Pool2dReference.maxForward(s, x: x.doubles)
            for i in 0..<ref.count { XCTAssertEqual(Double(y[i]), ref[i], "\(s) at \(i)") }
            let w = rng.tensor([s.outputCount]), dx = Tensor(shape: [s.inputCount])
            MaxPool2d.backward(s, dy: w.data, indices: idx, dx: dx.data)
            let wd = w.doubles
            let numeric = finiteDifference(x.doubles, h: 1e-7) { xs in
                zip(Pool2dReference.maxForward(s, x: xs), wd).reduce(0) { $0 + $1.0 * $1.1 }
            }
            assertGradient(dx.data, numeric, "\(s)")
        }
    }

    func testMaxPoolPropagatesNaNAndHandlesNegativeInfinity() {
        let s = Pool2dShape(batch: 1, channels: 1, height: 2, width: 2, kernelH: 2, kernelW: 2)
        let idx = UnsafeMutablePointer<Int32>.allocate(capacity: 1)
        defer { idx.deallocate() }
        let y = Tensor(shape: [1])
        let withNaN = Tensor(shape: [4], values: [1, .nan, 3, 2])
        let allNegInf = Tensor(shape: [4], values: [-.infinity, -.infinity, -.infinity, -.infinity])
        MaxPool2d.forward(s, x: withNaN.data, y: y.data, indices: idx)
        XCTAssertTrue(y[0].isNaN)
        XCTAssertEqual(idx[0], 1)
        MaxPool2d.forward(s, x: allNegInf.data, y: y.data, indices: idx)
        XCTAssertEqual(idx[0], 0)
        // The general (padded, 3×3) path follows the same rule: the last NaN of a window wins.
        let g = Pool2dShape(batch: 1, channels: 1, height: 3, width: 3, kernelH: 3, kernelW: 3, strideH: 1, strideW: 1, padH: 1, padW: 1)
        let twoNaN = Tensor(shape: [9], values: [0, 1, .nan, 3, 4, .nan, 6, 7, 8])
        let out = Tensor(shape: [g.outputCount])
        let gi = UnsafeMutablePointer<Int32>.allocate(capacity: g.outputCount)
        defer { gi.deallocate() }
        MaxPool2d.forward(g, x: twoNaN.data, y: out.data, indices: gi)
        XCTAssertTrue(out[0].isNaN == false && out[0] == 4 && gi[0] == 4)   // window rows 0-1, cols 0-1
        XCTAssertTrue(out[0 * g.outW + 1].isNaN)
        XCTAssertEqual(gi[0 * g.outW + 1], 5)
    }

    /// The 16-lane 2×2 path keeps the scalar rule: ties go to the first tap (output row 0 runs
    /// in lanes), and a NaN wins its window (row 1 falls back to the scalar loop).
    func testVectorTwoByTwoPathKeepsTiesAndNaN() {
        let s = Pool2dShape(batch: 1, channels: 1, height: 4, width: 36, kernelH: 2, kernelW: 2)
        var values = [Float](repeating: 5, count: 144)
        values[9] = 6; values[36 + 9] = 6   // row 0, window 4: a tie of its top-right and bottom-right taps
        values[3 * 36 + 7] = .nan           // row 1, window 3
        let x = Tensor(shape: [144], values: values), y = Tensor(shape: [36])
        let idx = UnsafeMutablePointer<Int32>.allocate(capacity: 36)
        defer { idx.deallocate() }
        MaxPool2d.forward(s, x: x.data, y: y.data, indices: idx)
        XCTAssertEqual(y[4], 6)
        XCTAssertEqual(idx[4], 9)
        XCTAssertTrue(y[18 + 3].isNaN)
        XCTAssertEqual(idx[18 + 3], 3 * 36 + 7)
        for o in 0..<36 where o != 4 && o != 21 {
            XCTAssertEqual(idx[o], Int32(o / 18 * 72 + o % 18 * 2), "all four taps equal: the first, at \(o)")
        }
    }

    /// Rows narrower than 16 outputs (14 and 7, the tutorial CNN's): a NaN wins its window only,
    /// in an inner row and in the plane's last window.
    func testNaNOnNarrowRows() {
        for (h, w) in [(6, 28), (6, 14), (4, 10)] {
            let s = Pool2dShape(batch: 2, channels: 1, height: h, width: w, kernelH: 2, kernelW: 2)
            var values = (0..<s.inputCount).map { Float(($0 * 7919) % 101) - 50 }
            values[2 * w] = .nan                 // window (1, 0)
            values[h * w - 1] = .nan             // the last window of plane 0
            let x = Tensor(shape: [s.inputCount], values: values), y = Tensor(shape: [s.outputCount])
            let idx = UnsafeMutablePointer<Int32>.allocate(capacity: s.outputCount)
            defer { idx.deallocate() }
            MaxPool2d.forward(s, x: x.data, y: y.data, indices: idx)
            // The twin compares Doubles and skips NaN; the kernel follows PyTorch (a NaN wins).
            let ref = Pool2dReference.maxForward(s, x: x.doubles)
            let nanWindows = [s.outW, s.outH * s.outW - 1]
            for o in 0..<s.outputCount {
                if nanWindows.contains(o) {
                    XCTAssertTrue(y[o].isNaN, "\(h)×\(w) output \(o) is \(y[o])")
                } else {
                    XCTAssertEqual(Double(y[o]), ref[o], "\(h)×\(w) output \(o)")
                }
            }
            XCTAssertEqual(idx[s.outW], Int32(2 * w), "the NaN's window points at it")
            XCTAssertEqual(idx[s.outH * s.outW - 1], Int32(h * w - 1))
        }
    }

    /// The 2×2 tiling paths (16 windows per vector, narrower rows through copies) against a naive
    /// first-maximum forward and a zero-then-scatter backward, bit for bit: rows of 1, 7, 14, 17
    /// and 18 windows, ties everywhere (small integers), −0 and NaN in dy, with and without the
    /// fused ReLU.
    func testTwoByTwoTilingMatchesTheScatterBitForBit() {
        var rng = TestRandom(seed: 43)
        for (h, w) in [(2, 2), (14, 14), (28, 28), (4, 34), (6, 36), (4, 30)] {
            let s = Pool2dShape(batch: 2, channels: 3, height: h, width: w, kernelH: 2, kernelW: 2)
            let x = Tensor(shape: [s.inputCount], values: (0..<s.inputCount).map { _ in Float(rng.int(4) - 1) })
            let y = Tensor(shape: [s.outputCount])
            let idx = UnsafeMutablePointer<Int32>.allocate(capacity: s.outputCount)
            defer { idx.deallocate() }
            MaxPool2d.forward(s, x: x.data, y: y.data, indices: idx)
            for p in 0..<s.planes {
                for i in 0..<s.outH {
                    for j in 0..<s.outW {
                        let o = p * s.outH * s.outW + i * s.outW + j
                        let taps = [2 * i * w + 2 * j, 2 * i * w + 2 * j + 1, (2 * i + 1) * w + 2 * j, (2 * i + 1) * w + 2 * j + 1]
                        let first = taps.first { x[p * h * w + $0] == taps.map { x[p * h * w + $0] }.max()! }!
                        XCTAssertEqual(idx[o], Int32(first), "\(h)×\(w) plane \(p) window (\(i), \(j)): the first maximum")
                        XCTAssertEqual(y[o], x[p * h * w + first])
                    }
                }
            }
            let dy = rng.tensor([s.outputCount], -1, 1)
            dy[0] = -0.0; dy[s.outputCount - 1] = .nan
            for relu in [false, true] {
                let dx = Tensor(shape: [s.inputCount], values: [Float](repeating: 7, count: s.inputCount))
                MaxPool2d.backward(s, dy: dy.data, indices: idx, dx: dx.data, reluOutput: relu ? x.data : nil)
                var expected = [Float](repeating: 0, count: s.inputCount)
                for o in 0..<s.outputCount {
                    let k = o / (s.outH * s.outW) * h * w + Int(idx[o])
                    expected[k] += relu ? (x[k] > 0 ? dy[o] : 0) : dy[o]
                }
                for k in 0..<s.inputCount where dx[k].bitPattern != expected[k].bitPattern {
                    return XCTFail("\(h)×\(w) relu \(relu): dx[\(k)] is \(dx[k]), the scatter gives \(expected[k])")
                }
            }
        }
    }

    /// The fused ReLU backward gives the two passes' result bit for bit, on overlapping windows
    /// too (positions that several windows pick), with negatives, zeros and NaN in y.
    func testBackwardWithReluOutputEqualsReluBackwardOfTheScatter() {
        var rng = TestRandom(seed: 42)
        for s in [Pool2dShape(batch: 2, channels: 3, height: 14, width: 14, kernelH: 2, kernelW: 2),
                  Pool2dShape(batch: 1, channels: 2, height: 7, width: 9, kernelH: 3, kernelW: 3, strideH: 1, strideW: 1, padH: 1, padW: 1)] {
            let x = rng.tensor([s.inputCount], -1, 1)
            for i in stride(from: 0, to: s.inputCount, by: 7) { x[i] = 0 }
            x[5] = .nan
            let y = Tensor(shape: [s.inputCount])
            Activation.relu.forward(x.data, y.data, count: s.inputCount)
            let out = Tensor(shape: [s.outputCount]), dy = rng.tensor([s.outputCount])
            let idx = UnsafeMutablePointer<Int32>.allocate(capacity: s.outputCount)
            defer { idx.deallocate() }
            MaxPool2d.forward(s, x: y.data, y: out.data, indices: idx)
            let separate = Tensor(shape: [s.inputCount]), fused = Tensor(shape: [s.inputCount])
            MaxPool2d.backward(s, dy: dy.data, indices: idx, dx: separate.data)
            Activation.relu.backward(x: nil, y: y.data, dy: separate.data, dx: separate.data, count: s.inputCount)
            MaxPool2d.backward(s, dy: dy.data, indices: idx, dx: fused.data, reluOutput: y.data)
            for i in 0..<s.inputCount { XCTAssertEqual(fused[i].bitPattern, separate[i].bitPattern, "\(s) at \(i)") }
            XCTAssertGreaterThan((0..<s.inputCount).filter { separate[$0] != 0 }.count, s.outputCount / 4)
        }
    }

    func testAvgPoolMatchesTwinAndGradient() {
        var rng = TestRandom(seed: 41)
        for s in shapes where s.dilationH == 1 {
            for include in [true, false] {
                let x = rng.tensor([s.inputCount]), y = Tensor(shape: [s.outputCount])
                AvgPool2d.forward(s, x: x.data, y: y.data, countIncludePad: include)
                let ref = Pool2dReference.avgForward(s, x: x.doubles, countIncludePad: include)
                for i in 0..<ref.count { XCTAssertEqual(Double(y[i]), ref[i], accuracy: 1e-6, "\(s) include \(include)") }
                let w = rng.tensor([s.outputCount]), dx = Tensor(shape: [s.inputCount])
                AvgPool2d.backward(s, dy: w.data, dx: dx.data, countIncludePad: include)
                let wd = w.doubles
                let numeric = finiteDifference(x.doubles) { xs in
                    zip(Pool2dReference.avgForward(s, x: xs, countIncludePad: include), wd).reduce(0) { $0 + $1.0 * $1.1 }
                }
                assertGradient(dx.data, numeric, "\(s) include \(include)")
            }
        }
        // PyTorch: avg_pool2d(ones(1,1,3,3), 3, stride 1, padding 1) corner = 4/9 with padding counted, 1 without.
        let s = Pool2dShape(batch: 1, channels: 1, height: 3, width: 3, kernelH: 3, kernelW: 3, strideH: 1, strideW: 1, padH: 1, padW: 1)
        let ones = Tensor(shape: [9], repeating: 1), y = Tensor(shape: [9])
        AvgPool2d.forward(s, x: ones.data, y: y.data, countIncludePad: true)
        XCTAssertEqual(y[0], 4.0 / 9, accuracy: 1e-7)
        AvgPool2d.forward(s, x: ones.data, y: y.data, countIncludePad: false)
        XCTAssertEqual(y[0], 1, accuracy: 1e-7)
    }

    func testGlobalAvgPoolAndUpsample() {
        var rng = TestRandom(seed: 42)
        let (planes, h, w) = (5, 7, 3)
        let x = rng.tensor([planes * h * w]), y = Tensor(shape: [planes])
        GlobalAvgPool.forward(planes: planes, spatial: h * w, x: x.data, y: y.data)
        for p in 0..<planes {
            let ref = (0..<(h * w)).reduce(0.0) { $0 + Double(x[p * h * w + $1]) } / Double(h * w)
            XCTAssertEqual(Double(y[p]), ref, accuracy: 1e-6)
        }
        let dy = rng.tensor([planes]), dx = Tensor(shape: [planes * h * w])
        GlobalAvgPool.backward(planes: planes, spatial: h * w, dy: dy.data, dx: dx.data)
        for i in 0..<dx.count { XCTAssertEqual(dx[i], dy[i / (h * w)] / Float(h * w), accuracy: 1e-7) }

        let up = Tensor(shape: [planes * h * 2 * w * 3])
        UpsampleNearest.forward(planes: planes, height: h, width: w, scaleH: 2, scaleW: 3, x: x.data, y: up.data)
        for p in 0..<planes { for i in 0..<(2 * h) { for j in 0..<(3 * w) {
            XCTAssertEqual(up[(p * 2 * h + i) * 3 * w + j], x[(p * h + i / 2) * w + j / 3])
        } } }
        let g = rng.tensor([up.count]), gx = Tensor(shape: [x.count])
        UpsampleNearest.backward(planes: planes, height: h, width: w, scaleH: 2, scaleW: 3, dy: g.data, dx: gx.data)
        for p in 0..<planes { for i in 0..<h { for j in 0..<w {
            var ref = 0.0
            for a in 0..<2 { for b in 0..<3 { ref += Double(g[(p * 2 * h + 2 * i + a) * 3 * w + 3 * j + b]) } }
            XCTAssertEqual(Double(gx[(p * h + i) * w + j]), ref, accuracy: 1e-5)
        } } }
    }

    func testBitIdenticalAcrossThreadCounts() {
        var rng = TestRandom(seed: 43)
        let s = Pool2dShape(batch: 5, channels: 7, height: 13, width: 11, kernelH: 3, kernelW: 3, strideH: 2, strideW: 2,
                            padH: 1, padW: 1, ceilMode: true)
        let x = rng.tensor([s.inputCount]), dy = rng.tensor([s.outputCount])
        var outs: [Tensor] = []
        let idx = UnsafeMutablePointer<Int32>.allocate(capacity: s.outputCount)
        defer { idx.deallocate() }
        for t in [1, 2] {
            let pool = ThreadPool(threads: t)
            let ym = Tensor(shape: [s.outputCount]), dxm = Tensor(shape: [s.inputCount])
            let ya = Tensor(shape: [s.outputCount]), dxa = Tensor(shape: [s.inputCount])
            MaxPool2d.forward(s, x: x.data, y: ym.data, indices: idx, pool: pool)
            MaxPool2d.backward(s, dy: dy.data, indices: idx, dx: dxm.data, pool: pool)
            AvgPool2d.forward(s, x: x.data, y: ya.data, pool: pool)
            AvgPool2d.backward(s, dy: dy.data, dx: dxa.data, pool: pool)
            outs += [ym, dxm, ya, dxa]
        }
        for i in 0..<4 { assertBitIdentical(outs[i], outs[i + 4]) }
    }
}
