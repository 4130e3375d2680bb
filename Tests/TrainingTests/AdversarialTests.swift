import Runtime
@testable import Training
import XCTest

/// FGSM and PGD (semantics reference §5.4) on the hand-written linear model, whose input
/// gradient is r_i·w: the oracles hold exactly.
final class AdversarialTests: XCTestCase {
    private let batch = 8, f = LinearModel.features

    /// A model and a loader on batch 0, with the inputs of that batch.
    private func setUp(seed: UInt64 = 0) -> (LinearModel, BatchLoader) {
        let model = LinearModel(batch: batch, seed: seed)
        model.exposesInputGradient = true
        let loader = BatchLoader(dataset: LinearModel.data(count: 32), batchSize: batch, shuffle: false, seed: 0)
        _ = model.fillTraining(loader, batch: 0)
        return (model, loader)
    }

    private func recipe(epsilon: Float = 0.1, step: Float? = nil, steps: Int = 1, mix: Float = 0.5, randomStart: Bool = false,
                        low: Float = 0, high: Float = 1) -> AdversarialRecipe {
        AdversarialRecipe(epsilon: epsilon, stepSize: step ?? epsilon, steps: steps, mix: mix, randomStart: randomStart, low: low, high: high)
    }

    /// x_adv = clip(x + ε·sign(∇x J)): ‖x_adv − x‖∞ ≤ ε, = ε where neither clipped nor a zero
    /// gradient, inside the range; the update uses mix·g(x) + (1 − mix)·g(x_adv) exactly; both
    /// passes count (the counter moves by 2).
    func testFGSMPerturbsBySignedEpsilonAndMixesTheGradients() {
        let (model, loader) = setUp()
        let clean = model.passes.isEmpty ? Array(UnsafeBufferPointer(start: model.inputs.data, count: batch * f)) : []
        let w = model.weight.array, b = model.bias.data[0]
        let out = AdversarialStep(recipe: recipe(), seed: 0, elements: f).run(model, loader, batch: 0, n: batch, step: 0)
        XCTAssertEqual(model.passes.count, 2)
        XCTAssertEqual(model.passes[0].inputs, clean)
        let adv = model.passes[1].inputs
        var gradClean = [Float](repeating: 0, count: f), gradAdv = [Float](repeating: 0, count: f)
        for i in 0..<batch {
            let y = Float(LinearModel.data(count: 32).allLabels[i])
            let r = 2 * ((0..<f).reduce(b) { $0 + w[$1] * clean[i * f + $1] } - y) / Float(batch)
            let ra = 2 * ((0..<f).reduce(b) { $0 + w[$1] * adv[i * f + $1] } - y) / Float(batch)
            for j in 0..<f {
                let k = i * f + j, g = r * w[j]
                let want = min(max(clean[k] + 0.1 * (g > 0 ? 1 : g < 0 ? -1 : 0), 0), 1)
                XCTAssertEqual(adv[k], want, "element \(k)")
                XCTAssertLessThanOrEqual(abs(adv[k] - clean[k]), 0.1 + 1e-7)
                XCTAssertTrue(adv[k] >= 0 && adv[k] <= 1)
                if want > 0 && want < 1 && g != 0 { XCTAssertEqual(abs(adv[k] - clean[k]), 0.1, accuracy: 1e-6) }
                gradClean[j] += r * clean[k]
                gradAdv[j] += ra * adv[k]
            }
        }
        for j in 0..<f { XCTAssertEqual(model.gradWeight.data[j], 0.5 * gradClean[j] + 0.5 * gradAdv[j], accuracy: 1e-6) }
        XCTAssertEqual(out.loss, 0.5 * model.passes[0].loss + 0.5 * model.passes[1].loss, accuracy: 1e-12)
        XCTAssertEqual(model.steps.data[0], 2)
    }

    /// Without clipping, FGSM moves each prediction by exactly ε·‖w‖₁ towards a larger loss
    /// (the linear-model oracle of Goodfellow et al.).
    func testFGSMMovesALinearPredictionByEpsilonTimesTheL1Norm() {
        let (model, loader) = setUp(seed: 3)
        let before = (0..<batch).map { model.prediction($0) }
        let labels = (0..<batch).map { Float(model.labels[$0]) }
        let l1 = model.weight.array.map(abs).reduce(0, +)
        _ = AdversarialStep(recipe: recipe(epsilon: 0.05, mix: 0, low: -100, high: 100), seed: 0, elements: f)
            .run(model, loader, batch: 0, n: batch, step: 0)
        // The last pass left the adversarial inputs in place.
        for i in 0..<batch {
            let away: Float = before[i] > labels[i] ? 1 : -1
            XCTAssertEqual(model.prediction(i) - before[i], away * 0.05 * l1, accuracy: 1e-5, "example \(i)")
        }
        // mix 0 and no random start: the clean pass only feeds the attack, so the counter it
        // moved is put back; only the training pass counts.
        XCTAssertEqual(model.steps.data[0], 1)
        XCTAssertEqual(model.passes.count, 2)
    }

    /// PGD: a random start inside the ball, every iterate inside the ball and the range, the
    /// loss of the attack passes non-decreasing (a linear model's loss is convex in x), attack
    /// passes leave the counters alone, and the same key gives the same attack.
    func testPGDStaysInTheBallAndClimbsTheLoss() {
        let r = recipe(epsilon: 0.2, step: 0.05, steps: 4, mix: 0, randomStart: true, low: -100, high: 100)
        let (model, loader) = setUp(seed: 5)
        let clean = Array(UnsafeBufferPointer(start: model.inputs.data, count: batch * f))
        _ = AdversarialStep(recipe: r, seed: 11, elements: f).run(model, loader, batch: 0, n: batch, step: 7)
        XCTAssertEqual(model.passes.count, 5)  // 4 attack passes and the training pass
        XCTAssertNotEqual(model.passes[0].inputs, clean, "no random start")
        for p in model.passes {
            for k in 0..<(batch * f) { XCTAssertLessThanOrEqual(abs(p.inputs[k] - clean[k]), 0.2 + 1e-6) }
        }
        for t in 1..<model.passes.count { XCTAssertGreaterThanOrEqual(model.passes[t].loss, model.passes[t - 1].loss - 1e-9, "pass \(t)") }
        XCTAssertEqual(model.steps.data[0], 1)

        let (again, loader2) = setUp(seed: 5)
        _ = AdversarialStep(recipe: r, seed: 11, elements: f).run(again, loader2, batch: 0, n: batch, step: 7)
        XCTAssertEqual(again.passes.map(\.inputs), model.passes.map(\.inputs))
        let (other, loader3) = setUp(seed: 5)
        _ = AdversarialStep(recipe: r, seed: 11, elements: f).run(other, loader3, batch: 0, n: batch, step: 8)
        XCTAssertNotEqual(other.passes[0].inputs, model.passes[0].inputs, "the random start ignores the step")
    }

    /// Through the loop: the recipe's adversary runs every step and training still converges.
    func testTheLoopTrainsAdversarially() throws {
        let model = LinearModel(batch: 8)
        model.exposesInputGradient = true
        var recipe = LinearModel.recipe(epochs: 3)
        recipe.adversarial = self.recipe(epsilon: 0.02)
        var o = TrainOptions()
        o.progress = .quiet
        o.writeCheckpoints = false
        o.writeMetrics = false
        let data = TrainingData(train: LinearModel.data(count: 64), validation: nil, test: nil, normalization: Normalization())
        let result = try TrainingLoop.run(model, recipe: recipe, data: data, options: o) { _ in }
        XCTAssertEqual(model.passes.count, 2 * 3 * 8)
        let losses = result.epochs.map(\.trainLoss)
        XCTAssertLessThan(losses.last ?? .infinity, losses.first ?? 0)
    }
}

/// The consistency weight's ramp-up (Laine & Aila 2017): w·exp(−5(1 − T)²) over `rampUpEpochs`,
/// T in fractional epochs, then w.
final class ConsistencyRampTests: XCTestCase {
    func testRampUpFollowsTheSigmoidShape() {
        let r = ConsistencyRecipe(meanTeacher: false, weight: 10, rampUpEpochs: 2, classes: 10)
        XCTAssertEqual(r.weight(step: 0, stepsPerEpoch: 100), 10 * Float(exp(-5.0)), accuracy: 1e-6)
        XCTAssertEqual(r.weight(step: 100, stepsPerEpoch: 100), 10 * Float(exp(-1.25)), accuracy: 1e-5)
        XCTAssertEqual(r.weight(step: 200, stepsPerEpoch: 100), 10)
        XCTAssertEqual(r.weight(step: 5000, stepsPerEpoch: 100), 10)
        XCTAssertEqual(ConsistencyRecipe(meanTeacher: true, weight: 3, classes: 10).weight(step: 0, stepsPerEpoch: 100), 3)
        XCTAssertEqual(ConsistencyStep.targetKey(7) & ~(1 << 63), 7)
        XCTAssertNotEqual(ConsistencyStep.targetKey(7), 7)
    }
}
