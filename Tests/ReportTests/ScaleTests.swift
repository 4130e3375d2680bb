@testable import Report
import XCTest

/// The chart writer's pure parts: nice ticks, log scales, labels, XML escaping, shared bins.
final class ScaleTests: XCTestCase {
    func testNiceStepsAreOneTwoOrFiveTimesAPowerOfTen() {
        XCTAssertEqual(Ticks.step(0, 1, count: 5), 0.2)
        XCTAssertEqual(Ticks.step(0, 2.3, count: 5), 0.5)
        XCTAssertEqual(Ticks.step(0, 100, count: 5), 20)
        XCTAssertEqual(Ticks.step(0, 7, count: 5), 1)
        XCTAssertEqual(Ticks.step(0.4, 0.95, count: 5), 0.1, accuracy: 1e-12)
    }

    func testLinearScaleWidensToRoundEndsAndLabelsItsTicks() {
        let s = Scale.fitting([0.43, 0.91], range: (0, 100))
        XCTAssertEqual(s.kind, .linear)
        XCTAssertEqual(s.domain.lo, 0.4, accuracy: 1e-12)
        XCTAssertEqual(s.domain.hi, 1.0, accuracy: 1e-12)
        XCTAssertEqual(s.ticks.map(\.label), ["0.4", "0.5", "0.6", "0.7", "0.8", "0.9", "1.0"])
        XCTAssertEqual(s(0.4), 0, accuracy: 1e-9)
        XCTAssertEqual(s(1.0), 100, accuracy: 1e-9)
    }

    func testIntegerTicksSkipFractions() {
        var s = Scale.fitting([1, 2, 3, 4], range: (0, 100))
        s.integerTicks = true
        XCTAssertEqual(s.ticks.map(\.label), ["1", "2", "3", "4"])
    }

    func testLossesSpanningDecadesGetALogScale() {
        let s = Scale.fitting([0.012, 2.3], range: (300, 0), allowLog: true)
        XCTAssertEqual(s.kind, .log)
        XCTAssertEqual(s.domain.lo, 0.01, accuracy: 1e-12)
        XCTAssertEqual(s.domain.hi, 10, accuracy: 1e-12)
        XCTAssertEqual(s.ticks.map(\.label), ["0.01", "0.1", "1", "10"])
        XCTAssertEqual(s(0.1), 200, accuracy: 1e-9)
        XCTAssertEqual(Scale.fitting([0.5, 2.3], range: (0, 1), allowLog: true).kind, .linear)
    }

    func testPowerLabels() {
        XCTAssertEqual([-5, -2, 0, 3, 6].map(Ticks.powerLabel), ["1e-5", "0.01", "1", "1000", "1e6"])
    }

    func testOneValueStillGetsARange() {
        let s = Scale.fitting([3, 3], range: (0, 10))
        XCTAssertLessThan(s.domain.lo, 3)
        XCTAssertGreaterThan(s.domain.hi, 3)
    }

    func testTextIsEscapedForXML() {
        XCTAssertEqual(SVG.escape(#"a<b & "c" 'd'>"#), "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;")
        var svg = SVG(width: 10, height: 10)
        svg.text("|w| < 1e-3 & more", x: 0, y: 0)
        XCTAssertTrue(svg.render().contains("|w| &lt; 1e-3 &amp; more"))
    }

    func testSharedBinsAreSymmetricWithOneBinCenteredOnZero() {
        let b = SharedBins(covering: [[-0.5, 0.1], [0.2, 1.0]], count: 5, quantile: 1)
        XCTAssertEqual(b.count, 5)
        XCTAssertEqual(b.lo, -1.25, accuracy: 1e-12)
        XCTAssertEqual(b.fractions([0, 0, 1, -1]), [0.25, 0, 0.5, 0, 0.25])
        // A lone large weight does not stretch the bins; it is counted in the outer bin.
        let q = SharedBins(covering: [(0..<999).map { Float($0) / 1000 } + [50]], count: 5)
        XCTAssertEqual(q.hi, 0.998 * 5 / 4, accuracy: 1e-6)
        XCTAssertEqual(q.fractions([0, 50]), [0, 0, 0.5, 0, 0.5])
    }

    func testSparsityCountsExactAndNearZero() {
        let s = Sparsity([0, 0, 5e-4, -2e-4, 0.1, 1] as [Float])
        XCTAssertEqual(s.zero, 2)
        XCTAssertEqual(s.near, 4)
        XCTAssertEqual(s.nearFraction, 4.0 / 6.0)
    }
}
