import XCTest
import Dispatch
@testable import Runtime

/// Throughput figures for the report; skipped unless REGULA_BENCH is set (benchmarks are not tests).
final class KernelBenchmarks: XCTestCase {
    func time(_ repeats: Int, _ body: () -> Void) -> Double { benchTime(repeats, body) }

    func testTutorialCNNConvThroughput() throws {
        guard ProcessInfo.processInfo.environment["REGULA_BENCH"] != nil else { throw XCTSkip("set REGULA_BENCH=1 to measure") }
        let c1 = Conv2dShape(batch: 64, inChannels: 1, height: 28, width: 28, outChannels: 16, kernelH: 3, kernelW: 3, padH: 1, padW: 1)
        let c2 = Conv2dShape(batch: 64, inChannels: 16, height: 14, width: 14, outChannels: 32, kernelH: 3, kernelW: 3, padH: 1, padW: 1)
        var rng = TestRandom(seed: 1)
        for threads in (ProcessInfo.processInfo.environment["REGULA_BENCH"] == "cpu" ? [1] : [1, 2]) {
            let pool = ThreadPool(threads: threads)
            var total = 0.0
            for (s, needDx) in [(c1, false), (c2, true)] {
                let x = rng.tensor([s.inputCount]), w = rng.tensor([s.weightCount]), b = rng.tensor([s.outChannels])
                let y = Tensor(shape: [s.outputCount]), dx = Tensor(shape: [s.inputCount])
                let dw = Tensor(shape: [s.weightCount]), db = Tensor(shape: [s.outChannels])
                let f = time(20) { Conv2d.forward(s, x: x.data, weight: w.data, bias: b.data, y: y.data, pool: pool) }
                let bd = needDx ? time(20) { Conv2d.backwardData(s, dy: y.data, weight: w.data, dx: dx.data, pool: pool) } : 0
                let bw = time(20) { Conv2d.backwardWeight(s, x: x.data, dy: y.data, dweight: dw.data, dbias: db.data, pool: pool) }
                print(String(format: "conv %dx%dx%d->%d threads %d: fwd %.3f ms, bwd data %.3f ms, bwd weight %.3f ms",
                             s.inChannels, s.height, s.width, s.outChannels, threads, f * 1e3, bd * 1e3, bw * 1e3))
                total += f + bd + bw
            }
            print(String(format: "tutorial CNN convs, threads %d: %.0f samples/s (conv layers only)", threads, 64 / total))
        }
    }

    /// The GEMMs of one tutorial-MLP training step (batch 128, 784-256-256-10, weights [out, in]).
    func testTutorialMLPGemms() throws {
        guard ProcessInfo.processInfo.environment["REGULA_BENCH"] != nil else { throw XCTSkip("set REGULA_BENCH=1 to measure") }
        var rng = TestRandom(seed: 2)
        // (transA, transB, m, n, k): forward y = x·Wᵀ, weight grad dW = dyᵀ·x, input grad dx = dy·W.
        let calls: [(Bool, Bool, Int, Int, Int)] = [
            (false, true, 128, 256, 784), (false, true, 128, 256, 256), (false, true, 128, 10, 256),
            (true, false, 10, 256, 128), (false, false, 128, 256, 10), (true, false, 256, 256, 128),
            (false, false, 128, 256, 256), (true, false, 256, 784, 128),
        ]
        let big = rng.tensor([1 << 20]), big2 = rng.tensor([1 << 20]), out = Tensor(shape: [1 << 20])
        for threads in (ProcessInfo.processInfo.environment["REGULA_BENCH"] == "cpu" ? [1] : [1, 2]) {
            let pool = ThreadPool(threads: threads)
            var total = 0.0, flops = 0.0
            for (ta, tb, m, n, k) in calls {
                let lda = ta ? m : k, ldb = tb ? k : n
                let t = time(200) {
                    Gemm.sgemm(transA: ta, transB: tb, m: m, n: n, k: k, a: big.data, lda: lda, b: big2.data, ldb: ldb,
                               c: out.data, ldc: n, pool: pool)
                }
                total += t; flops += 2.0 * Double(m * n * k)
                print(String(format: "mlp gemm %@%@ %dx%dx%d threads %d: %.1f us, %.1f GFLOP/s", ta ? "T" : "N", tb ? "T" : "N",
                             m, n, k, threads, t * 1e6, 2.0 * Double(m * n * k) / t * 1e-9))
            }
            print(String(format: "mlp step gemms threads %d: %.1f us total, %.1f GFLOP/s, bound %.0f samples/s", threads,
                         total * 1e6, flops / total * 1e-9, 128 / total))
        }
    }

    func testSquareGemm() throws {
        guard ProcessInfo.processInfo.environment["REGULA_BENCH"] != nil else { throw XCTSkip("set REGULA_BENCH=1 to measure") }
        var rng = TestRandom(seed: 3)
        for size in [512, 1024] {
            let a = rng.tensor([size, size]), b = rng.tensor([size, size]), c = Tensor(shape: [size, size])
            for (ta, tb) in [(false, false), (false, true), (true, false)] {
                let t = time(size == 512 ? 20 : 4) {
                    Gemm.sgemm(transA: ta, transB: tb, m: size, n: size, k: size, a: a.data, lda: size, b: b.data, ldb: size,
                               c: c.data, ldc: size, pool: ThreadPool(threads: 1))
                }
                print(String(format: "square gemm %@%@ %d^3 threads 1: %.1f GFLOP/s", ta ? "T" : "N", tb ? "T" : "N", size,
                             2.0 * pow(Double(size), 3) / t * 1e-9))
            }
        }
    }

    func testDispatchOverhead() throws {
        guard ProcessInfo.processInfo.environment["REGULA_BENCH"] != nil else { throw XCTSkip("set REGULA_BENCH=1 to measure") }
        let pool = ThreadPool(threads: 2)
        let sink = UnsafeMutablePointer<Int>.allocate(capacity: 2)
        defer { sink.deallocate() }
        let t = time(20000) { pool.parallelFor(2) { i in sink[i] &+= 1 } }
        print(String(format: "parallelFor(2) on 2 threads: %.2f us per call", t * 1e6))
    }
    /// Adam's update over the tutorial MLP's 269,322 parameters, one thread (nanoseconds per element).
    func testAdamUpdateThroughput() throws {
        guard ProcessInfo.processInfo.environment["REGULA_BENCH"] != nil else { throw XCTSkip("set REGULA_BENCH=1 to measure") }
        var rng = TestRandom(seed: 3)
        let n = 269_322
        let p = rng.tensor([n]), g = rng.tensor([n])
        var state = Adam.makeState(count: n)
        let t = time(200) { Adam.step(p.data, g.data, count: n, state: &state, hyper: Adam.Hyper(), decay: WeightDecay(0.01, .decoupled)) }
        print(String(format: "adamw update, %d elements, 1 thread: %.3f ms, %.2f ns per element", n, t * 1e3, t / Double(n) * 1e9))
    }
}
