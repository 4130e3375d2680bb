import XCTest
import Dispatch
@testable import Runtime

/// Throughput figures for the report; skipped unless REGULA_BENCH is set (benchmarks are not tests).
final class KernelBenchmarks: XCTestCase {
    func time(_ repeats: Int, _ body: () -> Void) -> Double {
        body()
        let start = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<repeats { body() }
        return Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9 / Double(repeats)
    }

    func testTutorialCNNConvThroughput() throws {
        guard ProcessInfo.processInfo.environment["REGULA_BENCH"] != nil else { throw XCTSkip("set REGULA_BENCH=1 to measure") }
        let c1 = Conv2dShape(batch: 64, inChannels: 1, height: 28, width: 28, outChannels: 16, kernelH: 3, kernelW: 3, padH: 1, padW: 1)
        let c2 = Conv2dShape(batch: 64, inChannels: 16, height: 14, width: 14, outChannels: 32, kernelH: 3, kernelW: 3, padH: 1, padW: 1)
        var rng = TestRandom(seed: 1)
        for threads in [1, 2] {
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
}
