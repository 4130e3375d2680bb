import Check
import Runtime
import Training
import XCTest
@testable import IR

/// Training settings that reach the loop through the recipe: mixup and CutMix (which also make
/// cross-entropy compare with float target rows instead of class ids) and adversarial training
/// (which adds ∂loss/∂input to the training graph).
final class RecipeLoweringTests: XCTestCase {

    func testBatchMixesReachTheRecipeAndTheLossTakesTargetRows() throws {
        let rows: [(String, [BatchMix])] = [
            ("mlp_mixup.yaml", [BatchMix(.mixup(alpha: 0.2))]),
            ("cnn_cutmix.yaml", [BatchMix(.cutmix(alpha: 1), prob: 0.5, epochs: 2)]),
        ]
        for (name, mixes) in rows {
            let model = try checkedSpec(name)
            let recipe = try TrainingRecipe(model)
            XCTAssertEqual(recipe.data.mixes, mixes, name)
            XCTAssertTrue(recipe.data.augmentations.isEmpty, name)
            for mode in Mode.allCases {
                let g = try Pipeline(mode: mode).run(model)
                let labels = try XCTUnwrap(g.input(.labels), name)
                XCTAssertEqual(g[labels], TensorType.f32([batchDim, .fixed(10)]), "\(name) \(mode)")
            }
        }
        // Without a mix, cross-entropy keeps int32 class ids.
        let plain = try Pipeline(mode: .train).run(try checkedSpec("mnist_mlp.yaml"))
        XCTAssertEqual(plain[try XCTUnwrap(plain.input(.labels))].dtype, .int32)
    }

    /// ε, the step and the clip range are pixel values; the recipe holds them in the model's
    /// normalized units, and the training graph gains the input gradient.
    func testAdversarialSettingsReachTheRecipeInInputUnits() throws {
        let pgd = try checkedSpec("cnn_pgd.yaml")  // mean 0.5, std 0.5; ε 0.1, 3 steps of 0.04
        XCTAssertEqual(try TrainingRecipe(pgd).adversarial,
                       AdversarialRecipe(epsilon: 0.2, stepSize: 0.08, steps: 3, mix: 0, randomStart: true, low: -1, high: 1))
        let fgsm = try checkedSpec("mlp_adversarial.yaml")  // scale 255 only
        XCTAssertEqual(try TrainingRecipe(fgsm).adversarial,
                       AdversarialRecipe(epsilon: 0.1, stepSize: 0.1, steps: 1, mix: 0.5, randomStart: false, low: 0, high: 1))
        let g = try Pipeline(mode: .train).run(fgsm)
        let gradient = try XCTUnwrap(g.output(.inputGradient))
        XCTAssertEqual(g[gradient], g[try XCTUnwrap(g.input(.data))])
        XCTAssertNil(try Pipeline(mode: .train).run(try checkedSpec("mnist_mlp.yaml")).output(.inputGradient))
    }

    /// Mean Teacher's teacher is the loop's weight average with the spec's ema_decay; the
    /// Π-model has none. The recipe knows the logits' layout.
    func testConsistencySettingsReachTheRecipe() throws {
        let mt = try TrainingRecipe(try checkedSpec("mlp_mean_teacher.yaml"))
        XCTAssertEqual(mt.consistency, ConsistencyRecipe(meanTeacher: true, weight: 10, rampUpEpochs: 1, rows: 1, classes: 10))
        XCTAssertEqual(mt.emaDecay, 0.99)
        let pi = try TrainingRecipe(try checkedSpec("cnn_pi_model.yaml"))
        XCTAssertEqual(pi.consistency, ConsistencyRecipe(meanTeacher: false, weight: 10, rampUpEpochs: 1, rows: 1, classes: 10))
        XCTAssertNil(pi.emaDecay)
        let train = try Pipeline(mode: .train).run(try checkedSpec("cnn_pi_model.yaml"))
        XCTAssertNotNil(train.input(.consistencyTarget))
        XCTAssertNotNil(train.output(.consistency))
        let eval = try Pipeline(mode: .inference).run(try checkedSpec("cnn_pi_model.yaml"))
        XCTAssertNil(eval.input(.consistencyTarget))
        XCTAssertNil(eval.output(.consistency))
    }
}
