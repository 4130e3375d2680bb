import Check
import Runtime
import Training
import XCTest
@testable import IR

/// Mixup and CutMix reach the training recipe with every argument, and make cross-entropy
/// compare with float target rows instead of class ids.
final class BatchMixLoweringTests: XCTestCase {

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
}
