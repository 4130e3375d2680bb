// The sections table: every key the spec's top level, `input:`, `loss:`, `train:` and `data:`
// accept, with its type, default and meaning. The training resolver takes its allowed keys from
// these rows, and `regula kinds` and docs/reference.md print them, so a key cannot be accepted
// without being documented (or documented without being accepted).

/// One key of a spec section (`train.optimizer.lr`).
public struct SectionKey: Sendable {
    /// The section's path (`train.optimizer`); empty for the top level.
    public var section: String
    public var name: String
    public var type: SectionKeyType
    public var range: ArgRange?
    /// How the default reads in docs, or nil when the key has no fixed default.
    public var defaultText: String?
    public var doc: String

    init(_ section: String, _ name: String, _ type: SectionKeyType, range: ArgRange? = nil,
         default defaultText: String? = nil, _ doc: String) {
        self.section = section
        self.name = name
        self.type = type
        self.range = range
        self.defaultText = defaultText
        self.doc = doc
    }

    /// `train.optimizer.lr`.
    public var path: String { section.isEmpty ? name : section + "." + name }
}

/// The type of a section key's value.
public enum SectionKeyType: Sendable {
    case value(ArgType)
    case string
    /// A map: a section of its own, or `defaults:`/`blocks:`.
    case map
    /// A list of maps (`regularize:` rules).
    case list

    public var phrase: String {
        switch self {
        case .value(let t): return t.phrase
        case .string: return "a string"
        case .map: return "a map"
        case .list: return "a list"
        }
    }
}

/// What a section is for, in documentation order.
public let sectionDocs: [(section: String, doc: String)] = [
    ("", "the top level of a spec"),
    ("input", "the per-example input; `input: [1, 28, 28]` is short for `input: {shape: [1, 28, 28]}`"),
    ("loss", "the training loss; `loss: mse` is short for `loss: {kind: mse}`"),
    ("train", "the training recipe"),
    ("train.optimizer", "the optimizer; `optimizer: adamw` is short for `optimizer: {kind: adamw}`"),
    ("train.schedule", "the learning-rate schedule; `schedule: cosine` is short for `schedule: {kind: cosine}`"),
    ("train.early_stopping", "Keras EarlyStopping: stop when `monitor` has not improved by `min_delta` for `patience` epochs"),
    ("train.ema", "An exponential moving average of the weights (Polyak averaging, timm ModelEmaV2), used by validation and the test set and saved as model_ema.safetensors; training continues from the raw weights"),
    ("train.adversarial", "Adversarial training (Goodfellow et al. 2015, FGSM; Madry et al. 2018, PGD): each step perturbs the batch within an L∞ ball of radius ε in the pixel range by signed input-gradient steps and trains on mix·J(x) + (1 − mix)·J(x_adv)"),
    ("train.consistency", "Consistency regularization: the softmax of each batch is pulled towards a target distribution from a second pass under other noise (pi: Laine & Aila 2017) or from a moving average of the weights (mean_teacher: Tarvainen & Valpola 2017); the term w(t)/(N·K)·Σ(softmax(z) − p)² ramps up as exp(−5(1 − T)²)"),
    ("train.gradient_noise", "Annealed Gaussian gradient noise (Neelakantan et al. 2015): N(0, η/(1+t)^γ) added to every gradient element after clipping, t the optimizer step from 0"),
    ("data", "where the training and test data come from and how inputs are scaled"),
    ("data.train", "the training files"),
    ("data.test", "the test files"),
    ("data.normalize", "input scaling per batch: x ← (x/scale − mean)/std"),
]

private let lossKinds = ["cross_entropy", "mse", "binary_cross_entropy"]
private let optimizerKinds = ["sgd", "adam", "adamw", "rmsprop", "lion"]
let scheduleKinds = ["constant", "step", "multistep", "exponential", "cosine", "one_cycle", "plateau"]
let monitors = ["val_loss", "val_accuracy", "loss", "accuracy"]
let dataFormats = ["idx", "csv", "npy", "cifar10", "cifar100"]

/// Every section key, in documentation order.
public let sectionTable: [SectionKey] = [
    SectionKey("", "regula", .value(.int), default: "required", "format version (1)"),
    SectionKey("", "model", .string, "the model's name (run folders, generated type names)"),
    SectionKey("", "input", .value(.intList), default: "required", "per-example input shape, or a map (see `input`)"),
    SectionKey("", "defaults", .map, "regularization attributes applied to every parametric layer that does not set them"),
    SectionKey("", "regularize", .list, "rules that set regularization attributes on the tensors they match (see `regularize`)"),
    SectionKey("", "blocks", .map, "named, parameterized layer lists (see Grammar.md)"),
    SectionKey("", "layers", .value(.layers), default: "required", "the model, in order"),
    SectionKey("", "loss", .value(.choice(lossKinds)), default: "cross_entropy", "the loss, or a map (see `loss`)"),
    SectionKey("", "train", .map, "the training recipe (see `train`)"),
    SectionKey("", "data", .map, "the data (see `data`)"),

    SectionKey("input", "shape", .value(.intList), range: .positive, default: "required", "per-example shape, channels first for images"),
    SectionKey("input", "dtype", .value(.choice(["float32", "int32"])), default: "float32", "int32 for token ids"),
    SectionKey("input", "data_format", .value(.choice(["channels_first", "channels_last"])), default: "channels_first",
               "layout of `shape` and of the data files; channels_last data is transposed to channels first when loaded"),

    SectionKey("loss", "kind", .value(.choice(lossKinds)), default: "cross_entropy", "cross_entropy takes logits and class ids"),
    SectionKey("loss", "targets", .value(.choice(["class_ids", "one_hot"])), default: "class_ids",
               "one_hot: mse and binary_cross_entropy compare with the one-hot vector of each class id"),
    SectionKey("loss", "label_smoothing", .value(.number), range: .dropRate, default: "0", "ε: targets 1−ε+ε/K, others ε/K"),
    SectionKey("loss", "smoothing_variant", .value(.choice(["uniform", "off_target"])), default: "uniform",
               "off_target: the tutorial's 1−ε and ε/(K−1)"),

    SectionKey("train", "optimizer", .value(.choice(optimizerKinds)), default: "sgd, lr 0.01", "see `train.optimizer`"),
    SectionKey("train", "batch_size", .value(.int), range: .positive, default: "32", "examples per optimizer step"),
    SectionKey("train", "epochs", .value(.int), range: .positive, default: "1", "passes over the training set"),
    SectionKey("train", "seed", .value(.int), range: .nonNegative, default: "0", "keys every random stream (init, shuffling, masks)"),
    SectionKey("train", "schedule", .value(.choice(scheduleKinds)), default: "constant", "see `train.schedule`"),
    SectionKey("train", "clip_grad_norm", .value(.number), range: .positive, "clip the global gradient norm (PyTorch clip_grad_norm_)"),
    SectionKey("train", "early_stopping", .map, "see `train.early_stopping`"),
    SectionKey("train", "ema", .map, "see `train.ema`"),
    SectionKey("train", "gradient_noise", .map, "see `train.gradient_noise`"),
    SectionKey("train", "adversarial", .map, "see `train.adversarial`"),
    SectionKey("train", "consistency", .map, "see `train.consistency`"),

    SectionKey("train.optimizer", "kind", .value(.choice(optimizerKinds)), default: "required",
               "adamw and lion decay decoupled, sgd and adam coupled, rmsprop as its convention says"),
    SectionKey("train.optimizer", "lr", .value(.number), range: .positive, default: "0.001 (rmsprop pytorch 0.01, lion 0.0001)", "learning rate"),
    SectionKey("train.optimizer", "momentum", .value(.number), range: .probability, default: "0", "SGD and RMSprop momentum"),
    SectionKey("train.optimizer", "nesterov", .value(.bool), default: "false", "Nesterov momentum (needs momentum > 0, dampening 0)"),
    SectionKey("train.optimizer", "dampening", .value(.number), range: .probability, default: "0", "SGD dampening"),
    SectionKey("train.optimizer", "betas", .value(.numberRange), default: "[0.9, 0.999] (lion [0.9, 0.99])", "Adam and Lion β₁, β₂, each in [0, 1)"),
    SectionKey("train.optimizer", "eps", .value(.number), range: .positive, default: "1e-08 (rmsprop keras 1e-07)", "Adam and RMSprop ε"),
    SectionKey("train.optimizer", "alpha", .value(.number), range: .dropRate, default: "0.99 (keras 0.9)", "RMSprop smoothing constant (Keras rho)"),
    SectionKey("train.optimizer", "centered", .value(.bool), default: "false", "RMSprop: divide by the running variance of the gradient"),
    SectionKey("train.optimizer", "convention", .value(.choice(["pytorch", "keras"])), default: "pytorch",
               "RMSprop: PyTorch's (ε outside √, coupled decay) or Keras's (ε inside √, decoupled decay, momentum on lr·g)"),
    SectionKey("train.optimizer", "weight_decay", .value(.number), range: .nonNegative, default: "0 (adamw 0.01)",
               "decay of every weight unless a layer or `defaults:` says otherwise; or a schedule of it"),
    SectionKey("train.optimizer", "decay", .value(.choice(["coupled", "decoupled"])), default: "coupled (adamw decoupled)",
               "coupled adds λθ to the gradient; decoupled shrinks θ by lr·λ"),

    SectionKey("train.schedule", "kind", .value(.choice(scheduleKinds)), default: "required", "the schedule"),
    SectionKey("train.schedule", "step_size", .value(.int), range: .positive, "step: epochs between decays (required)"),
    SectionKey("train.schedule", "gamma", .value(.number), range: .positive, default: "0.1 (exponential 0.95)", "step, multistep, exponential: decay factor"),
    SectionKey("train.schedule", "milestones", .value(.intList), "multistep: epochs at which lr is multiplied by gamma (required)"),
    SectionKey("train.schedule", "warmup_steps", .value(.int), range: .nonNegative, default: "0", "cosine: linear warmup steps"),
    SectionKey("train.schedule", "warmup_start_factor", .value(.number), range: .probability, default: "0.3333", "cosine: warmup starts at this fraction of lr"),
    SectionKey("train.schedule", "min_lr", .value(.number), range: .nonNegative, default: "0", "cosine: final lr; plateau: lower bound"),
    SectionKey("train.schedule", "max_lr", .value(.number), range: .positive, default: "the optimizer's lr", "one_cycle: peak lr"),
    SectionKey("train.schedule", "pct_start", .value(.number), range: .probability, default: "0.3", "one_cycle: fraction of steps rising"),
    SectionKey("train.schedule", "div_factor", .value(.number), range: .positive, default: "25", "one_cycle: initial lr = max_lr/div_factor"),
    SectionKey("train.schedule", "final_div_factor", .value(.number), range: .positive, default: "10000", "one_cycle: final lr = initial/final_div_factor"),
    SectionKey("train.schedule", "cycle_momentum", .value(.bool), default: "true", "one_cycle: cycle momentum (β₁) inversely to lr"),
    SectionKey("train.schedule", "monitor", .value(.choice(monitors)), default: "val_loss", "plateau: the metric watched"),
    SectionKey("train.schedule", "factor", .value(.number), range: .dropRate, default: "0.1", "plateau: lr multiplier"),
    SectionKey("train.schedule", "patience", .value(.int), range: .nonNegative, default: "10", "plateau: epochs without improvement first"),
    SectionKey("train.schedule", "threshold", .value(.number), range: .nonNegative, default: "0.0001", "plateau: relative improvement that counts"),
    SectionKey("train.schedule", "cooldown", .value(.int), range: .nonNegative, default: "0", "plateau: epochs to wait after a reduction"),

    SectionKey("train.early_stopping", "monitor", .value(.choice(monitors)), default: "val_loss", "the metric watched"),
    SectionKey("train.early_stopping", "patience", .value(.int), range: .nonNegative, default: "0", "epochs without improvement before stopping"),
    SectionKey("train.early_stopping", "min_delta", .value(.number), range: .nonNegative, default: "0", "smallest change that counts as improvement"),
    SectionKey("train.early_stopping", "restore_best", .value(.bool), default: "false", "end with the best epoch's weights"),
    SectionKey("train.early_stopping", "mode", .value(.choice(["auto", "min", "max"])), default: "auto", "auto: max for accuracy, min otherwise"),

    SectionKey("train.ema", "decay", .value(.number), range: .dropRate, default: "0.9999",
               "after every step ema ← decay·ema + (1−decay)·weights; validation, test and model_ema.safetensors use it"),

    SectionKey("train.gradient_noise", "eta", .value(.number), range: .positive, default: "0.01",
               "η: Gaussian noise of variance η/(1+t)^γ added to every gradient at step t"),
    SectionKey("train.gradient_noise", "gamma", .value(.number), range: .nonNegative, default: "0.55", "γ: how fast the noise anneals"),

    SectionKey("train.adversarial", "method", .value(.choice(["fgsm", "pgd"])), default: "required",
               "fgsm: one step of ε from x; pgd: `steps` steps from a random start, projected onto the ε-ball"),
    SectionKey("train.adversarial", "epsilon", .value(.number), range: .positive, default: "required",
               "L∞ radius in the pixel range (values x/scale, before mean and std; MNIST 0.3, CIFAR 8/255 in Madry et al.)"),
    SectionKey("train.adversarial", "steps", .value(.int), range: .positive, default: "fgsm 1, pgd 7", "attack steps (fgsm: 1)"),
    SectionKey("train.adversarial", "step_size", .value(.number), range: .positive, default: "fgsm ε, pgd 2.5·ε/steps",
               "size of each signed gradient step, in the pixel range"),
    SectionKey("train.adversarial", "mix", .value(.number), range: .probability, default: "fgsm 0.5, pgd 0",
               "weight of the clean loss: the objective is mix·J(x) + (1 − mix)·J(x_adv)"),
    SectionKey("train.adversarial", "random_start", .value(.bool), default: "fgsm false, pgd true", "start from x + U(−ε, ε)"),
    SectionKey("train.adversarial", "clip", .value(.numberRange), default: "[0, 1]", "the pixel range the perturbed inputs stay in"),

    SectionKey("train.consistency", "method", .value(.choice(["pi", "mean_teacher"])), default: "required",
               "pi: a second pass of the same weights under other dropout noise; mean_teacher: a pass of the weights' moving average"),
    SectionKey("train.consistency", "weight", .value(.number), range: .nonNegative, default: "required",
               "w, the consistency weight once ramped up (Laine & Aila: 100 for 10 classes with their sum; this mean over classes divides by K); or a schedule of it (then without ramp_up)"),
    SectionKey("train.consistency", "ramp_up", .value(.int), range: .nonNegative, default: "0",
               "epochs over which the weight rises as exp(−5(1 − T)²), T the fraction of the ramp done"),
    SectionKey("train.consistency", "ema_decay", .value(.number), range: .dropRate, default: "0.99",
               "mean_teacher: teacher ← a·teacher + (1 − a)·student after every step; evaluation and model_ema.safetensors use the teacher"),

    SectionKey("data", "format", .value(.choice(dataFormats)), default: "idx",
               "file format of inputs and labels; cifar10 and cifar100 are the sets' binary versions (images [3, 32, 32], labels inside)"),
    SectionKey("data", "dir", .string, "idx: a folder with the four MNIST file names; cifar10, cifar100: the extracted binary folder"),
    SectionKey("data", "train", .map, "see `data.train`"),
    SectionKey("data", "test", .map, "see `data.test`"),
    SectionKey("data", "validation_split", .value(.number), range: .dropRate, default: "0", "fraction of the training set held out for validation"),
    SectionKey("data", "normalize", .map, "see `data.normalize`"),
    SectionKey("data", "limit", .value(.int), range: .positive, "use only the first `limit` training examples"),
    SectionKey("data", "augment", .list, "data augmentation of training images, in order: `random_crop`, `flip`, `cutout` (see `data.augment`)"),

    SectionKey("data.train", "inputs", .string, default: "required", "inputs file, relative to the spec"),
    SectionKey("data.train", "labels", .string, default: "required (csv: the inputs' last column)", "labels file, relative to the spec"),
    SectionKey("data.test", "inputs", .string, default: "required", "inputs file, relative to the spec"),
    SectionKey("data.test", "labels", .string, default: "required (csv: the inputs' last column)", "labels file, relative to the spec"),

    SectionKey("data.normalize", "scale", .value(.number), range: .positive, default: "255", "divides raw values first"),
    SectionKey("data.normalize", "mean", .value(.number), default: "0", "subtracted after scaling"),
    SectionKey("data.normalize", "std", .value(.number), range: .positive, default: "1", "divides last"),
]

/// The keys a section accepts, from the table.
func sectionKeys(_ section: String) -> [String] {
    sectionTable.filter { $0.section == section }.map(\.name)
}
