import XCTest
@testable import Runtime

/// Philox 4x32-10 against the Random123 known-answer vectors (`kat_vectors`, lines
/// `philox4x32 10 …`) and against an independent Python reference of the stream layout:
///
/// ```python
/// M0, M1, W0, W1 = 0xD2511F53, 0xCD9E8D57, 0x9E3779B9, 0xBB67AE85; MASK = 0xFFFFFFFF
/// def philox(c, k):
///     for r in range(10):
///         p0 = M0 * c[0]; p1 = M1 * c[2]
///         c = [((p1 >> 32) ^ c[1] ^ k[0]) & MASK, p1 & MASK, ((p0 >> 32) ^ c[3] ^ k[1]) & MASK, p0 & MASK]
///         k = [(k[0] + W0) & MASK, (k[1] + W1) & MASK]
///     return c
/// def stream_bits(seed, step, stream, i):
///     return philox([i >> 2, stream, step & MASK, step >> 32], [seed & MASK, seed >> 32])[i & 3]
/// ```
final class PhiloxTests: XCTestCase {
    func testRandom123KnownAnswers() {
        let cases: [(SIMD4<UInt32>, SIMD2<UInt32>, SIMD4<UInt32>)] = [
            (SIMD4(0, 0, 0, 0), SIMD2(0, 0), SIMD4(0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8)),
            (SIMD4(repeating: 0xffffffff), SIMD2(repeating: 0xffffffff),
             SIMD4(0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd)),
            (SIMD4(0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344), SIMD2(0xa4093822, 0x299f31d0),
             SIMD4(0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1)),
        ]
        for (c, k, want) in cases {
            XCTAssertEqual(Philox.block(c, key: k), want)
        }
    }

    func testStreamLayoutMatchesPythonReference() {
        let s = RandomStream(seed: 0x0123456789ABCDEF, step: 0x0000000500000007, stream: 42)
        let expected: [(Int, UInt32)] = [
            (0, 0x948ef781), (1, 0x39c40e91), (2, 0x3b63b2c9), (3, 0x284b7d22), (4, 0x6d7da0da),
            (5, 0xac43ae48), (1001, 0xe7d036b2), (4095, 0x8a6abfbd), (123457, 0x429565c5),
        ]
        for (i, w) in expected { XCTAssertEqual(s.bits(at: i), w, "element \(i)") }
    }

    func testKeysSeparateStreams() {
        let base = RandomStream(seed: 7, step: 3, stream: 1)
        let others = [RandomStream(seed: 8, step: 3, stream: 1), RandomStream(seed: 7, step: 4, stream: 1),
                      RandomStream(seed: 7, step: 3, stream: 2)]
        for o in others {
            let same = (0..<256).filter { base.bits(at: $0) == o.bits(at: $0) }.count
            XCTAssertLessThan(same, 2, "streams \(base) and \(o) overlap")
        }
    }

    func testGeneratorReadsTheStreamInOrder() {
        let s = RandomStream(seed: 99, step: 1, stream: 5)
        var g = RandomGenerator(s)
        for i in 0..<37 { XCTAssertEqual(g.nextWord(), s.bits(at: i)) }
    }
}
