import XCTest
@testable import Runtime

/// `Pad2d` against a naive twin that builds the output index by index from the definition
/// (PyTorch's `F.pad(x[:, :, ::s, ::s], …)`), and its backward against finite differences.
final class Pad2dTests: XCTestCase {
    /// The naive twin in Float64: subsample, then pad or crop each axis in turn.
    static func reference(_ s: Pad2dShape, _ x: [Double]) -> [Double] {
        let kept = { (n: Int) in stride(from: 0, to: n, by: s.stride).map { $0 } }
        var out: [Double] = []
        for n in 0..<s.batch {
            for c in -s.padC.0..<(s.channels + s.padC.1) {
                for h in -s.padH.0..<(kept(s.height).count + s.padH.1) {
                    for w in -s.padW.0..<(kept(s.width).count + s.padW.1) {
                        let inside = (0..<s.channels).contains(c) && kept(s.height).indices.contains(h) && kept(s.width).indices.contains(w)
                        out.append(inside ? x[((n * s.channels + c) * s.height + kept(s.height)[h]) * s.width + kept(s.width)[w]] : 0)
                    }
                }
            }
        }
        return out
    }

    /// Option A (stride 2, channels appended and split), a one-pixel shift, a crop and a padding.
    static let cases: [Pad2dShape] = [
        Pad2dShape(batch: 2, channels: 3, height: 5, width: 4, stride: 2, channelPad: [0, 3], heightPad: [0, 0], widthPad: [0, 0]),
        Pad2dShape(batch: 2, channels: 2, height: 4, width: 4, stride: 2, channelPad: [1, 1], heightPad: [0, 0], widthPad: [0, 0]),
        Pad2dShape(batch: 1, channels: 2, height: 4, width: 5, stride: 1, channelPad: [0, 0], heightPad: [-1, 1], widthPad: [-1, 1]),
        Pad2dShape(batch: 1, channels: 2, height: 5, width: 5, stride: 1, channelPad: [0, 0], heightPad: [-1, -2], widthPad: [2, 1]),
        Pad2dShape(batch: 2, channels: 1, height: 6, width: 3, stride: 3, channelPad: [2, 0], heightPad: [1, -1], widthPad: [0, 2]),
    ]

    func testForwardMatchesTheTwinAndBackwardMatchesFiniteDifferences() {
        var rng = TestRandom(seed: 7)
        for s in Self.cases {
            let x = (0..<(s.batch * s.channels * s.height * s.width)).map { _ in rng.uniform(-2, 2) }
            var y = [Float](repeating: .nan, count: s.outputCount)
            Pad2d.forward(s, x: x, y: &y)
            let want = Self.reference(s, x.map(Double.init))
            XCTAssertEqual(want.count, s.outputCount, "\(s)")
            XCTAssertEqual(y, want.map(Float.init), "\(s)")
            let c = (0..<s.outputCount).map { _ in rng.uniform(-1, 1) }
            var dx = [Float](repeating: .nan, count: x.count)
            Pad2d.backward(s, dy: c, dx: &dx)
            let numeric = finiteDifference(x.map(Double.init)) { v in
                zip(Self.reference(s, v), c).map { $0 * Double($1) }.reduce(0, +)
            }
            dx.withUnsafeBufferPointer { assertGradient($0.baseAddress!, numeric, "\(s)") }
        }
    }

    /// ResNet option A on a 1×4×4 input: x[:, ::2, ::2] then one zero channel after it.
    func testOptionAKeepsTheEvenPixelsAndAppendsZeroChannels() {
        let s = Pad2dShape(batch: 1, channels: 1, height: 4, width: 4, stride: 2, channelPad: [0, 1], heightPad: [0, 0], widthPad: [0, 0])
        let x = (0..<16).map(Float.init)
        var y = [Float](repeating: .nan, count: s.outputCount)
        Pad2d.forward(s, x: x, y: &y)
        XCTAssertEqual(y, [0, 2, 8, 10, 0, 0, 0, 0])
    }
}
