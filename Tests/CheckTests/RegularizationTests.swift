import XCTest
@testable import Check

final class RegularizationTests: XCTestCase {
    private func params(_ text: String) throws -> [String: Regularization] {
        let (model, d) = checkYAML(text)
        XCTAssertEqual(lines(d).filter { $0.contains("error") }, [])
        return Dictionary(uniqueKeysWithValues: try XCTUnwrap(model).parameters.map { ($0.name, $0.regularization) })
    }

    func testOptimizerDecayAppliesToWeightsOnly() throws {
        let r = try params(spec(input: "[1, 8, 8]", """
        - conv2d: {filters: 4, kernel: 3}
        - batchnorm
        - flatten
        - dense: 10
        """, extra: "train: {optimizer: {kind: sgd, lr: 0.1, weight_decay: 0.0005}}\n"))
        XCTAssertEqual(r["0.weight"]?.weightDecay, 0.0005)
        XCTAssertEqual(r["3.weight"]?.weightDecay, 0.0005)
        for name in ["0.bias", "1.weight", "1.bias", "1.running_mean", "3.bias"] {
            XCTAssertEqual(r[name], Regularization(), name)
        }
    }

    func testAdamWDefaultsToDecoupledDecayOfOneHundredth() throws {
        let (model, _) = checkYAML(spec(input: "[4]", "- dense: 2", extra: "train: {optimizer: adamw}\n"))
        let m = try XCTUnwrap(model)
        XCTAssertEqual(m.training.optimizer.decay, .decoupled)
        XCTAssertEqual(m.parameters[0].regularization.weightDecay, 0.01)
        XCTAssertEqual(m.parameters[1].regularization.weightDecay, 0)
    }

    func testLayerOverridesDefaultsWhichOverrideTheOptimizer() throws {
        let r = try params(spec(input: "[16]", """
        - dense: {units: 8, weight_decay: 0, l1: 0.5}
        - dense: {units: 8, spectral_norm: true}
        - dense: {units: 4, weight_norm: true, l2: 0.25, max_norm: 2}
        """, extra: "defaults: {weight_decay: 0.001, l1: 0.01}\ntrain: {optimizer: {kind: adamw, weight_decay: 0.1}}\n"))
        XCTAssertEqual(r["0.weight"]?.weightDecay, 0)
        XCTAssertEqual(r["0.weight"]?.l1, 0.5)
        XCTAssertEqual(r["1.weight_orig"]?.weightDecay, 0.001)
        XCTAssertEqual(r["1.weight_orig"]?.l1, 0.01)
        XCTAssertEqual(r["1.weight_orig"]?.spectralNorm, true)
        XCTAssertEqual(r["2.weight_v"]?.l2, 0.25)
        XCTAssertEqual(r["2.weight_v"]?.weightNorm, true)
        // ‖w_row‖ = |g_row| under weight normalization: max-norm constrains g, not v.
        XCTAssertEqual(r["2.weight_g"]?.maxNorm, 2)
        XCTAssertEqual(r["2.weight_v"]?.maxNorm, nil)
        XCTAssertEqual(r["2.weight_g"]?.l2, 0)
        XCTAssertEqual(r["2.bias"]?.l2, 0)
        XCTAssertEqual(r["2.bias"]?.maxNorm, nil)
    }

    func testElasticNetSpecResolvesBothPenalties() throws {
        let (model, _) = try checkFile("specs/mlp_elastic_net.yaml")
        let r = Dictionary(uniqueKeysWithValues: try XCTUnwrap(model).parameters.map { ($0.name, $0.regularization) })
        XCTAssertEqual(r["0.weight"]?.l1, 0.00001)
        XCTAssertEqual(r["0.weight"]?.l2, 0.0001)
        XCTAssertEqual(r["0.weight"]?.maxNorm, 3)
        XCTAssertEqual(r["6.weight"]?.l1, 0)
        XCTAssertEqual(r["6.weight"]?.l2, 0.001)
        XCTAssertEqual(r["0.bias"]?.l1, 0)
    }

    func testOptInDecayOnBiasAndNormWarns() throws {
        let (model, d) = checkYAML(spec(input: "[8]", """
        - dense: {units: 8, decay_bias: true}
        - layernorm: {l2: 0.1}
        """, extra: "train: {optimizer: {kind: sgd, weight_decay: 0.01}}\n"))
        XCTAssertEqual(lines(d), ["4:5: warning: weight decay on bias '0.bias'",
                                  "5:5: warning: weight decay on normalization parameters '1.weight', '1.bias'"])
        let r = Dictionary(uniqueKeysWithValues: try XCTUnwrap(model).parameters.map { ($0.name, $0.regularization) })
        XCTAssertEqual(r["0.bias"]?.weightDecay, 0.01)
        XCTAssertEqual(r["1.weight"]?.l2, 0.1)
        XCTAssertEqual(r["1.weight"]?.weightDecay, 0.01)
    }

    func testUnknownDefaultsKeyIsDiagnosed() {
        let (_, d) = checkYAML(spec(input: "[8]", "- dense: 2", extra: "defaults: {weight_decya: 0.1}\n"))
        XCTAssertEqual(lines(d), ["5:12: error: unknown argument 'weight_decya' for 'defaults'; did you mean 'weight_decay'?"])
    }
}
