import XCTest
@testable import Runtime

final class Conv2dTests: XCTestCase {
    /// Shapes covering padding, stride, dilation, groups, 1×1 and odd sizes.
    let shapes: [Conv2dShape] = [
        Conv2dShape(batch: 2, inChannels: 1, height: 7, width: 7, outChannels: 3, kernelH: 3, kernelW: 3, padH: 1, padW: 1),
        Conv2dShape(batch: 3, inChannels: 3, height: 9, width: 11, outChannels: 5, kernelH: 3, kernelW: 2, strideH: 2, strideW: 3),
        Conv2dShape(batch: 1, inChannels: 4, height: 8, width: 9, outChannels: 6, kernelH: 3, kernelW: 3, padH: 2, padW: 1,
                    dilationH: 2, dilationW: 3, groups: 2),
        Conv2dShape(batch: 2, inChannels: 6, height: 5, width: 5, outChannels: 9, kernelH: 1, kernelW: 1, groups: 3),
        Conv2dShape(batch: 2, inChannels: 5, height: 4, width: 6, outChannels: 33, kernelH: 1, kernelW: 1, strideH: 2, padW: 1),
        Conv2dShape(batch: 9, inChannels: 2, height: 17, width: 3, outChannels: 7, kernelH: 5, kernelW: 3, strideH: 3, padH: 2, padW: 1),
        Conv2dShape(batch: 2, inChannels: 16, height: 14, width: 14, outChannels: 32, kernelH: 3, kernelW: 3, padH: 1, padW: 1),
        Conv2dShape(batch: 1, inChannels: 3, height: 3, width: 3, outChannels: 2, kernelH: 3, kernelW: 3, padH: 3, padW: 3, groups: 1),
        // patch 270 and 289 output pixels: several K blocks of the packed GEMM operands.
        Conv2dShape(batch: 2, inChannels: 30, height: 17, width: 17, outChannels: 9, kernelH: 3, kernelW: 3, padH: 1, padW: 1),
        Conv2dShape(batch: 1, inChannels: 2, height: 20, width: 30, outChannels: 3, kernelH: 1, kernelW: 1),
        // Stride 1 (the implicit GEMM over padded planes): output channels past one 32-wide
        // panel, a patch of 9 rows (one input channel), 1×1 with padding, padding beyond the
        // kernel (its data gradient falls back to im2col), dilation, groups, 40 images (5 chunks).
        Conv2dShape(batch: 3, inChannels: 5, height: 9, width: 13, outChannels: 37, kernelH: 3, kernelW: 3, padH: 1, padW: 1),
        Conv2dShape(batch: 2, inChannels: 1, height: 28, width: 28, outChannels: 32, kernelH: 3, kernelW: 3, padH: 1, padW: 1),
        Conv2dShape(batch: 2, inChannels: 7, height: 6, width: 5, outChannels: 10, kernelH: 1, kernelW: 1, padH: 1, padW: 2),
        Conv2dShape(batch: 2, inChannels: 3, height: 5, width: 7, outChannels: 4, kernelH: 2, kernelW: 3, padH: 2, padW: 3),
        Conv2dShape(batch: 2, inChannels: 6, height: 11, width: 10, outChannels: 8, kernelH: 3, kernelW: 2, padH: 2, padW: 0,
                    dilationH: 2, dilationW: 3, groups: 2),
        Conv2dShape(batch: 40, inChannels: 32, height: 12, width: 12, outChannels: 16, kernelH: 3, kernelW: 3, padH: 1, padW: 1),
        // Winograd F(2×2, 3×3): the Shake-Shake layer; output channels not a multiple of 8 and
        // odd output sizes (a half tile at the right and bottom edges, 31 tiles a row: two
        // vectors of tiles); no padding and padding 2 (data gradients with transposed padding 2
        // and 0).
        Conv2dShape(batch: 3, inChannels: 32, height: 28, width: 28, outChannels: 32, kernelH: 3, kernelW: 3, padH: 1, padW: 1),
        Conv2dShape(batch: 2, inChannels: 17, height: 9, width: 61, outChannels: 20, kernelH: 3, kernelW: 3, padH: 1, padW: 1),
        Conv2dShape(batch: 2, inChannels: 16, height: 7, width: 27, outChannels: 16, kernelH: 3, kernelW: 3),
        Conv2dShape(batch: 1, inChannels: 16, height: 5, width: 24, outChannels: 18, kernelH: 3, kernelW: 3, padH: 2, padW: 2),
    ]

    func testMatchesNaiveTwin() {
        var rng = TestRandom(seed: 30)
        for s in shapes {
            let x = rng.tensor([s.inputCount]), w = rng.tensor([s.weightCount]), b = rng.tensor([s.outChannels])
            let dy = rng.tensor([s.outputCount])
            let y = Tensor(shape: [s.outputCount]), dx = Tensor(shape: [s.inputCount])
            let dw = Tensor(shape: [s.weightCount]), db = Tensor(shape: [s.outChannels])
            Conv2d.forward(s, x: x.data, weight: w.data, bias: b.data, y: y.data)
            Conv2d.backwardData(s, dy: dy.data, weight: w.data, dx: dx.data)
            Conv2d.backwardWeight(s, x: x.data, dy: dy.data, dweight: dw.data, dbias: db.data)
            let refY = Conv2dReference.forward(s, x: x.doubles, weight: w.doubles, bias: b.doubles)
            let (refDx, refDw, refDb) = Conv2dReference.backward(s, x: x.doubles, weight: w.doubles, dy: dy.doubles)
            let tol = 1e-5 * Double(s.patch + s.outChannels + s.batch * s.outH * s.outW)
            for (name, got, want) in [("y", y, refY), ("dx", dx, refDx), ("dw", dw, refDw), ("db", db, refDb)] {
                for i in 0..<want.count where !(abs(Double(got[i]) - want[i]) <= tol * 0.1 + 1e-5) {
                    XCTFail("\(name)[\(i)] \(got[i]) vs \(want[i]) for \(s)"); break
                }
            }
        }
    }

    /// The Float64 reference backward is itself checked against finite differences of the
    /// reference forward, and the fast kernels against both.
    func testBackwardMatchesFiniteDifferences() {
        var rng = TestRandom(seed: 31)
        // Strided (im2col) and stride 1 (implicit GEMM).
        for s in [Conv2dShape(batch: 2, inChannels: 4, height: 5, width: 6, outChannels: 4, kernelH: 3, kernelW: 2,
                              strideH: 2, strideW: 1, padH: 1, padW: 1, dilationH: 1, dilationW: 2, groups: 2),
                  Conv2dShape(batch: 2, inChannels: 4, height: 5, width: 6, outChannels: 4, kernelH: 3, kernelW: 2,
                              padH: 1, padW: 1, dilationH: 1, dilationW: 2, groups: 2)] {
            let x = rng.tensor([s.inputCount]), w = rng.tensor([s.weightCount]), b = rng.tensor([s.outChannels])
            let dy = rng.tensor([s.outputCount]).doubles
            func loss(_ xs: [Double], _ ws: [Double], _ bs: [Double]) -> Double {
                zip(Conv2dReference.forward(s, x: xs, weight: ws, bias: bs), dy).reduce(0) { $0 + $1.0 * $1.1 }
            }
            let dyT = Tensor(shape: [s.outputCount], values: dy.map(Float.init))
            let dx = Tensor(shape: [s.inputCount]), dw = Tensor(shape: [s.weightCount]), db = Tensor(shape: [s.outChannels])
            Conv2d.backwardData(s, dy: dyT.data, weight: w.data, dx: dx.data)
            Conv2d.backwardWeight(s, x: x.data, dy: dyT.data, dweight: dw.data, dbias: db.data)
            assertGradient(dx.data, finiteDifference(x.doubles) { loss($0, w.doubles, b.doubles) }, "dx")
            assertGradient(dw.data, finiteDifference(w.doubles) { loss(x.doubles, $0, b.doubles) }, "dw")
            assertGradient(db.data, finiteDifference(b.doubles) { loss(x.doubles, w.doubles, $0) }, "db")
        }
    }

    func testFusedActivationAndAccumulate() {
        var rng = TestRandom(seed: 32)
        for s in [shapes[1], shapes[10]] {
            let x = rng.tensor([s.inputCount]), w = rng.tensor([s.weightCount]), b = rng.tensor([s.outChannels])
            let fused = Tensor(shape: [s.outputCount]), plain = Tensor(shape: [s.outputCount])
            Conv2d.forward(s, x: x.data, weight: w.data, bias: b.data, y: fused.data, activation: .relu)
            Conv2d.forward(s, x: x.data, weight: w.data, bias: b.data, y: plain.data)
            Activation.relu.forward(plain.data, plain.data, count: plain.count)
            assertBitIdentical(fused, plain)
            let dy = rng.tensor([s.outputCount])
            let dw1 = Tensor(shape: [s.weightCount]), dw2 = rng.tensor([s.weightCount]), start = dw2.copy()
            Conv2d.backwardWeight(s, x: x.data, dy: dy.data, dweight: dw1.data, dbias: nil)
            Conv2d.backwardWeight(s, x: x.data, dy: dy.data, dweight: dw2.data, dbias: nil, accumulate: true)
            for i in 0..<dw1.count { XCTAssertEqual(dw2[i], start[i] + dw1[i], accuracy: 1e-4) }
        }
    }

    func testBitIdenticalAcrossThreadCounts() {
        var rng = TestRandom(seed: 33)
        for s in [Conv2dShape(batch: 19, inChannels: 16, height: 14, width: 14, outChannels: 32, kernelH: 3, kernelW: 3, padH: 1, padW: 1),
                  Conv2dShape(batch: 5, inChannels: 16, height: 26, width: 26, outChannels: 24, kernelH: 3, kernelW: 3, padH: 1, padW: 1)] {
            assertBitIdenticalAcrossThreadCounts(s, &rng)
        }
    }

    private func assertBitIdenticalAcrossThreadCounts(_ s: Conv2dShape, _ rng: inout TestRandom) {
        let x = rng.tensor([s.inputCount]), w = rng.tensor([s.weightCount]), dy = rng.tensor([s.outputCount])
        var results: [[Tensor]] = []
        for t in [1, 2, 3] {
            let pool = ThreadPool(threads: t)
            let y = Tensor(shape: [s.outputCount]), dx = Tensor(shape: [s.inputCount])
            let dw = Tensor(shape: [s.weightCount]), db = Tensor(shape: [s.outChannels])
            Conv2d.forward(s, x: x.data, weight: w.data, bias: nil, y: y.data, pool: pool)
            Conv2d.backwardData(s, dy: dy.data, weight: w.data, dx: dx.data, pool: pool)
            Conv2d.backwardWeight(s, x: x.data, dy: dy.data, dweight: dw.data, dbias: db.data, pool: pool)
            results.append([y, dx, dw, db])
        }
        for r in results.dropFirst() { for (a, b) in zip(results[0], r) { assertBitIdentical(a, b) } }
    }

    /// The implicit GEMM reads patch rows in place from padded planes; the strided path builds
    /// im2col. Both are checked against the twin above; this pins which shapes take which path.
    func testStrideOneTakesTheImplicitPath() {
        XCTAssertTrue(Conv2dImplicit.handles(shapes[10]))
        XCTAssertTrue(Conv2dImplicit.handlesData(shapes[10]))
        XCTAssertFalse(Conv2dImplicit.handles(shapes[1]))
        XCTAssertTrue(Conv2dImplicit.handles(shapes[13]))
        XCTAssertFalse(Conv2dImplicit.handlesData(shapes[13]), "padding 3 on a 2×3 kernel: transposed padding < 0")
        // Winograd takes the wide 3×3 layers with 16 or more channels, not the tutorial CNN's
        // 14-wide second layer, a first layer on one channel, or strided and dilated kernels.
        for s in shapes.suffix(4) { XCTAssertTrue(Conv2dWinograd.handles(s), "\(s)") }
        for s in shapes.suffix(4) { XCTAssertTrue(Conv2dWinograd.handlesData(s), "\(s)") }
        XCTAssertFalse(Conv2dWinograd.handlesData(shapes[6]))
        XCTAssertFalse(Conv2dWinograd.handles(shapes[6]))
        XCTAssertFalse(Conv2dWinograd.handles(shapes[11]))
        XCTAssertFalse(Conv2dWinograd.handles(shapes[2]))
    }

    /// The statistics a convolution records for the batch norm after it (implicit GEMM, Winograd
    /// and im2col paths) give that batch norm's output and saved statistics bit for bit.
    func testRecordedPlaneStatisticsEqualTheBatchNormsOwn() {
        var rng = TestRandom(seed: 35)
        for s in [shapes[10], shapes[shapes.count - 3], shapes[1]] {
            let x = rng.tensor([s.inputCount]), w = rng.tensor([s.weightCount]), b = rng.tensor([s.outChannels])
            let y = Tensor(shape: [s.outputCount]), stats = UnsafeMutablePointer<Double>.allocate(capacity: 2 * s.batch * s.outChannels)
            defer { stats.deallocate() }
            Conv2d.forward(s, x: x.data, weight: w.data, bias: b.data, y: y.data, statistics: stats, pool: ThreadPool(threads: 2))
            let (n, c, sp) = (s.batch, s.outChannels, s.outH * s.outW)
            var outputs: [Tensor] = []
            for given in [nil, UnsafePointer(stats)] {
                let out = Tensor(shape: [s.outputCount]), saved = Tensor(shape: [2 * c])
                BatchNorm.forwardTraining(batch: n, channels: c, spatial: sp, x: y.data, gamma: nil, beta: nil, y: out.data,
                                          saveMean: saved.data, saveInvStd: saved.data + c, runningMean: nil, runningVar: nil,
                                          planeStatistics: given)
                outputs += [out, saved]
            }
            assertBitIdentical(outputs[0], outputs[2])
            assertBitIdentical(outputs[1], outputs[3])
        }
    }

    /// The bias and activation run on each image's planes after the output transform: the same
    /// values as a separate pass.
    func testWinogradEpilogueEqualsSeparatePasses() {
        var rng = TestRandom(seed: 34)
        let s = shapes[shapes.count - 3]
        let x = rng.tensor([s.inputCount]), w = rng.tensor([s.weightCount]), b = rng.tensor([s.outChannels])
        let fused = Tensor(shape: [s.outputCount]), plain = Tensor(shape: [s.outputCount])
        Conv2d.forward(s, x: x.data, weight: w.data, bias: b.data, y: fused.data, activation: .relu)
        Conv2d.forward(s, x: x.data, weight: w.data, bias: nil, y: plain.data)
        Bias.addChannels(batch: s.batch, channels: s.outChannels, spatial: s.outH * s.outW, plain.data, bias: b.data)
        Activation.relu.forward(plain.data, plain.data, count: plain.count)
        assertBitIdentical(fused, plain)
    }
}
