import Dispatch

extension Gemm {
    /// Measures `sgemm` (NN, α = 1, β = 0) on an m×k by k×n product and returns GFLOP/s
    /// (2·m·n·k flops per call), the median of `repeats` timed runs after one warm-up (the
    /// machine is shared, so a median is steadier than a best or a mean).
    /// Used by `regula bench`; not a test.
    public static func benchmark(m: Int, n: Int, k: Int, threads: Int, repeats: Int = 5) -> Double {
        let a = Tensor(shape: [m, k]), b = Tensor(shape: [k, n]), c = Tensor(shape: [m, n])
        for i in 0..<a.count { a[i] = Float((i * 7919) % 1000) / 1000 - 0.5 }
        for i in 0..<b.count { b[i] = Float((i * 104729) % 1000) / 1000 - 0.5 }
        let pool = ThreadPool(threads: threads)
        let flops = 2.0 * Double(m) * Double(n) * Double(k)
        // Enough calls per timed run to last ~50 ms at 100 GFLOP/s.
        let calls = max(1, Int(5e9 / flops))
        var rates: [Double] = []
        for run in 0...repeats {
            let start = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<calls {
                sgemm(m: m, n: n, k: k, a: a.data, lda: k, b: b.data, ldb: n, c: c.data, ldc: n, pool: pool)
            }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
            if run > 0 { rates.append(flops * Double(calls) / seconds * 1e-9) }
        }
        rates.sort()
        return rates.isEmpty ? 0 : rates[rates.count / 2]
    }
}
