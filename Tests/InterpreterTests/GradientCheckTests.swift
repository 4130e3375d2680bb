import XCTest
import Runtime
@testable import Interpreter

/// The whole executor (lowering, autodiff, every kernel it calls, penalties) against central
/// finite differences of the objective it reports.
final class GradientCheckTests: XCTestCase {
    func check(_ spec: String, batch: Int, threads: Int = 1, fusion: Bool = true, file: StaticString = #filePath, line: UInt = #line) throws {
        let model = try checkSpec(spec)
        let session = try Session(model: model, seed: 11, batchSize: batch, threads: threads, fusion: fusion)
        let e = try session.trainingExecutor()
        let inputCount = model.input.shape.compactMap(\.value).reduce(1, *)
        let classes = model.nodes[model.output].shape.last?.value ?? 1
        var g = RandomGenerator(seed: 99)
        let x = (0..<(batch * inputCount)).map { _ in Float(g.nextNormal()) }
        let labels = (0..<batch).map { _ in Int32(g.nextInt(below: UInt32(classes))) }
        func loss() -> Double {
            let labelBuffer = e.labelInput!
            for (k, v) in x.enumerated() { e.dataInput[k] = v }
            for (k, v) in labels.enumerated() { labelBuffer[k] = v }
            e.run(batch: batch, step: 3)
            return e.scalar(.loss) ?? .nan
        }
        _ = loss()
        var checked = 0
        for (info, t) in session.store.trainable {
            let grad = Array(UnsafeBufferPointer(start: try XCTUnwrap(e.gradient(info.name)), count: t.count))
            for k in Set((0..<6).map { ($0 * 7919 + 13) % t.count }) {
                let old = t.data[k], h: Float = 4e-3
                t.data[k] = old + h; let up = loss()
                t.data[k] = old - h; let down = loss()
                t.data[k] = old
                let numeric = (up - down) / Double(2 * h)
                XCTAssertEqual(Double(grad[k]), numeric, accuracy: 3e-3 + 0.03 * abs(numeric),
                               "\(info.name)[\(k)]", file: file, line: line)
                checked += 1
            }
        }
        XCTAssertGreaterThan(checked, 0, file: file, line: line)
    }

    func testDenseTanhDropoutWithPenaltiesAndSmoothing() throws {
        try check("""
        regula: 1
        model: g1
        input: [6]
        defaults: {l1: 0.01, l2: 0.02}
        layers:
          - dense: {units: 5, activation: tanh}
          - dropout: 0.3
          - dense: {units: 4, activation: sigmoid}
          - dense: 3
        loss: {kind: cross_entropy, label_smoothing: 0.1}
        train: {optimizer: {kind: sgd, lr: 0.1}, batch_size: 4}
        """, batch: 4)
    }

    func testConvBatchnormPoolDense() throws {
        try check("""
        regula: 1
        model: g2
        input: [2, 6, 6]
        layers:
          - conv2d: {filters: 3, kernel: 3, padding: 1}
          - batchnorm
          - tanh
          - avgpool: 2
          - conv2d: {filters: 4, kernel: 2}
          - maxpool: 2
          - flatten
          - dense: 3
        loss: cross_entropy
        train: {optimizer: {kind: sgd, lr: 0.1}, batch_size: 3}
        """, batch: 3)
    }

    /// Max pooling is checked at a small batch: with many windows a finite-difference step flips
    /// some arg-max and the loss is not differentiable there.
    /// Same network with average pooling, a batch larger than the conv kernels' per-thread chunk, on two threads.
    func testConvBatchnormPoolDenseTwoThreads() throws {
        try check("""
        regula: 1
        model: g2
        input: [1, 8, 8]
        layers:
          - conv2d: {filters: 4, kernel: 3, padding: 1}
          - batchnorm
          - tanh
          - avgpool: 2
          - conv2d: {filters: 4, kernel: 3, padding: 1}
          - batchnorm
          - tanh
          - avgpool: 2
          - flatten
          - dense: 10
        loss: cross_entropy
        train: {optimizer: {kind: sgd, lr: 0.1}, batch_size: 19}
        """, batch: 19, threads: 2)
    }

    func testResidualWithPerSampleStochasticDepth() throws {
        try check("""
        regula: 1
        model: g3
        input: [2, 4, 4]
        layers:
          - conv2d: {filters: 3, kernel: 3, padding: 1}
          - residual:
              body:
                - conv2d: {filters: 3, kernel: 3, padding: 1}
                - tanh
              stochastic_depth: {survival: 0.7, mode: sample}
          - global_avgpool
          - dense: 3
        loss: cross_entropy
        train: {optimizer: {kind: sgd, lr: 0.1}, batch_size: 5}
        """, batch: 5)
    }
}
