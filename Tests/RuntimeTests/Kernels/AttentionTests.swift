import XCTest
@testable import Runtime

final class AttentionTests: XCTestCase {
    func testForwardBackwardAgainstTwinAndFiniteDifferences() {
        var rng = TestRandom(seed: 80)
        let shapes = [
            Attention.Shape(batch: 2, heads: 2, queries: 3, keys: 3, dim: 4),
            Attention.Shape(batch: 1, heads: 3, queries: 5, keys: 5, dim: 2, valueDim: 3, causal: true),
            Attention.Shape(batch: 2, heads: 1, queries: 2, keys: 7, dim: 3, valueDim: 1),
            Attention.Shape(batch: 1, heads: 2, queries: 4, keys: 3, dim: 3, causal: true),
        ]
        for s in shapes {
            for useMask in [false, true] {
                let (pairs, tq, tk, d, dv) = (s.batch * s.heads, s.queries, s.keys, s.dim, s.valueDim)
                let q = rng.tensor([pairs * tq * d]), k = rng.tensor([pairs * tk * d]), v = rng.tensor([pairs * tk * dv])
                let mask = Tensor(shape: [pairs * tq * tk], values: (0..<(pairs * tq * tk)).map { _ in rng.uniform(0, 1) < 0.8 ? 1 / 0.8 : 0 })
                let maskPtr: UnsafePointer<Float>? = useMask ? UnsafePointer(mask.data) : nil
                let probs = Tensor(shape: [pairs * tq * tk]), out = Tensor(shape: [pairs * tq * dv])
                Attention.forward(s, q: q.data, k: k.data, v: v.data, dropoutMask: maskPtr, probs: probs.data, out: out.data)
                let md = useMask ? mask.doubles : nil
                let ref = AttentionReference.forward(s, q: q.doubles, k: k.doubles, v: v.doubles, mask: md)
                for i in 0..<ref.count { XCTAssertEqual(Double(out[i]), ref[i], accuracy: 1e-5, "\(s) mask \(useMask)") }
                if s.causal {
                    for p in 0..<pairs { for i in 0..<tq { for j in 0..<tk where j > i { XCTAssertEqual(probs[(p * tq + i) * tk + j], 0) } } }
                }
                let g = rng.tensor([pairs * tq * dv])
                let dq = Tensor(shape: [q.count]), dk = Tensor(shape: [k.count]), dvT = Tensor(shape: [v.count])
                Attention.backward(s, q: q.data, k: k.data, v: v.data, dropoutMask: maskPtr, probs: probs.data, dout: g.data,
                                   dq: dq.data, dk: dk.data, dv: dvT.data)
                let gd = g.doubles, (qd, kd, vd) = (q.doubles, k.doubles, v.doubles)
                func loss(_ q: [Double], _ k: [Double], _ v: [Double]) -> Double {
                    zip(AttentionReference.forward(s, q: q, k: k, v: v, mask: md), gd).reduce(0) { $0 + $1.0 * $1.1 }
                }
                assertGradient(dq.data, finiteDifference(qd) { loss($0, kd, vd) }, "dq \(s) mask \(useMask)")
                assertGradient(dk.data, finiteDifference(kd) { loss(qd, $0, vd) }, "dk \(s) mask \(useMask)")
                assertGradient(dvT.data, finiteDifference(vd) { loss(qd, kd, $0) }, "dv \(s) mask \(useMask)")
            }
        }
    }

    func testSplitAndMergeHeadsAreInverse() {
        var rng = TestRandom(seed: 81)
        let (b, t, h, d) = (2, 3, 4, 5)
        let x = rng.tensor([b, t, h * d]), split = Tensor(shape: [b, h, t, d]), back = Tensor(shape: [b, t, h * d])
        Attention.splitHeads(batch: b, steps: t, heads: h, dim: d, x.data, split.data)
        XCTAssertEqual(split[((1 * h + 2) * t + 1) * d + 3], x[(1 * t + 1) * h * d + 2 * d + 3])
        Attention.mergeHeads(batch: b, steps: t, heads: h, dim: d, split.data, back.data)
        assertBitIdentical(x, back)
    }

    func testBitIdenticalAcrossThreadCounts() {
        var rng = TestRandom(seed: 82)
        let s = Attention.Shape(batch: 3, heads: 4, queries: 17, keys: 33, dim: 16, causal: true)
        let (pairs, tq, tk, d) = (12, 17, 33, 16)
        let q = rng.tensor([pairs * tq * d]), k = rng.tensor([pairs * tk * d]), v = rng.tensor([pairs * tk * d]), g = rng.tensor([pairs * tq * d])
        var outs: [[Tensor]] = []
        for t in [1, 2] {
            let pool = ThreadPool(threads: t)
            let probs = Tensor(shape: [pairs * tq * tk]), out = Tensor(shape: [pairs * tq * d])
            let dq = Tensor(shape: [q.count]), dk = Tensor(shape: [k.count]), dv = Tensor(shape: [v.count])
            Attention.forward(s, q: q.data, k: k.data, v: v.data, dropoutMask: nil, probs: probs.data, out: out.data, pool: pool)
            Attention.backward(s, q: q.data, k: k.data, v: v.data, dropoutMask: nil, probs: probs.data, dout: g.data,
                               dq: dq.data, dk: dk.data, dv: dv.data, pool: pool)
            outs.append([out, dq, dk, dv])
        }
        for (a, b) in zip(outs[0], outs[1]) { assertBitIdentical(a, b) }
    }
}
