import Foundation
import Runtime
@testable import Training
import XCTest

/// The loop writes every scheduled rate's value into the model's table before each step, as a
/// function of the global step alone, so a resumed run reads what an uninterrupted one reads.
final class ScheduledValuesTests: XCTestCase {
    private func folder(_ name: String) -> String {
        let dir = NSTemporaryDirectory() + "regula-sched-\(name)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        return dir
    }

    private let schedules = [ValueSchedule(.linear(from: 0, to: 0.4, start: 0, length: 2), unit: .epochs),
                             ValueSchedule(.step(values: [0.5, 0.25], milestones: [3]), unit: .steps)]

    private func run(_ model: LinearModel, out: String, steps: Int? = nil, resume: Bool = false) throws {
        var recipe = LinearModel.recipe(epochs: 3)
        recipe.scheduled = schedules
        var o = TrainOptions()
        o.outDirectory = out
        o.maxSteps = steps
        o.resume = resume
        o.progress = .quiet
        let data = TrainingData(train: LinearModel.data(count: 32), validation: nil, test: nil, normalization: Normalization())
        _ = try TrainingLoop.run(model, recipe: recipe, data: data, options: o) { _ in }
    }

    /// 32 examples in batches of 8: 4 steps per epoch, 12 in all. Step s reads (0.4·s/8 capped
    /// at 0.4, then 0.5 before step 3 and 0.25 from it).
    func testEachStepReadsTheScheduleAtItsStep() throws {
        let model = LinearModel(batch: 8)
        model.scheduleSlots = 2
        try run(model, out: folder("all"))
        XCTAssertEqual(model.scheduled.count, 12)
        for (s, values) in model.scheduled.enumerated() {
            XCTAssertEqual(values[0], min(0.4, 0.4 * Double(s) / 8), accuracy: 1e-15, "step \(s)")
            XCTAssertEqual(values[1], s < 3 ? 0.5 : 0.25, "step \(s)")
        }
        XCTAssertEqual(model.scheduled[4][0], 0.2, accuracy: 1e-15)   // first step of epoch 1: halfway
        XCTAssertEqual(model.scheduled[8][0], 0.4)                    // first step of epoch 2: the end
    }

    /// Stopped after 5 steps and resumed, the steps after the cut read the uninterrupted run's values.
    func testResumeReadsTheSameValues() throws {
        let whole = LinearModel(batch: 8)
        whole.scheduleSlots = 2
        try run(whole, out: folder("whole"))
        let out = folder("cut")
        let first = LinearModel(batch: 8)
        first.scheduleSlots = 2
        try run(first, out: out, steps: 5)
        let second = LinearModel(batch: 8)
        second.scheduleSlots = 2
        try run(second, out: out, resume: true)
        XCTAssertEqual(first.scheduled + second.scheduled, whole.scheduled)
    }
}
