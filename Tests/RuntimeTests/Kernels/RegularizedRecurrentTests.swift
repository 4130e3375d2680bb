import XCTest
@testable import Runtime

/// The regularized LSTM/GRU kernels (recurrent dropout, zoneout) against their Float64 twins and
/// finite differences through them, with training masks (0/1 zoneout, 0 or 1/q recurrent) and
/// eval weights (zoneout = z everywhere); without masks they equal the plain kernels.
final class RegularizedRecurrentTests: XCTestCase {
    func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }

    /// Masks for `s`: which of recurrent / zoneout are on, training draws or eval expectation.
    func masks(_ s: RecurrentShape, _ rng: inout TestRandom, recurrent: Bool, zoneout: Bool, eval: Bool) -> (Tensor?, Tensor?, Tensor?) {
        let nh = s.batch * s.hidden, nth = s.batch * s.steps * s.hidden
        let r: Tensor? = recurrent ? Tensor(shape: [nh]) : nil
        if let r { for k in 0..<nh { r[k] = rng.uniform(0, 1) < 0.7 ? 1 / 0.7 : 0 } }
        guard zoneout else { return (r, nil, nil) }
        let c = Tensor(shape: [nth]), h = Tensor(shape: [nth])
        for k in 0..<nth {
            c[k] = eval ? 0.3 : (rng.uniform(0, 1) < 0.3 ? 1 : 0)
            h[k] = eval ? 0.3 : (rng.uniform(0, 1) < 0.3 ? 1 : 0)
        }
        return (r, c, h)
    }

    func testLSTMMatchesTwinAndFiniteDifferences() {
        var rng = TestRandom(seed: 81)
        let s = RecurrentShape(batch: 3, steps: 4, input: 2, hidden: 3)
        let (B, T, I, H) = (s.batch, s.steps, s.input, s.hidden)
        for (rec, zone, eval) in [(false, false, false), (true, false, false), (false, true, false), (true, true, false), (false, true, true)] {
            let x = rng.tensor([B, T, I]), wIh = rng.tensor([4 * H, I]), wHh = rng.tensor([4 * H, H])
            let bIh = rng.tensor([4 * H]), bHh = rng.tensor([4 * H])
            let (r, zc, zh) = masks(s, &rng, recurrent: rec, zoneout: zone, eval: eval)
            let m = RecurrentMasks(recurrent: r.map { UnsafePointer($0.data) }, zoneCell: zc.map { UnsafePointer($0.data) },
                                   zoneHidden: zh.map { UnsafePointer($0.data) })
            let y = Tensor(shape: [B, T, H]), cache = Tensor(shape: [LSTM.cacheCount(s)])
            LSTM.forward(s, x: x.data, wIh: wIh.data, wHh: wHh.data, bIh: bIh.data, bHh: bHh.data, masks: m, y: y.data, cache: cache.data)
            let (rd, zcd, zhd) = (r?.doubles ?? [], zc?.doubles ?? [], zh?.doubles ?? [])
            func ref(_ p: [[Double]]) -> [Double] {
                RecurrentRegularizedReference.lstm(s, x: p[0], wIh: p[1], wHh: p[2], bIh: p[3], bHh: p[4], recurrent: rd, zoneCell: zcd, zoneHidden: zhd)
            }
            var p = [x.doubles, wIh.doubles, wHh.doubles, bIh.doubles, bHh.doubles]
            let expected = ref(p)
            for i in 0..<y.count { XCTAssertEqual(Double(y[i]), expected[i], accuracy: 1e-5, "y[\(i)] rec \(rec) zone \(zone) eval \(eval)") }
            if !rec && !zone {
                // No masks: the plain kernel's output, bit for bit in structure (same GEMMs).
                let plain = Tensor(shape: [B, T, H]), pc = Tensor(shape: [LSTM.cacheCount(s)])
                LSTM.forward(s, x: x.data, wIh: wIh.data, wHh: wHh.data, bIh: bIh.data, bHh: bHh.data, h0: nil, c0: nil,
                             y: plain.data, hN: nil, cN: nil, cache: pc.data)
                for i in 0..<y.count { XCTAssertEqual(y[i], plain[i], accuracy: 1e-6) }
            }
            if zone && !eval, let zh {
                // Training zoneout: a zoned unit keeps its previous value exactly.
                for b in 0..<B { for t in 1..<T { for j in 0..<H where zh[(b * T + t) * H + j] == 1 {
                    XCTAssertEqual(y[(b * T + t) * H + j], y[(b * T + t - 1) * H + j])
                } } }
            }
            let wy = rng.tensor([B, T, H]), wyd = wy.doubles
            let dx = Tensor(shape: [B, T, I]), dwIh = Tensor(shape: [4 * H, I]), dwHh = Tensor(shape: [4 * H, H])
            let dbIh = Tensor(shape: [4 * H]), dbHh = Tensor(shape: [4 * H])
            LSTM.backward(s, x: x.data, wIh: wIh.data, wHh: wHh.data, masks: m, y: y.data, cache: cache.data, dy: wy.data,
                          dx: dx.data, dwIh: dwIh.data, dwHh: dwHh.data, dbIh: dbIh.data, dbHh: dbHh.data)
            for (k, (name, grad)) in [("dx", dx), ("dwIh", dwIh), ("dwHh", dwHh), ("dbIh", dbIh), ("dbHh", dbHh)].enumerated() {
                let base = p[k]
                let numeric = finiteDifference(base) { v in p[k] = v; defer { p[k] = base }; return dot(ref(p), wyd) }
                assertGradient(grad.data, numeric, "LSTM \(name) rec \(rec) zone \(zone) eval \(eval)")
            }
            withExtendedLifetime((r, zc, zh)) {}
        }
    }

    func testGRUMatchesTwinAndFiniteDifferences() {
        var rng = TestRandom(seed: 82)
        let s = RecurrentShape(batch: 3, steps: 4, input: 2, hidden: 3)
        let (B, T, I, H) = (s.batch, s.steps, s.input, s.hidden)
        for (rec, zone, eval) in [(false, false, false), (true, false, false), (false, true, false), (true, true, false), (false, true, true)] {
            let x = rng.tensor([B, T, I]), wIh = rng.tensor([3 * H, I]), wHh = rng.tensor([3 * H, H])
            let bIh = rng.tensor([3 * H]), bHh = rng.tensor([3 * H])
            let (r, _, zh) = masks(s, &rng, recurrent: rec, zoneout: zone, eval: eval)
            let m = RecurrentMasks(recurrent: r.map { UnsafePointer($0.data) }, zoneHidden: zh.map { UnsafePointer($0.data) })
            let y = Tensor(shape: [B, T, H]), cache = Tensor(shape: [GRU.cacheCount(s)])
            GRU.forward(s, x: x.data, wIh: wIh.data, wHh: wHh.data, bIh: bIh.data, bHh: bHh.data, masks: m, y: y.data, cache: cache.data)
            let (rd, zhd) = (r?.doubles ?? [], zh?.doubles ?? [])
            func ref(_ p: [[Double]]) -> [Double] {
                RecurrentRegularizedReference.gru(s, x: p[0], wIh: p[1], wHh: p[2], bIh: p[3], bHh: p[4], recurrent: rd, zoneHidden: zhd)
            }
            var p = [x.doubles, wIh.doubles, wHh.doubles, bIh.doubles, bHh.doubles]
            let expected = ref(p)
            for i in 0..<y.count { XCTAssertEqual(Double(y[i]), expected[i], accuracy: 1e-5, "y[\(i)] rec \(rec) zone \(zone) eval \(eval)") }
            let wy = rng.tensor([B, T, H]), wyd = wy.doubles
            let dx = Tensor(shape: [B, T, I]), dwIh = Tensor(shape: [3 * H, I]), dwHh = Tensor(shape: [3 * H, H])
            let dbIh = Tensor(shape: [3 * H]), dbHh = Tensor(shape: [3 * H])
            GRU.backward(s, x: x.data, wIh: wIh.data, wHh: wHh.data, masks: m, y: y.data, cache: cache.data, dy: wy.data,
                         dx: dx.data, dwIh: dwIh.data, dwHh: dwHh.data, dbIh: dbIh.data, dbHh: dbHh.data)
            for (k, (name, grad)) in [("dx", dx), ("dwIh", dwIh), ("dwHh", dwHh), ("dbIh", dbIh), ("dbHh", dbHh)].enumerated() {
                let base = p[k]
                let numeric = finiteDifference(base) { v in p[k] = v; defer { p[k] = base }; return dot(ref(p), wyd) }
                assertGradient(grad.data, numeric, "GRU \(name) rec \(rec) zone \(zone) eval \(eval)")
            }
            withExtendedLifetime((r, zh)) {}
        }
    }
}
