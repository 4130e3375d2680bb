import Runtime

/// What the CLI (`regula train`, `eval`, `bench`) can override in a spec's `train:` section.
public struct TrainOptions {
    /// Worker threads for the kernels; nil = every core.
    public var threads: Int?
    /// Overrides `train.seed`.
    public var seed: UInt64?
    /// Overrides `train.epochs`.
    public var epochs: Int?
    /// A folder holding the data files; each of the spec's data paths is looked up in it by file
    /// name (and MNIST's standard names are used when the spec gives none).
    public var dataDirectory: String?
    /// The run folder (checkpoints, metrics); default `runs/<model name>`.
    public var outDirectory: String?
    /// Continue from `train_state.safetensors` + `model.safetensors` in the run folder.
    public var resume: Bool = false
    /// Discard the run already in the run folder (its checkpoints and metrics) instead of refusing.
    public var force: Bool = false
    /// Also write a checkpoint every this many optimizer steps (besides each epoch end).
    public var checkpointEvery: Int?
    /// Polled after every step; true stops training with a checkpoint at the current step
    /// (`regula train` sets it from SIGINT/SIGTERM). `TrainResult.interrupted` reports it.
    public var stopRequested: (() -> Bool)?
    /// Start from the weights of this `model.safetensors` (names as the PyTorch state_dict).
    public var initCheckpoint: String?
    /// Use only the first `limit` training examples (overrides `data.limit`).
    public var limit: Int?
    /// Stop after this many optimizer steps in total (quick runs, benchmarks).
    public var maxSteps: Int?
    /// Evaluate at most this many test examples at the end (nil = all).
    public var testLimit: Int?
    /// Bytes the run may use (default: `REGULA_MEMORY_LIMIT`, else the machine's available memory).
    public var memoryLimit: Int?
    /// Evaluate the test set after training (when the spec has one).
    public var evaluateTest: Bool = true
    /// Write checkpoints at each epoch end (tests of the loop alone may turn this off).
    public var writeCheckpoints: Bool = true
    /// Write `metrics.csv` / `metrics.jsonl`.
    public var writeMetrics: Bool = true
    public var progress: ProgressStyle = .auto
    /// Plain-line progress every this many steps.
    public var logEvery: Int = 100
    /// Called after every optimizer step (conformance tests record per-step losses here).
    public var stepCallback: ((StepReport) -> Void)?
    /// The spec file, recorded in the run folder's `run.json` (`regula report` shows it).
    public var specPath: String?
    /// The model's resolved regularization, per layer (`dense1` → `p 0.5; weight: wd 0.0001`),
    /// recorded in `run.json` beside the recipe's own settings.
    public var regularization: [String: String] = [:]

    public init() {}
}

/// One optimizer step, as seen by `TrainOptions.stepCallback`.
public struct StepReport {
    /// Global step, counting from 1.
    public var step: Int
    /// Epoch, counting from 1.
    public var epoch: Int
    /// Examples in the batch.
    public var examples: Int
    /// Mean training loss of the batch (data loss plus penalties).
    public var loss: Double
    /// Learning rate used for this step.
    public var learningRate: Double
}

/// What `train` returns.
public struct TrainResult {
    /// One row per finished epoch, as written to `metrics.csv` (the runtime's `EpochMetrics`).
    public var epochs: [EpochMetrics]
    public var steps: Int
    public var testLoss: Double?
    public var testAccuracy: Double?
    /// True when early stopping ended the run before the last epoch.
    public var stoppedEarly: Bool
    /// Epoch (from 1) whose weights the final model holds (the best one if restored).
    public var bestEpoch: Int?
    /// The run folder (nil when nothing was written).
    public var runDirectory: String?
    /// Peak resident memory of the process in bytes.
    public var peakRSS: Int
    /// Training throughput over the run: examples per second of optimizer steps (data, forward,
    /// backward, update), excluding validation, checkpoints and the test pass.
    public var samplesPerSecond: Double
    /// True when `stopRequested` ended the run (a checkpoint at `steps` is in the run folder).
    public var interrupted: Bool = false
    /// The divergence warning, if the loss grew far beyond its early values.
    public var divergence: String?
    /// Test-set evaluation throughput (examples per second), when the test set was evaluated.
    public var testExamplesPerSecond: Double?
}

/// Test-set evaluation (`regula eval`).
public struct EvalResult: Equatable {
    public var loss: Double
    public var accuracy: Double
    public var count: Int
}
