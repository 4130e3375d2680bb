import XCTest
@testable import Runtime

/// `Permute` against a naive twin that reads each output element through its multi-index, and
/// the gradient (the inverse permutation) against finite differences.
final class PermuteTests: XCTestCase {
    /// The naive twin: y[n][i0…ik] = x[n][j] with j[axes[k]] = i[k].
    static func reference(batch: Int, shape: [Int], axes: [Int], _ x: [Double]) -> [Double] {
        let count = shape.reduce(1, *), out = axes.map { shape[$0] }
        return (0..<(batch * count)).map { flat in
            var rest = flat % count, index = [Int](repeating: 0, count: shape.count)
            for k in stride(from: out.count - 1, through: 0, by: -1) { index[axes[k]] = rest % out[k]; rest /= out[k] }
            let offset = zip(index, shape).reduce(0) { $0 * $1.1 + $1.0 }
            return x[(flat / count) * count + offset]
        }
    }

    func testEveryPermutationMatchesTheTwinAndItsInverseIsTheGradient() {
        var rng = TestRandom(seed: 3)
        let cases: [([Int], [Int])] = [([5, 3], [1, 0]), ([2, 3, 4], [1, 2, 0]), ([2, 3, 4], [2, 0, 1]),
                                       ([2, 3, 4], [0, 2, 1]), ([4], [0]), ([2, 1, 3, 2], [3, 1, 0, 2])]
        for (shape, axes) in cases {
            let n = 2, count = shape.reduce(1, *)
            let x = (0..<(n * count)).map { _ in rng.uniform(-2, 2) }
            var y = [Float](repeating: .nan, count: x.count)
            Permute.forward(batch: n, shape: shape, axes: axes, x: x, y: &y)
            XCTAssertEqual(y, Self.reference(batch: n, shape: shape, axes: axes, x.map(Double.init)).map(Float.init), "\(shape) \(axes)")
            // The backward is the inverse permutation of dy.
            var inverse = axes
            for (k, a) in axes.enumerated() { inverse[a] = k }
            let c = (0..<x.count).map { _ in rng.uniform(-1, 1) }
            var dx = [Float](repeating: .nan, count: x.count)
            Permute.forward(batch: n, shape: axes.map { shape[$0] }, axes: inverse, x: c, y: &dx)
            let numeric = finiteDifference(x.map(Double.init)) { v in
                zip(Self.reference(batch: n, shape: shape, axes: axes, v), c).map { $0 * Double($1) }.reduce(0, +)
            }
            dx.withUnsafeBufferPointer { assertGradient($0.baseAddress!, numeric, "\(shape) \(axes)") }
        }
    }

    /// [seq, features] → [features, seq] is the matrix transpose of each example.
    func testTwoAxesIsTheTranspose() {
        var y = [Float](repeating: 0, count: 6)
        Permute.forward(batch: 1, shape: [2, 3], axes: [1, 0], x: [1, 2, 3, 4, 5, 6], y: &y)
        XCTAssertEqual(y, [1, 4, 2, 5, 3, 6])
    }
}
