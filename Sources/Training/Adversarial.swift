import Runtime

/// Adversarial training as the loop runs it: the `train.adversarial` settings, already in the
/// model's input units (the data's normalized values).
///
/// FGSM (Goodfellow, Shlens & Szegedy 2015, "Explaining and Harnessing Adversarial Examples"):
/// `x_adv = clip(x + ε·sign(∇x J(θ, x, y)))`, objective `mix·J(x) + (1 − mix)·J(x_adv)`. PGD
/// (Madry et al. 2018, "Towards Deep Learning Models Resistant to Adversarial Attacks"): from
/// `x + U(−ε, ε)`, `steps` steps `x ← Π(x + a·sign(∇x J))` onto the ε-ball around x and the pixel
/// range, then the same objective (mix 0: train on x_adv only). FGSM is PGD with one step of ε
/// and no random start. The attack is recomputed every step from the current weights and is a
/// constant for the update (no gradient flows through it).
public struct AdversarialRecipe: Hashable, Sendable {
    /// L∞ radius, step size and bounds in input units: pixel values ε/std, a/std and
    /// [(low − mean)/std, (high − mean)/std] for inputs normalized as (x/scale − mean)/std.
    public var epsilon: Float
    public var stepSize: Float
    public var steps: Int
    public var mix: Float
    public var randomStart: Bool
    public var low: Float
    public var high: Float

    public init(epsilon: Float, stepSize: Float, steps: Int, mix: Float, randomStart: Bool, low: Float, high: Float) {
        precondition(steps >= 1 && epsilon > 0 && low < high, "adversarial settings out of range")
        self.epsilon = epsilon
        self.stepSize = stepSize
        self.steps = steps
        self.mix = mix
        self.randomStart = randomStart
        self.low = low
        self.high = high
    }

    /// Reserved stream of PGD's random start (`step` = optimizer step, element = input element).
    public static let randomStartStream: UInt32 = 0xFFFF_0008
}

/// Runs one adversarial training step on a model that exposes its input and ∂loss/∂input.
///
/// Every pass is a training-mode `trainStep` with the step's random key (the same dropout masks
/// in each pass: the attack and the update see one network). Passes whose gradients are only the
/// attack's leave the batch-norm running statistics and counters as they were; the passes the
/// update uses (the clean one when mix > 0, the adversarial one) update them, as two training
/// forwards in PyTorch would. Each pass starts from a fresh `fillTraining` of the batch, so the
/// labels and any buffer the step reuses are intact.
struct AdversarialStep {
    let recipe: AdversarialRecipe
    let seed: UInt64
    /// Input elements per example.
    let elements: Int

    func run(_ model: TrainableModel, _ loader: BatchLoader, batch: Int, n: Int, step: UInt64) -> StepOutput {
        let input = model.trainInput
        guard let inputGradient = model.inputGradient else {
            preconditionFailure("adversarial training needs a model with trainInput and inputGradient")
        }
        let r = recipe, count = n * elements
        let clean = Array(UnsafeBufferPointer(start: input, count: count))
        var x = clean
        let buffers = model.bufferTensors
        func attackPass(_ body: () -> Void) {
            let saved = buffers.map(\.array)
            body()
            for (t, v) in zip(buffers, saved) { t.data.update(from: v, count: v.count) }
        }
        /// One signed-gradient step from the current gradient, projected onto the ball and range.
        func ascend() {
            for i in 0..<count {
                let g = inputGradient[i]
                let s: Float = g > 0 ? 1 : (g < 0 ? -1 : 0)
                let v = x[i] + r.stepSize * s
                x[i] = min(max(min(max(v, clean[i] - r.epsilon), clean[i] + r.epsilon), r.low), r.high)
            }
        }
        func load(_ values: [Float]) {
            _ = model.fillTraining(loader, batch: batch)
            values.withUnsafeBufferPointer { input.update(from: $0.baseAddress.unsafelyUnwrapped, count: count) }
        }

        var cleanOut: StepOutput?
        var cleanGradients: [[Float]] = []
        var done = 0
        if r.randomStart {
            let random = RandomStream(seed: seed, step: step, stream: AdversarialRecipe.randomStartStream)
            for i in 0..<count {
                x[i] = min(max(clean[i] + (2 * random.uniform(at: i) - 1) * r.epsilon, r.low), r.high)
            }
        }
        if r.mix > 0 || !r.randomStart {
            // The clean pass: the update's clean term, and the attack's first gradient unless it
            // starts at a random point.
            let pass = { cleanOut = model.trainStep(n: n, step: step) }
            if r.mix > 0 { pass() } else { attackPass(pass) }
            if r.mix > 0 { cleanGradients = model.trainable.map { Array(UnsafeBufferPointer(start: $0.gradient, count: $0.tensor.count)) } }
            if !r.randomStart { ascend(); done = 1 }
        }
        while done < r.steps {
            load(x)
            attackPass { _ = model.trainStep(n: n, step: step) }
            ascend()
            done += 1
        }
        load(x)
        let adversarial = model.trainStep(n: n, step: step)
        guard r.mix > 0, let c = cleanOut else { return adversarial }
        let a = r.mix, b = 1 - r.mix
        for (p, g) in zip(model.trainable, cleanGradients) {
            for i in 0..<g.count { p.gradient[i] = a * g[i] + b * p.gradient[i] }
        }
        let m = Double(a), k = Double(b)
        return StepOutput(loss: m * c.loss + k * adversarial.loss, dataLoss: m * c.dataLoss + k * adversarial.dataLoss,
                          accuracy: m * c.accuracy + k * adversarial.accuracy)
    }
}
