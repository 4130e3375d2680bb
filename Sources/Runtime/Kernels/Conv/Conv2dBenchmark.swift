import Dispatch

extension Conv2d {
    /// GFLOP/s of the forward, data-gradient and weight-gradient passes of one convolution
    /// (2·N·OC·patch·OH·OW flops each), each the median of `repeats` timed runs after a warm-up.
    /// Used by `regula bench`; not a test.
    public static func benchmark(_ s: Conv2dShape, threads: Int, repeats: Int = 5)
        -> (forward: Double, data: Double, weight: Double) {
        let x = Tensor(shape: [s.inputCount]), w = Tensor(shape: [s.weightCount]), y = Tensor(shape: [s.outputCount])
        let dx = Tensor(shape: [s.inputCount]), dw = Tensor(shape: [s.weightCount])
        for i in 0..<x.count { x[i] = Float((i * 7919) % 1000) / 1000 - 0.5 }
        for i in 0..<w.count { w[i] = Float((i * 104729) % 1000) / 1000 - 0.5 }
        for i in 0..<y.count { y[i] = Float((i * 15485863) % 1000) / 1000 - 0.5 }
        let pool = ThreadPool(threads: threads)
        let flops = 2.0 * Double(s.batch * s.outChannels * s.patch * s.outH * s.outW)
        let calls = max(1, Int(2e9 / flops))
        func rate(_ body: () -> Void) -> Double {
            var rates: [Double] = []
            for run in 0...repeats {
                let start = DispatchTime.now().uptimeNanoseconds
                for _ in 0..<calls { body() }
                let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
                if run > 0 { rates.append(flops * Double(calls) / seconds * 1e-9) }
            }
            return rates.sorted()[rates.count / 2]
        }
        return (rate { forward(s, x: x.data, weight: w.data, bias: nil, y: y.data, pool: pool) },
                rate { backwardData(s, dy: y.data, weight: w.data, dx: dx.data, pool: pool) },
                rate { backwardWeight(s, x: x.data, dy: y.data, dweight: dw.data, dbias: nil, pool: pool) })
    }
}
