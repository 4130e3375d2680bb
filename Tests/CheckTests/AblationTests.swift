import Diagnostics
import Syntax
import XCTest
@testable import Check

/// The loop's regularizers are ablation groups too: removing one removes its section key, and
/// the spec without it still checks.
final class AblationTests: XCTestCase {
    private let text = """
        regula: 1
        input: [784]
        layers:
          - dense: 10
        train:
          optimizer: sgd
          ema: {decay: 0.9}
          adversarial: {method: fgsm, epsilon: 0.1}
        data:
          dir: d
          augment: [mixup: 0.2]
        """

    func testLoopRegularizersAreGroups() throws {
        let spec = try XCTUnwrap(parseYAML(SourceFile(path: "x.yaml", text: text)).0)
        XCTAssertEqual(regularizerGroups(in: spec), ["augment", "adversarial", "ema"])
        let plain = ablate(spec, groups: ["adversarial", "ema"])
        let model = try XCTUnwrap(check(plain, options: CheckOptions(physicalMemory: 1 << 40)).model)
        XCTAssertNil(model.training.adversarial)
        XCTAssertNil(model.training.emaDecay)
        XCTAssertEqual(model.training.data.augment.count, 1)

        let consistent = try XCTUnwrap(parseYAML(SourceFile(path: "y.yaml", text: text
            .replacingOccurrences(of: "  ema: {decay: 0.9}\n  adversarial: {method: fgsm, epsilon: 0.1}", with: "  consistency: {method: pi, weight: 1}"))).0)
        XCTAssertEqual(regularizerGroups(in: consistent), ["augment", "consistency"])
    }
}
