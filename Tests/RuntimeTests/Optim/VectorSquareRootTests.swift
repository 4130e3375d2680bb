import XCTest
@testable import Runtime

/// The vectorized square root is IEEE-exact: bit-identical to `Float.squareRoot()`.
final class VectorSquareRootTests: XCTestCase {
    func check(_ values: [Float], file: StaticString = #filePath, line: UInt = #line) {
        var i = 0
        while i + 16 <= values.count {
            var v = SIMD16<Float>()
            for k in 0..<16 { v[k] = values[i + k] }
            let r = vectorSquareRoot(v)
            for k in 0..<16 {
                let want = values[i + k].squareRoot()
                XCTAssertTrue(r[k].bitPattern == want.bitPattern || (r[k].isNaN && want.isNaN),
                              "√\(values[i + k]) = \(want), got \(r[k])", file: file, line: line)
            }
            i += 16
        }
    }

    func testRandomBitPatternsOfEveryMagnitude() {
        var g = RandomGenerator(seed: 17)
        // Positive finite floats from uniformly random bit patterns (all exponents, subnormals too).
        let values = (0..<1_600_000).map { _ in Float(bitPattern: g.nextInt(below: 0x7F80_0000)) }
        check(values)
    }

    func testNeighboursOfPerfectSquaresAndEdgeCases() {
        var values: [Float] = []
        for m in stride(from: 1, through: 4096, by: 1) {
            let sq = Float(m * m)
            values += [sq, sq.nextUp, sq.nextDown]
        }
        values += [0, .leastNonzeroMagnitude, .leastNormalMagnitude, .greatestFiniteMagnitude, 1, 2, 4, 0.25, 1e-30, 3e38]
        while values.count % 16 != 0 { values.append(0.5) }
        check(values)
        // Lanes the fast path does not take: −0, negatives, infinity, NaN.
        check([-0.0, -1, .infinity, .nan] + [Float](repeating: 2, count: 12))
    }
}
