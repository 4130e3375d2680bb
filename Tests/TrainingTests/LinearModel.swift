import Runtime
import Training

/// A least-squares linear model, y = w·x + b, written by hand: the smallest `TrainableModel`
/// with which the loop's own features (EMA, gradient noise, resume) can be checked against
/// oracles without an interpreter or generated code. The label of an example is its target.
final class LinearModel: TrainableModel {
    static let features = 4
    let weight = Tensor(shape: [1, LinearModel.features])
    let bias = Tensor(shape: [1])
    /// A counter, as batch norm's `num_batches_tracked`: the steps taken.
    let steps = Tensor(shape: [])
    let gradWeight = Tensor(shape: [1, LinearModel.features])
    let gradBias = Tensor(shape: [1])
    let pool: ThreadPool
    let batch: Int
    let inputs: Tensor
    let labels: UnsafeMutablePointer<Int32>
    /// ∂loss/∂input, exposed only when `exposesInputGradient` (adversarial training).
    let gradInputs: Tensor
    var exposesInputGradient = false
    /// What each `trainStep` saw: its inputs and its loss.
    var passes: [(inputs: [Float], loss: Double)] = []
    /// A table of scheduled rates, exposed when `scheduleSlots` > 0; `scheduled` records what
    /// each `trainStep` read there (the model itself ignores the values).
    var scheduleSlots = 0
    let scheduleTable = UnsafeMutablePointer<Double>.allocate(capacity: 4)
    var scheduled: [[Double]] = []

    init(batch: Int, threads: Int = 1, seed: UInt64 = 0) {
        self.batch = batch
        pool = ThreadPool(threads: threads)
        inputs = Tensor(shape: [batch * LinearModel.features])
        gradInputs = Tensor(shape: [batch * LinearModel.features])
        labels = .allocate(capacity: batch)
        RandomStream(seed: seed, step: .max, stream: 0).fillUniform(weight.data, count: weight.count, low: -0.5, high: 0.5)
    }

    deinit {
        labels.deallocate()
        scheduleTable.deallocate()
    }

    var scheduledValues: UnsafeMutablePointer<Double>? { scheduleSlots > 0 ? scheduleTable : nil }

    var state: [StateTensor] { [StateTensor("weight", weight), StateTensor("bias", bias), StateTensor("steps", steps, counter: true)] }
    var trainable: [TrainableTensor] {
        [TrainableTensor("weight", weight, gradient: gradWeight.data, weightDecay: 0.01), TrainableTensor("bias", bias, gradient: gradBias.data)]
    }

    func fillTraining(_ loader: BatchLoader, batch: Int) -> Int { loader.fill(batch: batch, inputs: inputs.data, labels: labels) }
    var trainInput: UnsafeMutablePointer<Float> { inputs.data }
    var inputGradient: UnsafeMutablePointer<Float>? { exposesInputGradient ? gradInputs.data : nil }
    func fillEvaluation(_ loader: BatchLoader, batch: Int) -> Int { fillTraining(loader, batch: batch) }
    var evaluationBatchSize: Int { batch }

    /// Mean of (w·x + b − y)² over the batch, and its gradients (∂/∂x_ij = r_i·w_j).
    func trainStep(n: Int, step: UInt64) -> StepOutput {
        let loss = evaluate(n: n).loss
        passes.append((Array(UnsafeBufferPointer(start: inputs.data, count: n * LinearModel.features)), loss))
        if scheduleSlots > 0 { scheduled.append(Array(UnsafeBufferPointer(start: scheduleTable, count: scheduleSlots))) }
        for j in 0..<LinearModel.features { gradWeight.data[j] = 0 }
        gradBias.data[0] = 0
        for i in 0..<n {
            let r = 2 * (prediction(i) - Float(labels[i])) / Float(n)
            for j in 0..<LinearModel.features {
                gradWeight.data[j] += r * inputs.data[i * LinearModel.features + j]
                gradInputs.data[i * LinearModel.features + j] = r * weight.data[j]
            }
            gradBias.data[0] += r
        }
        steps.data[0] += 1
        return StepOutput(loss: loss, dataLoss: loss, accuracy: 0)
    }

    func evaluate(n: Int) -> (loss: Double, accuracy: Double) {
        var sum = 0.0
        for i in 0..<n { sum += Double((prediction(i) - Float(labels[i])) * (prediction(i) - Float(labels[i]))) }
        return (sum / Double(n), 0)
    }

    func prediction(_ i: Int) -> Float {
        var y = bias.data[0]
        for j in 0..<LinearModel.features { y += weight.data[j] * inputs.data[i * LinearModel.features + j] }
        return y
    }

    /// Examples whose target is 3·x₀ − x₁ + 2 rounded (labels are integers), inputs in [0, 1).
    static func data(count: Int, seed: UInt64 = 1) -> Dataset {
        var x = [Float](repeating: 0, count: count * features)
        x.withUnsafeMutableBufferPointer { RandomStream(seed: seed, step: 0, stream: 9).fillUniform($0.baseAddress!, count: $0.count) }
        let y = (0..<count).map { i in Int32((3 * x[i * features] - x[i * features + 1] + 2).rounded()) }
        return Dataset(inputs: .float(x), labels: y, exampleShape: [features])
    }

    static func recipe(epochs: Int = 2, batch: Int = 8, ema: Double? = nil, noise: GradientNoise? = nil,
                       validation: Double = 0) -> TrainingRecipe {
        TrainingRecipe(name: "linear", batchSize: batch, epochs: epochs, seed: 0,
                       data: DataRecipe(format: .npy, inputShape: [features], validationSplit: validation),
                       optimizer: OptimizerRecipe(kind: .sgd, lr: 0.1, momentum: 0.9), gradientNoise: noise, emaDecay: ema)
    }
}
