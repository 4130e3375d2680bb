import XCTest
@testable import Runtime

/// Each schedule form gives the stated value at the stated epoch or step, boundaries included.
final class ValueScheduleTests: XCTestCase {
    func testLinearOverEpochsIsFromAtTheStartAndToAtTheEnd() {
        let s = ValueSchedule(.linear(from: 0, to: 0.3, start: 0, length: 5), unit: .epochs)
        XCTAssertEqual(s.value(step: 0, stepsPerEpoch: 100), 0)
        XCTAssertEqual(s.value(step: 100, stepsPerEpoch: 100), 0.06, accuracy: 1e-15)    // epoch 1
        XCTAssertEqual(s.value(step: 250, stepsPerEpoch: 100), 0.15, accuracy: 1e-15)    // halfway through epoch 2
        XCTAssertEqual(s.value(step: 499, stepsPerEpoch: 100), 0.3 * 4.99 / 5, accuracy: 1e-15)
        XCTAssertEqual(s.value(step: 500, stepsPerEpoch: 100), 0.3)                       // epoch 5
        XCTAssertEqual(s.value(step: 9000, stepsPerEpoch: 100), 0.3)                      // held after the end
        XCTAssertEqual(s.final, 0.3)
    }

    func testLinearWithAStartHoldsFromUntilThen() {
        let s = ValueSchedule(.linear(from: 1, to: 0.5, start: 2, length: 4), unit: .steps)
        XCTAssertEqual(s.value(step: 0, stepsPerEpoch: 7), 1)
        XCTAssertEqual(s.value(step: 2, stepsPerEpoch: 7), 1)
        XCTAssertEqual(s.value(step: 4, stepsPerEpoch: 7), 0.75)
        XCTAssertEqual(s.value(step: 6, stepsPerEpoch: 7), 0.5)
        XCTAssertEqual(s.value(step: 7, stepsPerEpoch: 7), 0.5)
    }

    func testCosineIsHalfACosineClampedAtTheEnd() {
        let s = ValueSchedule(.cosine(from: 0.8, to: 0.2, start: 0, length: 10), unit: .steps)
        XCTAssertEqual(s.value(step: 0, stepsPerEpoch: 3), 0.8)
        XCTAssertEqual(s.value(step: 5, stepsPerEpoch: 3), 0.5, accuracy: 1e-15)
        XCTAssertEqual(s.value(step: 10, stepsPerEpoch: 3), 0.2, accuracy: 1e-15)
        XCTAssertEqual(s.value(step: 15, stepsPerEpoch: 3), 0.2, accuracy: 1e-15)   // no rise past the end
        let e = ValueSchedule(.cosine(from: 0, to: 1, start: 0, length: 4), unit: .epochs)
        XCTAssertEqual(e.value(step: 20, stepsPerEpoch: 10), 0.5, accuracy: 1e-15)  // epoch 2 of 4
        XCTAssertEqual(e.value(step: 10, stepsPerEpoch: 10), (1 - cos(Double.pi / 4)) / 2, accuracy: 1e-15)
    }

    func testStepChangesAtTheFirstStepOfEachMilestoneEpoch() {
        let s = ValueSchedule(.step(values: [0.1, 0.2, 0.3], milestones: [2, 4]), unit: .epochs)
        XCTAssertEqual(s.value(step: 0, stepsPerEpoch: 10), 0.1)
        XCTAssertEqual(s.value(step: 19, stepsPerEpoch: 10), 0.1)   // last step of epoch 1
        XCTAssertEqual(s.value(step: 20, stepsPerEpoch: 10), 0.2)   // first step of epoch 2
        XCTAssertEqual(s.value(step: 39, stepsPerEpoch: 10), 0.2)
        XCTAssertEqual(s.value(step: 40, stepsPerEpoch: 10), 0.3)
        XCTAssertEqual(s.final, 0.3)
        let steps = ValueSchedule(.step(values: [0, 1], milestones: [3]), unit: .steps)
        XCTAssertEqual(steps.value(step: 2, stepsPerEpoch: 100), 0)
        XCTAssertEqual(steps.value(step: 3, stepsPerEpoch: 100), 1)
    }

    func testConstantIsTheSameEverywhere() {
        let s = ValueSchedule(.constant(0.25), unit: .epochs)
        for step in [0, 1, 99, 100, 10_000] { XCTAssertEqual(s.value(step: step, stepsPerEpoch: 100), 0.25) }
        XCTAssertEqual(s.final, 0.25)
    }
}
