import XCTest
@testable import Runtime

/// Schedules, plateau and early stopping against semantics §7.1–7.2.
final class ScheduleTests: XCTestCase {
    func testStepMultiStepExponential() {
        let s = LRSchedule.step(stepSize: 30, gamma: 0.1)
        XCTAssertEqual(s.learningRate(base: 0.1, at: 29), 0.1, accuracy: 1e-15)
        XCTAssertEqual(s.learningRate(base: 0.1, at: 30), 0.01, accuracy: 1e-15)
        let m = LRSchedule.multiStep(milestones: [2, 5], gamma: 0.5)
        XCTAssertEqual((0..<7).map { m.learningRate(base: 1, at: $0) }, [1, 1, 0.5, 0.5, 0.5, 0.25, 0.25])
        XCTAssertEqual(LRSchedule.exponential(gamma: 0.9).learningRate(base: 2, at: 3), 2 * 0.729, accuracy: 1e-12)
        XCTAssertFalse(s.stepsPerBatch)
    }

    func testCosineWithWarmup() {
        let c = LRSchedule.cosine(totalSteps: 100, warmupSteps: 0, warmupStartFactor: 1, minLR: 0.001)
        XCTAssertEqual(c.learningRate(base: 0.1, at: 0), 0.1, accuracy: 1e-12)
        XCTAssertEqual(c.learningRate(base: 0.1, at: 50), (0.1 + 0.001) / 2, accuracy: 1e-12)
        XCTAssertEqual(c.learningRate(base: 0.1, at: 100), 0.001, accuracy: 1e-12)
        XCTAssertEqual(c.learningRate(base: 0.1, at: 250), 0.001, accuracy: 1e-12)   // clamped, no rise
        let w = LRSchedule.cosine(totalSteps: 110, warmupSteps: 10, warmupStartFactor: 1.0 / 3, minLR: 0)
        XCTAssertEqual(w.learningRate(base: 0.3, at: 0), 0.1, accuracy: 1e-12)
        XCTAssertEqual(w.learningRate(base: 0.3, at: 5), 0.2, accuracy: 1e-12)
        XCTAssertEqual(w.learningRate(base: 0.3, at: 10), 0.3, accuracy: 1e-12)
        XCTAssertEqual(w.learningRate(base: 0.3, at: 60), 0.15, accuracy: 1e-12)
        XCTAssertEqual(w.learningRate(base: 0.3, at: 110), 0, accuracy: 1e-12)
    }

    /// §7.2: first LR = max/25, peak at ⌊0.3T⌋−1, last = max/25/1e4; momentum cycles inversely.
    func testOneCycle() {
        let t = 100
        let oc = OneCycle(maxLR: 0.1, totalSteps: t)
        let s = LRSchedule.oneCycle(oc)
        let lrs = (0..<t).map { s.learningRate(base: 123, at: $0) }
        XCTAssertEqual(lrs[0], 0.1 / 25, accuracy: 1e-15)
        XCTAssertEqual(lrs.firstIndex(of: lrs.max()!), 29)
        XCTAssertEqual(lrs[29], 0.1, accuracy: 1e-15)
        XCTAssertEqual(lrs[t - 1], 0.1 / 25 / 1e4, accuracy: 1e-15)
        XCTAssertTrue(zip(lrs[..<29], lrs[1...29]).allSatisfy { $0 < $1 })
        XCTAssertTrue(zip(lrs[29..<(t - 1)], lrs[30...]).allSatisfy { $0 > $1 })
        XCTAssertEqual(s.momentum(at: 0)!, 0.95, accuracy: 1e-15)
        XCTAssertEqual(s.momentum(at: 29)!, 0.85, accuracy: 1e-15)
        XCTAssertEqual(s.momentum(at: t - 1)!, 0.95, accuracy: 1e-15)
        // Midpoint of the warm-up phase is the mean of the endpoints (cosine annealing).
        let half = OneCycle(maxLR: 1, totalSteps: 201, pctStart: 0.5)    // end step 99.5
        XCTAssertEqual(half.learningRate(at: 0), 0.04, accuracy: 1e-15)
        XCTAssertNil(LRSchedule.constant.momentum(at: 3))
        let three = OneCycle(maxLR: 1, totalSteps: 100, threePhase: true)
        XCTAssertEqual(three.learningRate(at: 29), 1, accuracy: 1e-15)
        XCTAssertEqual(three.learningRate(at: 58), 0.04, accuracy: 1e-15)
        XCTAssertEqual(three.learningRate(at: 99), 0.04 / 1e4, accuracy: 1e-15)
    }

    /// §7.2: with patience 2 and a flat metric PyTorch reduces at the 4th evaluation, Keras at the 3rd.
    func testPlateauConventions() {
        var torch = ReduceOnPlateau(convention: .pytorch, factor: 0.1, patience: 2)
        var lr = 1.0
        var reducedAt: [Int] = []
        for i in 1...8 {
            let new = torch.step(metric: 0.5, lr: lr)
            if new < lr { reducedAt.append(i) }
            lr = new
        }
        XCTAssertEqual(reducedAt, [4, 7])
        XCTAssertEqual(lr, 0.01, accuracy: 1e-15)

        var keras = ReduceOnPlateau(convention: .keras, factor: 0.1, patience: 2)
        lr = 1.0; reducedAt = []
        for i in 1...8 {
            let new = keras.step(metric: 0.5, lr: lr)
            if new < lr { reducedAt.append(i) }
            lr = new
        }
        XCTAssertEqual(reducedAt, [3, 5, 7])
    }

    func testPlateauThresholdCooldownAndMinLR() {
        // Relative threshold: 0.99995 is not better than 1.0·(1 − 1e-4).
        var p = ReduceOnPlateau(patience: 0, threshold: 1e-4, cooldown: 1, minLR: 0.05)
        XCTAssertEqual(p.step(metric: 1.0, lr: 1), 1)
        XCTAssertEqual(p.step(metric: 0.99995, lr: 1), 0.1, accuracy: 1e-15)
        XCTAssertEqual(p.step(metric: 0.99995, lr: 0.1), 0.1)                  // cooldown
        XCTAssertEqual(p.step(metric: 0.99995, lr: 0.1), 0.05, accuracy: 1e-15) // floored at minLR
        XCTAssertEqual(p.step(metric: 0.99995, lr: 0.05), 0.05)                 // change < eps: skipped
        var m = ReduceOnPlateau(maximize: true, patience: 0)
        XCTAssertEqual(m.step(metric: 0.9, lr: 1), 1)
        XCTAssertEqual(m.step(metric: 0.95, lr: 1), 1)
        XCTAssertEqual(m.step(metric: 0.94, lr: 1), 0.1, accuracy: 1e-15)
    }

    /// §7.1: val_loss = [1.0, 0.9, 0.95, 0.94, 0.93], patience 2 → stops at 3, restores epoch 1;
    /// min_delta 0.2 → stops at 2.
    func testEarlyStoppingOracle() {
        let losses = [1.0, 0.9, 0.95, 0.94, 0.93]
        var es = EarlyStopping<Int>(patience: 2, restoreBest: true)
        var stopped: Int?
        for (e, v) in losses.enumerated() where es.epochEnded(e, value: v, capture: { e }) {
            stopped = e
            break
        }
        XCTAssertEqual(stopped, 3)
        XCTAssertEqual(es.bestEpoch, 1)
        XCTAssertEqual(es.snapshotToRestore, 1)

        var delta = EarlyStopping<Int>(patience: 2, minDelta: 0.2)
        stopped = nil
        for (e, v) in losses.enumerated() where delta.epochEnded(e, value: v, capture: { e }) {
            stopped = e
            break
        }
        XCTAssertEqual(stopped, 2)
        XCTAssertNil(delta.snapshotToRestore)
    }

    func testEarlyStoppingMaxModeBaselineAndStart() {
        var es = EarlyStopping<Int>(patience: 1, maximize: true, restoreBest: true)
        XCTAssertFalse(es.epochEnded(0, value: 0.5, capture: { 0 }))
        XCTAssertFalse(es.epochEnded(1, value: 0.6, capture: { 1 }))
        XCTAssertTrue(es.epochEnded(2, value: 0.55, capture: { 2 }))
        XCTAssertEqual(es.snapshotToRestore, 1)
        // Improvements that do not beat the baseline do not reset `wait`.
        var b = EarlyStopping<Int>(patience: 2, baseline: 0.5)
        XCTAssertFalse(b.epochEnded(0, value: 0.8, capture: { 0 }))
        XCTAssertFalse(b.epochEnded(1, value: 0.7, capture: { 1 }))   // improvement: never stops here
        XCTAssertTrue(b.epochEnded(2, value: 0.75, capture: { 2 }))   // wait = 3 (would be 1 without baseline)
        // Epochs before startFromEpoch and missing values are ignored.
        var s = EarlyStopping<Int>(patience: 0, startFromEpoch: 2)
        XCTAssertFalse(s.epochEnded(0, value: 1, capture: { 0 }))
        XCTAssertFalse(s.epochEnded(1, value: 2, capture: { 1 }))
        XCTAssertFalse(s.epochEnded(2, value: nil, capture: { 2 }))
        XCTAssertFalse(s.epochEnded(3, value: 3, capture: { 3 }))
        XCTAssertTrue(s.epochEnded(4, value: 3, capture: { 4 }))
    }
}
