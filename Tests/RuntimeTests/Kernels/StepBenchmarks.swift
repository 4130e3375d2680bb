import XCTest
@testable import Runtime

/// Kernel-only training steps of the tutorial models (no optimizer, no data loading): an upper
/// bound for the interpreter's samples/s. Skipped unless REGULA_BENCH is set.
final class StepBenchmarks: XCTestCase {
    func testTutorialCNNStep() throws {
        guard ProcessInfo.processInfo.environment["REGULA_BENCH"] != nil else { throw XCTSkip("set REGULA_BENCH=1 to measure") }
        var rng = TestRandom(seed: 5)
        let n = 64
        let c1 = Conv2dShape(batch: n, inChannels: 1, height: 28, width: 28, outChannels: 16, kernelH: 3, kernelW: 3, padH: 1, padW: 1)
        let c2 = Conv2dShape(batch: n, inChannels: 16, height: 14, width: 14, outChannels: 32, kernelH: 3, kernelW: 3, padH: 1, padW: 1)
        let p1 = Pool2dShape(batch: n, channels: 16, height: 28, width: 28, kernelH: 2, kernelW: 2)
        let p2 = Pool2dShape(batch: n, channels: 32, height: 14, width: 14, kernelH: 2, kernelW: 2)
        let x = rng.tensor([c1.inputCount]), w1 = rng.tensor([c1.weightCount]), w2 = rng.tensor([c2.weightCount])
        let fcW = rng.tensor([10, 32 * 49]), fcB = rng.tensor([10])
        let labels = (0..<n).map { _ in Int32(rng.int(10)) }
        // Activations and gradients.
        let a1 = Tensor(shape: [c1.outputCount]), b1 = Tensor(shape: [c1.outputCount]), m1 = Tensor(shape: [p1.outputCount])
        let a2 = Tensor(shape: [c2.outputCount]), b2 = Tensor(shape: [c2.outputCount]), m2 = Tensor(shape: [p2.outputCount])
        let logits = Tensor(shape: [n, 10]), dlogits = Tensor(shape: [n, 10])
        let dm2 = Tensor(shape: [p2.outputCount]), db2 = Tensor(shape: [c2.outputCount]), da2 = Tensor(shape: [c2.outputCount])
        let dm1 = Tensor(shape: [p1.outputCount]), db1 = Tensor(shape: [c1.outputCount]), da1 = Tensor(shape: [c1.outputCount])
        let dw1 = Tensor(shape: [c1.weightCount]), dw2 = Tensor(shape: [c2.weightCount]), dfcW = Tensor(shape: [10, 32 * 49]), dfcB = Tensor(shape: [10])
        let stats = Tensor(shape: [8 * 32]), dgb = Tensor(shape: [4 * 32])
        let i1 = UnsafeMutablePointer<Int32>.allocate(capacity: p1.outputCount), i2 = UnsafeMutablePointer<Int32>.allocate(capacity: p2.outputCount)
        defer { i1.deallocate(); i2.deallocate() }
        for threads in [1, 2] {
            let pool = ThreadPool(threads: threads)
            let t = benchTime(10) {
                Conv2d.forward(c1, x: x.data, weight: w1.data, bias: nil, y: a1.data, pool: pool)
                BatchNorm.forwardTraining(batch: n, channels: 16, spatial: 784, x: a1.data, gamma: nil, beta: nil, y: b1.data,
                                          saveMean: stats.data, saveInvStd: stats.data + 32, runningMean: stats.data + 64,
                                          runningVar: stats.data + 96, pool: pool)
                Activation.relu.forward(b1.data, b1.data, count: b1.count, pool: pool)
                MaxPool2d.forward(p1, x: b1.data, y: m1.data, indices: i1, pool: pool)
                Conv2d.forward(c2, x: m1.data, weight: w2.data, bias: nil, y: a2.data, pool: pool)
                BatchNorm.forwardTraining(batch: n, channels: 32, spatial: 196, x: a2.data, gamma: nil, beta: nil, y: b2.data,
                                          saveMean: stats.data + 128, saveInvStd: stats.data + 160, runningMean: stats.data + 192,
                                          runningVar: stats.data + 224, pool: pool)
                Activation.relu.forward(b2.data, b2.data, count: b2.count, pool: pool)
                MaxPool2d.forward(p2, x: b2.data, y: m2.data, indices: i2, pool: pool)
                Gemm.sgemm(transB: true, m: n, n: 10, k: 32 * 49, a: m2.data, lda: 32 * 49, b: fcW.data, ldb: 32 * 49,
                           c: logits.data, ldc: 10, epilogue: GemmEpilogue(bias: fcB.data), pool: pool)
                _ = labels.withUnsafeBufferPointer {
                    SoftmaxCrossEntropy.forwardBackward(batch: n, classes: 10, logits: logits.data, labels: $0.baseAddress!,
                                                        smoothing: .none, dlogits: dlogits.data, pool: pool)
                }
                Gemm.sgemm(transA: true, m: 10, n: 32 * 49, k: n, a: dlogits.data, lda: 10, b: m2.data, ldb: 32 * 49,
                           c: dfcW.data, ldc: 32 * 49, pool: pool)
                Bias.gradColumns(m: n, n: 10, dlogits.data, ld: 10, dbias: dfcB.data, pool: pool)
                Gemm.sgemm(m: n, n: 32 * 49, k: 10, a: dlogits.data, lda: 10, b: fcW.data, ldb: 32 * 49, c: dm2.data, ldc: 32 * 49, pool: pool)
                MaxPool2d.backward(p2, dy: dm2.data, indices: i2, dx: db2.data, pool: pool)
                Activation.relu.backward(x: nil, y: b2.data, dy: db2.data, dx: db2.data, count: db2.count, pool: pool)
                BatchNorm.backwardTraining(batch: n, channels: 32, spatial: 196, x: a2.data, dy: db2.data, gamma: nil,
                                           saveMean: stats.data + 128, saveInvStd: stats.data + 160, dx: da2.data,
                                           dgamma: dgb.data, dbeta: dgb.data + 32, pool: pool)
                Conv2d.backwardWeight(c2, x: m1.data, dy: da2.data, dweight: dw2.data, dbias: nil, pool: pool)
                Conv2d.backwardData(c2, dy: da2.data, weight: w2.data, dx: dm1.data, pool: pool)
                MaxPool2d.backward(p1, dy: dm1.data, indices: i1, dx: db1.data, pool: pool)
                Activation.relu.backward(x: nil, y: b1.data, dy: db1.data, dx: db1.data, count: db1.count, pool: pool)
                BatchNorm.backwardTraining(batch: n, channels: 16, spatial: 784, x: a1.data, dy: db1.data, gamma: nil,
                                           saveMean: stats.data, saveInvStd: stats.data + 32, dx: da1.data,
                                           dgamma: dgb.data + 64, dbeta: dgb.data + 96, pool: pool)
                Conv2d.backwardWeight(c1, x: x.data, dy: da1.data, dweight: dw1.data, dbias: nil, pool: pool)
            }
            print(String(format: "tutorial CNN kernel step (batch 64) threads %d: %.2f ms, %.0f samples/s", threads, t * 1e3, Double(n) / t))
        }
    }

    func testTutorialMLPStep() throws {
        guard ProcessInfo.processInfo.environment["REGULA_BENCH"] != nil else { throw XCTSkip("set REGULA_BENCH=1 to measure") }
        var rng = TestRandom(seed: 6)
        let n = 128
        let x = rng.tensor([n, 784]), w1 = rng.tensor([256, 784]), w2 = rng.tensor([256, 256]), w3 = rng.tensor([10, 256])
        let bias = rng.tensor([256]), u = rng.tensor([n, 256], 0, 1)
        let labels = (0..<n).map { _ in Int32(rng.int(10)) }
        let h1 = Tensor(shape: [n, 256]), h2 = Tensor(shape: [n, 256]), d1 = Tensor(shape: [n, 256]), d2 = Tensor(shape: [n, 256])
        let logits = Tensor(shape: [n, 10]), g = Tensor(shape: [n, 10]), gh2 = Tensor(shape: [n, 256]), gh1 = Tensor(shape: [n, 256])
        let gw1 = Tensor(shape: [256, 784]), gw2 = Tensor(shape: [256, 256]), gw3 = Tensor(shape: [10, 256]), gb = Tensor(shape: [3 * 256])
        for threads in [1, 2] {
            let pool = ThreadPool(threads: threads)
            let t = benchTime(50) {
                Gemm.sgemm(transB: true, m: n, n: 256, k: 784, a: x.data, lda: 784, b: w1.data, ldb: 784, c: h1.data, ldc: 256,
                           epilogue: GemmEpilogue(bias: bias.data, activation: .relu), pool: pool)
                Dropout.apply(h1.data, uniforms: u.data, keep: 0.5, d1.data, count: n * 256)
                Gemm.sgemm(transB: true, m: n, n: 256, k: 256, a: d1.data, lda: 256, b: w2.data, ldb: 256, c: h2.data, ldc: 256,
                           epilogue: GemmEpilogue(bias: bias.data, activation: .relu), pool: pool)
                Dropout.apply(h2.data, uniforms: u.data, keep: 0.5, d2.data, count: n * 256)
                Gemm.sgemm(transB: true, m: n, n: 10, k: 256, a: d2.data, lda: 256, b: w3.data, ldb: 256, c: logits.data, ldc: 10,
                           epilogue: GemmEpilogue(bias: bias.data), pool: pool)
                _ = labels.withUnsafeBufferPointer {
                    SoftmaxCrossEntropy.forwardBackward(batch: n, classes: 10, logits: logits.data, labels: $0.baseAddress!,
                                                        smoothing: .uniform(0.1), dlogits: g.data, pool: pool)
                }
                Gemm.sgemm(transA: true, m: 10, n: 256, k: n, a: g.data, lda: 10, b: d2.data, ldb: 256, c: gw3.data, ldc: 256, pool: pool)
                Bias.gradColumns(m: n, n: 10, g.data, ld: 10, dbias: gb.data, pool: pool)
                Gemm.sgemm(m: n, n: 256, k: 10, a: g.data, lda: 10, b: w3.data, ldb: 256, c: gh2.data, ldc: 256, pool: pool)
                Dropout.apply(gh2.data, uniforms: u.data, keep: 0.5, gh2.data, count: n * 256)
                Activation.relu.backward(x: nil, y: h2.data, dy: gh2.data, dx: gh2.data, count: n * 256, pool: pool)
                Gemm.sgemm(transA: true, m: 256, n: 256, k: n, a: gh2.data, lda: 256, b: d1.data, ldb: 256, c: gw2.data, ldc: 256, pool: pool)
                Bias.gradColumns(m: n, n: 256, gh2.data, ld: 256, dbias: gb.data + 256, pool: pool)
                Gemm.sgemm(m: n, n: 256, k: 256, a: gh2.data, lda: 256, b: w2.data, ldb: 256, c: gh1.data, ldc: 256, pool: pool)
                Dropout.apply(gh1.data, uniforms: u.data, keep: 0.5, gh1.data, count: n * 256)
                Activation.relu.backward(x: nil, y: h1.data, dy: gh1.data, dx: gh1.data, count: n * 256, pool: pool)
                Gemm.sgemm(transA: true, m: 256, n: 784, k: n, a: gh1.data, lda: 256, b: x.data, ldb: 784, c: gw1.data, ldc: 784, pool: pool)
                Bias.gradColumns(m: n, n: 256, gh1.data, ld: 256, dbias: gb.data + 512, pool: pool)
            }
            print(String(format: "tutorial MLP kernel step (batch 128) threads %d: %.3f ms, %.0f samples/s", threads, t * 1e3, Double(n) / t))
        }
    }
}
