import XCTest
@testable import Runtime

final class RecurrentTests: XCTestCase {
    func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }

    func testLSTMForwardAndBackward() {
        var rng = TestRandom(seed: 70)
        for s in [RecurrentShape(batch: 2, steps: 3, input: 3, hidden: 4), RecurrentShape(batch: 1, steps: 1, input: 1, hidden: 1),
                  RecurrentShape(batch: 3, steps: 5, input: 2, hidden: 3)] {
            let (B, T, I, H) = (s.batch, s.steps, s.input, s.hidden)
            let x = rng.tensor([B, T, I]), wIh = rng.tensor([4 * H, I]), wHh = rng.tensor([4 * H, H])
            let bIh = rng.tensor([4 * H]), bHh = rng.tensor([4 * H]), h0 = rng.tensor([B, H]), c0 = rng.tensor([B, H])
            let y = Tensor(shape: [B, T, H]), hN = Tensor(shape: [B, H]), cN = Tensor(shape: [B, H])
            let cache = Tensor(shape: [LSTM.cacheCount(s)])
            LSTM.forward(s, x: x.data, wIh: wIh.data, wHh: wHh.data, bIh: bIh.data, bHh: bHh.data, h0: h0.data, c0: c0.data,
                         y: y.data, hN: hN.data, cN: cN.data, cache: cache.data)
            let ref = RecurrentReference.lstm(s, x: x.doubles, wIh: wIh.doubles, wHh: wHh.doubles, bIh: bIh.doubles,
                                              bHh: bHh.doubles, h0: h0.doubles, c0: c0.doubles)
            for i in 0..<y.count { XCTAssertEqual(Double(y[i]), ref.0[i], accuracy: 1e-5) }
            for i in 0..<hN.count { XCTAssertEqual(Double(hN[i]), ref.1[i], accuracy: 1e-5); XCTAssertEqual(Double(cN[i]), ref.2[i], accuracy: 1e-5) }

            let wy = rng.tensor([B, T, H]), wh = rng.tensor([B, H]), wc = rng.tensor([B, H])
            let dx = Tensor(shape: [B, T, I]), dwIh = Tensor(shape: [4 * H, I]), dwHh = Tensor(shape: [4 * H, H])
            let dbIh = Tensor(shape: [4 * H]), dbHh = Tensor(shape: [4 * H]), dh0 = Tensor(shape: [B, H]), dc0 = Tensor(shape: [B, H])
            LSTM.backward(s, x: x.data, wIh: wIh.data, wHh: wHh.data, h0: h0.data, c0: c0.data, y: y.data, cache: cache.data,
                          dy: wy.data, dhN: wh.data, dcN: wc.data, dx: dx.data, dwIh: dwIh.data, dwHh: dwHh.data,
                          dbIh: dbIh.data, dbHh: dbHh.data, dh0: dh0.data, dc0: dc0.data)
            var p = [x.doubles, wIh.doubles, wHh.doubles, bIh.doubles, bHh.doubles, h0.doubles, c0.doubles]
            let (wyd, whd, wcd) = (wy.doubles, wh.doubles, wc.doubles)
            func loss(_ p: [[Double]]) -> Double {
                let (yy, hh, cc) = RecurrentReference.lstm(s, x: p[0], wIh: p[1], wHh: p[2], bIh: p[3], bHh: p[4], h0: p[5], c0: p[6])
                return dot(yy, wyd) + dot(hh, whd) + dot(cc, wcd)
            }
            for (k, (name, grad)) in [("dx", dx), ("dwIh", dwIh), ("dwHh", dwHh), ("dbIh", dbIh), ("dbHh", dbHh), ("dh0", dh0), ("dc0", dc0)].enumerated() {
                let base = p[k]
                let numeric = finiteDifference(base) { v in p[k] = v; defer { p[k] = base }; return loss(p) }
                assertGradient(grad.data, numeric, "LSTM \(name) \(s)")
            }
        }
    }

    func testGRUForwardAndBackward() {
        var rng = TestRandom(seed: 71)
        for s in [RecurrentShape(batch: 2, steps: 3, input: 3, hidden: 4), RecurrentShape(batch: 1, steps: 1, input: 2, hidden: 1),
                  RecurrentShape(batch: 3, steps: 4, input: 1, hidden: 3)] {
            let (B, T, I, H) = (s.batch, s.steps, s.input, s.hidden)
            let x = rng.tensor([B, T, I]), wIh = rng.tensor([3 * H, I]), wHh = rng.tensor([3 * H, H])
            let bIh = rng.tensor([3 * H]), bHh = rng.tensor([3 * H]), h0 = rng.tensor([B, H])
            let y = Tensor(shape: [B, T, H]), hN = Tensor(shape: [B, H]), cache = Tensor(shape: [GRU.cacheCount(s)])
            GRU.forward(s, x: x.data, wIh: wIh.data, wHh: wHh.data, bIh: bIh.data, bHh: bHh.data, h0: h0.data,
                        y: y.data, hN: hN.data, cache: cache.data)
            let ref = RecurrentReference.gru(s, x: x.doubles, wIh: wIh.doubles, wHh: wHh.doubles, bIh: bIh.doubles, bHh: bHh.doubles, h0: h0.doubles)
            for i in 0..<y.count { XCTAssertEqual(Double(y[i]), ref.0[i], accuracy: 1e-5) }
            for i in 0..<hN.count { XCTAssertEqual(Double(hN[i]), ref.1[i], accuracy: 1e-5) }

            let wy = rng.tensor([B, T, H]), wh = rng.tensor([B, H])
            let dx = Tensor(shape: [B, T, I]), dwIh = Tensor(shape: [3 * H, I]), dwHh = Tensor(shape: [3 * H, H])
            let dbIh = Tensor(shape: [3 * H]), dbHh = Tensor(shape: [3 * H]), dh0 = Tensor(shape: [B, H])
            GRU.backward(s, x: x.data, wIh: wIh.data, wHh: wHh.data, h0: h0.data, y: y.data, cache: cache.data,
                         dy: wy.data, dhN: wh.data, dx: dx.data, dwIh: dwIh.data, dwHh: dwHh.data,
                         dbIh: dbIh.data, dbHh: dbHh.data, dh0: dh0.data)
            var p = [x.doubles, wIh.doubles, wHh.doubles, bIh.doubles, bHh.doubles, h0.doubles]
            let (wyd, whd) = (wy.doubles, wh.doubles)
            func loss(_ p: [[Double]]) -> Double {
                let (yy, hh) = RecurrentReference.gru(s, x: p[0], wIh: p[1], wHh: p[2], bIh: p[3], bHh: p[4], h0: p[5])
                return dot(yy, wyd) + dot(hh, whd)
            }
            for (k, (name, grad)) in [("dx", dx), ("dwIh", dwIh), ("dwHh", dwHh), ("dbIh", dbIh), ("dbHh", dbHh), ("dh0", dh0)].enumerated() {
                let base = p[k]
                let numeric = finiteDifference(base) { v in p[k] = v; defer { p[k] = base }; return loss(p) }
                assertGradient(grad.data, numeric, "GRU \(name) \(s)")
            }
        }
    }

    func testZeroInitialStateAndThreadDeterminism() {
        var rng = TestRandom(seed: 72)
        let s = RecurrentShape(batch: 9, steps: 7, input: 33, hidden: 17)
        let x = rng.tensor([9, 7, 33]), wIh = rng.tensor([68, 33]), wHh = rng.tensor([68, 17])
        let zeros = Tensor(shape: [9, 17])
        var results: [Tensor] = []
        for (t, useZeros) in [(1, false), (2, false), (1, true)] {
            let y = Tensor(shape: [9, 7, 17]), cache = Tensor(shape: [LSTM.cacheCount(s)])
            LSTM.forward(s, x: x.data, wIh: wIh.data, wHh: wHh.data, bIh: nil, bHh: nil, h0: useZeros ? UnsafePointer(zeros.data) : nil,
                         c0: useZeros ? UnsafePointer(zeros.data) : nil, y: y.data, hN: nil, cN: nil, cache: cache.data, pool: ThreadPool(threads: t))
            results.append(y)
        }
        assertBitIdentical(results[0], results[1], "1 vs 2 threads")
        assertClose(results[0], results[2], rtol: 1e-6, atol: 1e-7)  // nil h0/c0 means zeros
    }
}
