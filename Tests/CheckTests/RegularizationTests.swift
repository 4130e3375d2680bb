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

    /// `regularize:` rules match by role, kind and layer pattern; the layer's own attribute wins,
    /// rules win over `defaults:`, and matching a bias or norm parameter is the opt-in.
    func testRulesMatchByRoleKindAndLayerAndYieldToTheLayer() throws {
        let (model, d) = checkYAML(spec(input: "[1, 8, 8]", """
        - conv2d: {filters: 4, kernel: 3, l1: 0.3}
        - batchnorm
        - flatten
        - dense: {units: 8, name: hidden}
        - dense: {units: 3, name: head}
        """, extra: """
        defaults: {weight_decay: 0.001}
        regularize:
          - {match: {role: [bias, norm]}, l2: 0.5}
          - {match: {kind: linear, role: weight}, l1: 0.00001}
          - {match: {layer: "he?d", role: weight}, max_norm: 2, weight_decay: 0}
          - {match: {kind: conv2d}, l1: 0.1}
        """))
        XCTAssertEqual(lines(d), ["4:5: warning: l1 penalty on bias '0.bias'",
                                  "5:5: warning: l2 penalty on normalization parameters '1.weight', '1.bias'",
                                  "7:5: warning: l2 penalty on bias 'hidden.bias'",
                                  "8:5: warning: l2 penalty on bias 'head.bias'"])
        let r = Dictionary(uniqueKeysWithValues: try XCTUnwrap(model).parameters.map { ($0.name, $0.regularization) })
        XCTAssertEqual(r["0.weight"]?.l1, 0.3, "the layer's own l1 wins over rule 4")
        XCTAssertEqual(r["0.weight"]?.weightDecay, 0.001, "defaults")
        XCTAssertEqual(r["0.bias"]?.l1, 0.1, "rule 4 reaches the bias the layer's l1 does not")
        XCTAssertEqual(r["0.bias"]?.l2, 0.5)
        XCTAssertEqual(r["0.bias"]?.weightDecay, 0, "defaults: do not reach biases")
        XCTAssertEqual(r["0.bias"]?.rules.map(\.attribute), ["l1", "l2"])
        XCTAssertEqual(r["0.bias"]?.rules.map(\.rule), [4, 1])
        XCTAssertEqual(r["1.weight"]?.l2, 0.5)
        XCTAssertEqual(r["1.running_mean"], Regularization(), "buffers match no rule")
        XCTAssertEqual(r["hidden.weight"]?.l1, 0.00001)
        XCTAssertEqual(r["hidden.weight"]?.maxNorm, nil)
        XCTAssertEqual(r["hidden.weight"]?.weightDecay, 0.001)
        XCTAssertEqual(r["head.weight"]?.l1, 0.00001)
        XCTAssertEqual(r["head.weight"]?.maxNorm, 2)
        XCTAssertEqual(r["head.weight"]?.weightDecay, 0, "rule 3 wins over defaults:")
        XCTAssertEqual(r["head.weight"]?.rules.map(\.attribute), ["weight_decay", "l1", "max_norm"])
        XCTAssertEqual(r["head.weight"]?.rules.map(\.rule), [3, 2, 3])
    }

    /// Rules match state_dict paths inside blocks and repeats, and `summary --params` names the rule.
    func testRulesMatchPathsAndShowInTheParameterListing() throws {
        let (model, d) = checkYAML(spec(input: "[8]", """
        - dense: 8
        - dense: 8
        - dense: 2
        """, extra: "regularize: [{match: {layer: \"[01]\"}, l2: 0.25}, {match: {layer: \"*\", role: weight}, l1: 0.5}]\n"))
        XCTAssertEqual(lines(d).filter { $0.contains("error") }, [])
        let m = try XCTUnwrap(model)
        XCTAssertEqual(m.parameters.map(\.regularization.l1), [0.5, 0, 0.5, 0, 0.5, 0])
        XCTAssertEqual(renderParams(summarize(m)), """
        name      shape   trainable  regularization  set by rule
        ────────────────────────────────────────────────────────
        0.weight  [8, 8]  yes        l1 0.5          l1: rule 2
        0.bias    [8]     yes
        1.weight  [8, 8]  yes        l1 0.5          l1: rule 2
        1.bias    [8]     yes
        2.weight  [2, 8]  yes        l1 0.5          l1: rule 2
        2.bias    [2]     yes

        """)
        XCTAssertEqual(lines(d), ["7:15: warning: rule matches no parameter"], "brackets are literal: '[01]' names no layer")
    }

    func testUnknownDefaultsKeyIsDiagnosed() {
        let (_, d) = checkYAML(spec(input: "[8]", "- dense: 2", extra: "defaults: {weight_decya: 0.1}\n"))
        XCTAssertEqual(lines(d), ["5:12: error: unknown argument 'weight_decya' for 'defaults'; did you mean 'weight_decay'?"])
    }
}
