import Foundation
import Runtime
@testable import Training
import XCTest

/// The training loop's own regularizers, on a hand-written model: the moving average of the
/// weights (timm `ModelEmaV2`) and annealed gradient noise (Neelakantan et al. 2015).
final class LoopFeatureTests: XCTestCase {
    private func folder(_ name: String) -> String {
        let dir = NSTemporaryDirectory() + "regula-loop-\(name)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        return dir
    }

    private func options(_ out: String, steps: Int? = nil) -> TrainOptions {
        var o = TrainOptions()
        o.outDirectory = out
        o.maxSteps = steps
        o.progress = .quiet
        return o
    }

    private func run(_ model: LinearModel, _ recipe: TrainingRecipe, _ options: TrainOptions, examples: Int = 64) throws -> TrainResult {
        var train = LinearModel.data(count: examples), validation: Dataset?
        if recipe.data.validationSplit > 0 { (train, validation) = train.split(validationFraction: recipe.data.validationSplit) }
        let data = TrainingData(train: train, validation: validation, test: nil, normalization: Normalization())
        return try TrainingLoop.run(model, recipe: recipe, data: data, options: options) { _ in }
    }

    private func read(_ path: String) throws -> [String: [Float]] {
        try SafeTensors.read(path).tensors.mapValues { $0.floats ?? $0.int64s!.map(Float.init) }
    }

    /// After one step the average is a·θ₀ + (1 − a)·θ₁ exactly, counters are copied, and
    /// model.safetensors keeps the raw weights θ₁ (semantics §5.5's oracle).
    func testTheAverageAfterOneStepIsTheOracle() throws {
        let out = folder("ema-one")
        let model = LinearModel(batch: 8)
        let before = model.state.map(\.tensor.array)
        _ = try run(model, LinearModel.recipe(ema: 0.9), options(out, steps: 1))
        let raw = try read(out + "/model.safetensors"), ema = try read(out + "/model_ema.safetensors")
        XCTAssertEqual(raw["weight"], model.weight.array)
        XCTAssertNotEqual(raw["weight"], before[0])
        for (k, name) in ["weight", "bias"].enumerated() {
            let expected = zip(before[k], raw[name]!).map { Float(0.9) * $0 + (1 - Float(0.9)) * $1 }
            XCTAssertEqual(ema[name], expected, name)
        }
        XCTAssertEqual(ema["steps"], [1])
    }

    /// Validation is computed on the average (its loss is the loss of the averaged weights), and
    /// the model's raw weights are back in place afterwards.
    func testValidationUsesTheAverageAndRestoresTheWeights() throws {
        let out = folder("ema-val")
        let model = LinearModel(batch: 8)
        let r = try run(model, LinearModel.recipe(epochs: 1, ema: 0.5, validation: 0.25), options(out))
        let raw = try read(out + "/model.safetensors"), ema = try read(out + "/model_ema.safetensors")
        XCTAssertEqual(model.weight.array, raw["weight"])
        XCTAssertNotEqual(raw["weight"], ema["weight"])
        // The same validation pass on a model holding the average.
        let check = LinearModel(batch: 8)
        check.weight.data.update(from: ema["weight"]!, count: LinearModel.features)
        check.bias.data[0] = ema["bias"]![0]
        let validation = LinearModel.data(count: 64).split(validationFraction: 0.25).validation
        let expected = Evaluation.run(check, validation, normalization: Normalization(), seed: 0)
        XCTAssertEqual(r.epochs.first?.valLoss, expected.loss)
    }

    /// A run stopped after a step and resumed ends with the average of an uninterrupted run.
    func testResumeContinuesTheAverageBitIdentically() throws {
        let whole = folder("ema-whole"), cut = folder("ema-cut")
        _ = try run(LinearModel(batch: 8), LinearModel.recipe(epochs: 2, ema: 0.95, noise: GradientNoise(eta: 0.01)), options(whole))
        _ = try run(LinearModel(batch: 8), LinearModel.recipe(epochs: 2, ema: 0.95, noise: GradientNoise(eta: 0.01)), options(cut, steps: 5))
        var resume = options(cut)
        resume.resume = true
        _ = try run(LinearModel(batch: 8), LinearModel.recipe(epochs: 2, ema: 0.95, noise: GradientNoise(eta: 0.01)), resume)
        XCTAssertEqual(try read(cut + "/model_ema.safetensors"), try read(whole + "/model_ema.safetensors"))
        XCTAssertEqual(try read(cut + "/model.safetensors"), try read(whole + "/model.safetensors"))
    }

    /// Noise on a zero gradient with plain SGD (lr 1): the update is −noise, whose mean is 0 and
    /// variance η/(1+t)^γ at step t; the draws do not depend on the thread count.
    func testGradientNoiseHasTheAnnealedVarianceAndIgnoresThreads() throws {
        let count = 200_000
        func updates(threads: Int) -> [[Float]] {
            let w = Tensor(shape: [count]), g = Tensor(shape: [count])
            let p = [TrainableTensor("w", w, gradient: g.data)]
            var opt = Optimizer(config: OptimizerRecipe(kind: .sgd, lr: 1), clipNorm: nil, params: p,
                                pool: ThreadPool(threads: threads), noise: (GradientNoise(eta: 0.3, gamma: 0.55), seed: 7))
            var out: [[Float]] = []
            for _ in 0..<10 {
                let before = w.array
                g.data.update(repeating: 0, count: count)
                opt.step(lr: 1)
                out.append(zip(before, w.array).map { $0 - $1 })
            }
            return out
        }
        let one = updates(threads: 1)
        XCTAssertEqual(one, updates(threads: 3))
        for t in [0, 9] {
            let x = one[t].map(Double.init)
            let mean = x.reduce(0, +) / Double(count)
            let variance = x.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(count - 1)
            let expected = 0.3 / pow(1 + Double(t), 0.55)
            // Standard errors: √(σ²/n) for the mean, σ²·√(2/n) for the variance; 5 of each.
            XCTAssertEqual(mean, 0, accuracy: 5 * (expected / Double(count)).squareRoot(), "step \(t)")
            XCTAssertEqual(variance, expected, accuracy: 5 * expected * (2 / Double(count)).squareRoot(), "step \(t)")
        }
        XCTAssertNotEqual(one[0], one[1], "a new draw every step")
    }
}
