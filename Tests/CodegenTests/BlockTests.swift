import Codegen
import Foundation
import TestSupport
import XCTest

/// The generated model reads like the spec: one Swift type per block definition holding its
/// layers' tensors, one instance per use, methods for what every use computes alike, the rest
/// inline under the use's name; the `state_dict` names stay PyTorch's. Bit-identity with the
/// interpreter is the slow conformance tests' (`ConformanceTests`).
final class BlockTests: XCTestCase {
    private func model(_ spec: String) throws -> String {
        let p = try generate(spec)
        let key = try XCTUnwrap(p.files.keys.first { $0.hasSuffix("/Model.swift") })
        return try XCTUnwrap(p.files[key])
    }

    private func count(_ s: String, in text: String) -> Int { text.components(separatedBy: s).count - 1 }

    func testOneTypePerBlockAndOneInstancePerUse() throws {
        let m = try model("resnet_stochastic_depth.yaml")
        XCTAssertEqual(count("struct Resblock {", in: m), 1)
        XCTAssertEqual(count("struct ", in: m), 1, "no type besides the block's")
        for k in 1...4 { XCTAssertTrue(m.contains("    let resblock\(k) = Resblock()\n"), m) }
        // The block's layers, named by kind and position in the block; the PyTorch names stay.
        XCTAssertTrue(m.contains("    /// `0.body.3.weight` [16, 16, 3, 3]\n    let conv2d2Weight = Tensor(shape: [16, 16, 3, 3])"), m)
        XCTAssertTrue(m.contains(#"StateTensor("5.0.body.3.weight", resblock3.conv2d2Weight),"#), m)
        XCTAssertTrue(m.contains(#"StateTensor("9.weight", dense1Weight),"#), m)
        let checked = try checkedSpec("resnet_stochastic_depth.yaml")
        let names = m.split(separator: "\n").compactMap { l -> String? in
            guard let r = l.range(of: "StateTensor(\"") else { return nil }
            return String(l[r.upperBound...].prefix { $0 != "\"" })
        }
        XCTAssertEqual(names, checked.parameters.map(\.name), "state_dict names and order unchanged")
    }

    /// Every use of `resblock` runs the same forward (up to its slots, stream key and survival
    /// probability): one method, called four times. Its backward shares fused loops with the
    /// next use's, so it stays inline, marked with the use.
    func testIdenticalUsesCallOneMethodAndTheRestStaysInline() throws {
        let m = try model("resnet_stochastic_depth.yaml")
        XCTAssertEqual(count("    func forward(", in: m), 1)
        XCTAssertEqual(count("    func updateStatistics(", in: m), 1)
        XCTAssertEqual(count("    func infer(", in: m), 1)
        XCTAssertTrue(m.contains("resblock1.forward(n: n, step: step, seed: seed, pool: pool, key: 0, p: 0.875, input: t62,"), m)
        XCTAssertTrue(m.contains("resblock4.forward(n: n, step: step, seed: seed, pool: pool, key: 3, p: 0.5, input: t98,"), m)
        XCTAssertTrue(m.contains("            let p: Float = p\n"), m)
        XCTAssertTrue(m.contains("resblock2.infer(n: n, pool: pool, scale: 0.75,"), m)
        XCTAssertFalse(m.contains("func backward("), m)
        for k in 1...4 { XCTAssertEqual(count("// block resblock\(k): resnet_stochastic_depth.yaml:30 resblock:", in: m), 1, m) }
        // Written once, in the method: the model's first batchnorm and the block's two.
        XCTAssertEqual(count("BatchNorm.forwardTraining(", in: m), 3, m)
    }

    /// No dead code: every method a block type declares is called, in every block spec.
    func testEveryBlockMethodIsCalled() throws {
        for spec in ["resnet_stochastic_depth.yaml", "shake_shake.yaml", "shakedrop.yaml", "shake_shake_downsample.yaml", "resnet_option_a.yaml"] {
            let m = try model(spec)
            var type = ""
            for line in m.split(separator: "\n") {
                if line.hasPrefix("struct ") { type = String(line.dropFirst(7).prefix { $0 != " " }) }
                guard line.hasPrefix("    func "), !type.isEmpty else { if line.hasPrefix("final class") { type = "" }; continue }
                let name = line.dropFirst(9).prefix { $0 != "(" }
                let calls = m.split(separator: "\n").filter { $0.contains(".\(name)(n: n") }
                XCTAssertFalse(calls.isEmpty, "\(spec): \(type).\(name) is never called")
            }
        }
    }

    /// Nested blocks: `shakeblock` holds its two `branch` uses; uses whose widths differ get the
    /// differing tensors from the model (a memberwise initializer), and their ops stay inline.
    func testNestedAndDifferentlyShapedUses() throws {
        let s = try model("shake_shake.yaml")
        XCTAssertTrue(s.contains("struct Shakeblock {"), s)
        XCTAssertTrue(s.contains("struct Branch {"), s)
        XCTAssertTrue(s.contains("    let branch1 = Branch()\n"), s)
        XCTAssertTrue(s.contains(#"StateTensor("2.0.branches.1.0.1.weight", shakeblock1.branch2.conv2d1Weight),"#), s)
        XCTAssertTrue(s.contains("shakeblock2.backward(n: n, step: step, seed: seed, pool: pool, invStd: invStd, key: 3,"), s)

        let a = try model("resnet_option_a.yaml")
        XCTAssertTrue(a.contains("    let conv2d1Weight: Tensor\n"), a)
        XCTAssertTrue(a.contains("    let resblock2 = Resblock(\n        conv2d1Weight: Tensor(shape: [32, 16, 3, 3]),\n"), a)
        XCTAssertFalse(a.contains("resblock2.forward("), a)
        XCTAssertTrue(a.contains("// block resblock2: resnet_option_a.yaml:30 resblock: {filters: 32, stride: 2}"), a)
    }

    /// Without blocks the model keeps its shape; its properties are named after the spec's
    /// layers (`name:` when given, else kind and position).
    func testLayerPropertiesAreNamedAfterTheSpecsLayers() throws {
        let m = try model("cnn_rules.yaml")
        XCTAssertFalse(m.contains("struct "), m)
        XCTAssertTrue(m.contains("let classifierWeight = Tensor(shape: [10, 1568])"), m)
        XCTAssertTrue(m.contains("let conv2d2Weight = Tensor(shape: [32, 16, 3, 3])"), m)
        let t = try model("transformer_block.yaml")
        XCTAssertTrue(t.contains("let embedWeight = Tensor(shape: [64, 28])"), t)
        XCTAssertTrue(t.contains("let ln1Weight = Tensor(shape: [64])"), t)
        XCTAssertTrue(t.contains("let attention1InProjWeight = Tensor(shape: [192, 64])"), t)
    }
}
