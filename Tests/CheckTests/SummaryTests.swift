import TestSupport
import XCTest
@testable import Check

final class SummaryTests: XCTestCase {
    func testSummaryTablesOfTheTutorialModels() throws {
        for name in ["mnist_mlp", "mnist_cnn", "mlp_elastic_net", "resnet_stochastic_depth", "shake_shake", "shakedrop",
                     "lstm_classifier", "transformer_block", "cnn_pgd", "cnn_cutmix", "cifar10_cnn", "mlp_early_stopping", "mlp_mean_teacher"] {
            let m = try XCTUnwrap(try checkFile("specs/\(name).yaml").model, name)
            assertSnapshot(renderSummary(summarize(m)), named: "\(name).summary.txt")
        }
    }

    func testParamsListingOfTheCNN() throws {
        let m = try XCTUnwrap(try checkFile("specs/mnist_cnn.yaml").model)
        assertSnapshot(renderParams(summarize(m)), named: "mnist_cnn.params.txt")
    }

    /// Scheduled penalty strengths read as their schedules, per tensor, whichever place set them
    /// (the optimizer's decay, `defaults:`, a rule, the layer).
    func testParamsListingShowsScheduledStrengths() throws {
        let m = try XCTUnwrap(try checkFile("specs/mlp_scheduled_penalty.yaml").model)
        assertSnapshot(renderSummary(summarize(m)), named: "mlp_scheduled_penalty.summary.txt")
        assertSnapshot(renderParams(summarize(m)), named: "mlp_scheduled_penalty.params.txt")
    }

    func testSummaryTotalsAndMemory() throws {
        let m = try XCTUnwrap(try checkFile("specs/mnist_mlp.yaml").model)
        let text = renderSummary(summarize(m))
        XCTAssertTrue(text.contains("trainable parameters:     269,322"), text)
        XCTAssertTrue(text.contains("parameter memory:         1.0 MB"), text)
        XCTAssertEqual(groupedNumber(20_586), "20,586")
        XCTAssertEqual(groupedNumber(999), "999")
        XCTAssertEqual(groupedNumber(1_000_000), "1,000,000")
    }
}
