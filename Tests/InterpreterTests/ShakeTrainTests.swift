import XCTest
import IR
@testable import Interpreter

/// Training-mode Shake-Shake (Gastaldi 2017, semantics §3.1) read off the executor's values:
/// the forward mixes the branches with α ~ U(0,1) per image, the backward scales the branch
/// gradients by a β drawn independently (or by α itself in `keep` mode).
final class ShakeTrainTests: XCTestCase {
    func coefficients(backward: String) throws -> (alpha: [Float], beta: [Float]) {
        let batch = 16
        let s = try Session(model: try checkSpec("""
        regula: 1
        model: shake
        input: [4]
        layers:
          - shake_shake: {branches: [[dense: 4], [dense: 4]], forward: shake, backward: \(backward), level: image}
        loss: cross_entropy
        train: {optimizer: {kind: sgd, lr: 0.1}, batch_size: \(batch)}
        """), seed: 21, batchSize: batch, threads: 1, fusion: false)
        let e = try s.trainingExecutor()
        for k in 0..<(batch * 4) { e.dataInput[k] = Float((k * 37) % 11) / 5 - 1 }
        if let l = e.labelInput { for k in 0..<batch { l[k] = Int32(k % 4) } }
        let fwd = try XCTUnwrap(e.graph.nodes.first { if case .shakeShake = $0.op { return true }; return false })
        let bwd = try XCTUnwrap(e.graph.nodes.first { if case .shakeShakeBackward = $0.op { return true }; return false })
        var alpha: [Float] = [], beta: [Float] = []
        // Values are read right after their node runs: the arena reuses slots later in the step.
        e.run(batch: batch, step: 7) { v in
            if v == fwd.outputs[0] {
                let f1 = e.pointer(fwd.inputs[0]), f2 = e.pointer(fwd.inputs[1]), mix = e.pointer(v)
                for n in 0..<batch {
                    // The element with the largest |F₁ − F₂| gives the best-conditioned ratio.
                    let j = (0..<4).max { abs(f1[n * 4 + $0] - f2[n * 4 + $0]) < abs(f1[n * 4 + $1] - f2[n * 4 + $1]) } ?? 0
                    alpha.append((mix[n * 4 + j] - f2[n * 4 + j]) / (f1[n * 4 + j] - f2[n * 4 + j]))
                }
            }
            if v == bwd.outputs[1] {
                let dy = e.pointer(bwd.inputs[0]), g1 = e.pointer(bwd.outputs[0]), g2 = e.pointer(v)
                for n in 0..<batch {
                    let k = (0..<4).max { abs(dy[n * 4 + $0]) < abs(dy[n * 4 + $1]) } ?? 0
                    beta.append(g1[n * 4 + k] / dy[n * 4 + k])
                    XCTAssertEqual(g1[n * 4 + k] + g2[n * 4 + k], dy[n * 4 + k], accuracy: 1e-6)   // β + (1−β) = 1
                }
            }
            return false
        }
        XCTAssertEqual(alpha.count, batch)
        XCTAssertEqual(beta.count, batch)
        return (alpha, beta)
    }

    func testBackwardCoefficientIsDrawnIndependentlyOfTheForwardOne() throws {
        let (alpha, beta) = try coefficients(backward: "shake")
        XCTAssertTrue((alpha + beta).allSatisfy { $0 > -1e-3 && $0 < 1 + 1e-3 })
        XCTAssertGreaterThan(Set(alpha.map { ($0 * 100).rounded() }).count, 8)          // per image
        let differing = zip(alpha, beta).filter { abs($0 - $1) > 0.01 }.count
        XCTAssertGreaterThan(differing, 12)
    }

    func testKeepModeReusesTheForwardCoefficient() throws {
        let (alpha, beta) = try coefficients(backward: "keep")
        for (a, b) in zip(alpha, beta) { XCTAssertEqual(a, b, accuracy: 1e-3) }
    }
}
