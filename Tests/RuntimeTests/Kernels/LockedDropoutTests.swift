import XCTest
@testable import Runtime

/// Locked dropout: one mask per (sample, feature) shared by every step (Merity et al. 2018).
final class LockedDropoutTests: XCTestCase {
    func testOneMaskPerSequenceSharedByEveryStep() {
        let (batch, steps, features, p) = (64, 7, 50, 0.3)
        let x = (0..<(batch * steps * features)).map { Float($0 % 13) + 1 }
        var y = [Float](repeating: 0, count: x.count), dx = y
        let stream = RandomStream(seed: 3, step: 5, stream: 1)
        LockedDropout.apply(x, &y, batch: batch, steps: steps, features: features, p: p, stream: stream)
        var dropped = 0
        for n in 0..<batch {
            for f in 0..<features {
                let column = (0..<steps).map { (n * steps + $0) * features + f }
                let kept = y[column[0]] != 0
                if !kept { dropped += 1 }
                for i in column {
                    XCTAssertEqual(y[i], kept ? x[i] / Float(1 - p) : 0, accuracy: 1e-5, "sample \(n) feature \(f)")
                }
            }
        }
        let columns = Double(batch * features)
        XCTAssertEqual(Double(dropped) / columns, p, accuracy: 4 * (p * (1 - p) / columns).squareRoot())
        // The backward is the same call on dy: the same mask.
        let ones = [Float](repeating: 1, count: x.count)
        LockedDropout.apply(ones, &dx, batch: batch, steps: steps, features: features, p: p, stream: stream)
        for i in x.indices { XCTAssertEqual(dx[i] == 0, y[i] == 0) }
    }
}

/// Spatial dropout: one draw per plane, the plane's index keying it (so an unbatched table
/// viewed [V, 1, D] drops whole rows), the backward the same call.
final class SpatialDropoutTests: XCTestCase {
    func testOneDrawPerPlaneKeyedByItsIndex() {
        let (planes, length, p) = (300, 5, 0.25)
        let x = (0..<(planes * length)).map { Float($0 % 11) + 1 }
        var y = [Float](repeating: 0, count: x.count), dx = y
        let stream = RandomStream(seed: 4, step: 2, stream: 7)
        SpatialDropout.apply(x, &y, planes: planes, length: length, p: p, stream: stream)
        var dropped = 0
        for r in 0..<planes {
            let kept = stream.uniform(at: r) < Float(1 - p)
            if !kept { dropped += 1 }
            for j in 0..<length {
                let i = r * length + j
                XCTAssertEqual(y[i], kept ? x[i] * (1 / Float(1 - p)) : 0, "plane \(r)")
            }
        }
        XCTAssertEqual(Double(dropped) / Double(planes), p, accuracy: 4 * (p * (1 - p) / Double(planes)).squareRoot())
        let ones = [Float](repeating: 1, count: x.count)
        SpatialDropout.apply(ones, &dx, planes: planes, length: length, p: p, stream: stream)
        for i in x.indices { XCTAssertEqual(dx[i] == 0, y[i] == 0) }
    }
}
