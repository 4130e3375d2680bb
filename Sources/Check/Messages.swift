import Diagnostics

// The checker's message catalog: every diagnostic it can produce, with its stable id.
// Wording follows the Swift compiler's rules: one lowercase phrase naming the entity, no final
// period; a did-you-mean is part of the phrase so it survives renderers that drop notes.

struct Message {
    let id: String
    let text: String

    func error(_ at: SourceRange, notes: [Note] = [], fixIts: [FixIt] = []) -> Diagnostic {
        .error(id, text, at: at, notes: notes, fixIts: fixIts)
    }

    func warning(_ at: SourceRange, notes: [Note] = [], fixIts: [FixIt] = []) -> Diagnostic {
        .warning(id, text, at: at, notes: notes, fixIts: fixIts)
    }
}

private func suggest(_ s: String?) -> String { s.map { "; did you mean '\($0)'?" } ?? "" }

/// Formats a shape as the spec writes it: `[32, 7, 7]`.
func show(_ s: Shape) -> String { "[" + s.map(\.description).joined(separator: ", ") + "]" }

func show(_ x: Double) -> String {
    if x == x.rounded(), abs(x) < 1e15 { return String(Int(x)) }
    return String(x)
}

enum Msg {
    // MARK: format and spec structure
    static func unsupportedVersion(_ v: Int) -> Message {
        Message(id: "unsupported-version", text: "format version \(v) is not supported by this build, which reads version 1")
    }
    static let missingInput = Message(id: "missing-input", text: "spec has no 'input' shape")
    static let emptyModel = Message(id: "empty-model", text: "spec has no layers")
    static func badInputDim(_ what: String) -> Message {
        Message(id: "invalid-input", text: "input dimension \(what) must be a positive integer up to \(maxSize) or a name")
    }
    static func unknownChoice(_ what: String, _ value: String, _ choices: [String]) -> Message {
        Message(id: "invalid-value", text: "unknown \(what) '\(value)'" + (closest(to: value, in: choices).map { "; did you mean '\($0)'?" } ?? "; expected one of " + choices.joined(separator: ", ")))
    }

    // MARK: data.augment
    static let augmentNotAList = Message(id: "wrong-type", text: "'augment' must be a list such as [random_crop: 2, flip, cutout: 8]")
    static let augmentItem = Message(id: "wrong-type", text: "an augmentation is one kind, bare (flip) or with its arguments (cutout: {size: 8})")
    static func unknownAugmentation(_ k: String, _ s: String?) -> Message {
        let names = augmentKinds.map(\.name)
        let expected = names.dropLast().joined(separator: ", ") + " or " + (names.last ?? "")
        return Message(id: "unknown-kind", text: "unknown augmentation '\(k)'" + (s.map { "; did you mean '\($0)'?" } ?? "; expected \(expected)"))
    }
    static func tooManyAugmentations(_ n: Int) -> Message {
        Message(id: "out-of-range", text: "at most \(n) augmentations are supported")
    }
    static let emaWithRestoreBest = Message(id: "conflicting-arguments", text: "train.ema and early_stopping.restore_best both choose the final weights; keep one (the EMA weights are evaluated, so early stopping already watches them)")
    static let normalizeTokens = Message(id: "normalize-input", text: "data.normalize scales float inputs; an int32 input holds token ids, which are never normalized")
    static func hueRange(_ v: Double) -> Message {
        Message(id: "out-of-range", text: "argument 'hue' of 'color_jitter' must be in [0, 0.5] but is \(v)")
    }
    static func colorJitterNeedsRGB(_ channels: String) -> Message {
        Message(id: "augment-input", text: "color_jitter needs RGB images [3, height, width]; the input has \(channels) channels")
    }
    static func adversarialClip(_ low: Double, _ high: Double) -> Message {
        Message(id: "out-of-range", text: "'train.adversarial.clip' must be [low, high] with low < high, got [\(show(low)), \(show(high))]")
    }
    static func fgsmSteps(_ steps: Int) -> Message {
        Message(id: "out-of-range", text: "fgsm takes one step, got steps \(steps); use method: pgd for several")
    }
    static let meanTeacherWithEMA = Message(id: "conflicting-settings",
        text: "train.ema and a mean_teacher consistency both average the weights; keep the teacher (its ema_decay sets the average, and evaluation uses it)")
    static let consistencyWithAdversarial = Message(id: "conflicting-settings",
        text: "train.consistency and train.adversarial cannot be combined yet; choose one")
    static let emaDecayWithoutTeacher = Message(id: "unused-setting", text: "ema_decay is Mean Teacher's; the pi method has no teacher to average")
    static let consistencyNeedsCrossEntropy = Message(id: "consistency-loss",
        text: "consistency compares softmax outputs over classes; it needs loss: cross_entropy")
    static let adversarialNeedsRealInputs = Message(id: "adversarial-input", text: "adversarial training needs real-valued inputs; token ids have no gradient")
    static let mixupNeedsRealInputs = Message(id: "augment-input", text: "mixup needs real-valued inputs; token ids cannot be interpolated")
    static func tooManyMixes(_ n: Int) -> Message {
        Message(id: "out-of-range", text: "at most \(n) batch mixes (mixup, cutmix) are supported")
    }
    static func augmentNeedsImages(_ shape: String) -> Message {
        Message(id: "augment-input", text: "data augmentation needs image inputs [channels, height, width]; the input is \(shape)")
    }

    // MARK: regularize: rules
    static let rulesNotAList = Message(id: "wrong-type", text: "'regularize' must be a list of rules such as {match: {role: bias}, weight_decay: 0}")
    static let ruleNotAMap = Message(id: "wrong-type", text: "a rule must be a map such as {match: {role: bias}, weight_decay: 0}")
    static let ruleWithoutMatch = Message(id: "missing-argument", text: "rule has no 'match:' saying which tensors it sets (by kind, layer or role)")
    static let ruleMatchNotAMap = Message(id: "wrong-type", text: "'match' must be a map of kind, layer and role, for example {kind: conv2d, role: weight}")
    static func ruleCriterionType(_ key: String) -> Message {
        Message(id: "wrong-type", text: "'\(key)' in 'match' must be a name or a list of names")
    }
    static func ruleKindWithoutParameters(_ kind: String) -> Message {
        Message(id: "invalid-value", text: "'\(kind)' layers have no parameters for a rule to set")
    }
    static let ruleSetsNothing = Message(id: "missing-argument", text: "rule sets no attribute; add one such as weight_decay: 0 or l1: 1e-5")
    static func ruleDecayFlag(_ flag: String) -> Message {
        Message(id: "unknown-argument", text: "'\(flag)' is a layer and defaults flag; a rule decays \(flag == "decay_bias" ? "biases" : "normalization parameters") by matching them with role: \(flag == "decay_bias" ? "bias" : "norm")")
    }
    static func ruleWeightOnly(_ a: String) -> Message {
        Message(id: "regularization-not-applicable", text: "'\(a)' acts on weight matrices, and this rule matches only biases or normalization parameters")
    }
    static func ruleConflict(_ a: String, _ tensor: String, _ earlier: String, _ later: String) -> Message {
        Message(id: "conflicting-rules", text: "rules disagree on \(a) of '\(tensor)': \(earlier) and \(later)")
    }
    static let ruleMatchesNothing = Message(id: "unused-rule", text: "rule matches no parameter")
    static func ruleAttributeUnused(_ a: String, _ why: String) -> Message {
        Message(id: "unused-rule", text: "'\(a)' of this rule sets no tensor: \(why)")
    }

    // MARK: kinds and arguments
    static func unknownKind(_ k: String, _ s: String?) -> Message {
        Message(id: "unknown-kind", text: "unknown layer kind '\(k)'" + suggest(s))
    }
    static func regularizationNotApplicable(_ a: String, _ kind: String, _ why: String) -> Message {
        Message(id: "regularization-not-applicable", text: "'\(a)' does not apply to '\(kind)' layers: \(why)")
    }
    static func unknownArgument(_ a: String, _ kind: String, _ s: String?) -> Message {
        Message(id: "unknown-argument", text: "unknown argument '\(a)' for '\(kind)'" + suggest(s))
    }
    static func duplicateArgument(_ a: String, _ kind: String) -> Message {
        Message(id: "duplicate-argument", text: "argument '\(a)' of '\(kind)' is given twice")
    }
    static func noPrimary(_ kind: String) -> Message {
        Message(id: "unexpected-argument", text: "layer kind '\(kind)' takes no positional argument")
    }
    static func wrongType(_ a: String, _ kind: String, _ t: ArgType) -> Message {
        Message(id: "wrong-type", text: "argument '\(a)' of '\(kind)' must be \(t.phrase)")
    }
    static func missingArgument(_ a: String, _ kind: String) -> Message {
        Message(id: "missing-argument", text: "missing required argument '\(a)' for '\(kind)'")
    }
    static func outOfRange(_ a: String, _ kind: String, _ r: ArgRange, _ v: Double) -> Message {
        Message(id: "out-of-range", text: "argument '\(a)' of '\(kind)' \(r.phrase) but is \(show(v))")
    }
    static func tooBig(_ a: String, _ kind: String) -> Message {
        Message(id: "out-of-range", text: "argument '\(a)' of '\(kind)' must be at most \(maxSize)")
    }
    static func tooManyParameters(_ kind: String) -> Message {
        Message(id: "too-large", text: "'\(kind)' would have more than \(maxSize) elements in one tensor")
    }
    static func badChoice(_ a: String, _ kind: String, _ v: String, _ choices: [String]) -> Message {
        Message(id: "invalid-value", text: "argument '\(a)' of '\(kind)' cannot be '\(v)'" + (closest(to: v, in: choices).map { "; did you mean '\($0)'?" } ?? "; expected one of " + choices.joined(separator: ", ")))
    }
    // MARK: scheduled scalars
    static func unknownScheduleKey(_ k: String, _ form: String, _ s: String?) -> Message {
        Message(id: "unknown-argument", text: "unknown key '\(k)' for a \(form) schedule" + suggest(s))
    }
    static func scheduleBothUnits(_ a: String, _ kind: String) -> Message {
        Message(id: "conflicting-arguments", text: "the schedule of '\(a)' of '\(kind)' counts epochs or steps, not both")
    }
    static func scheduleNeedsUnit(_ a: String, _ kind: String, _ form: String) -> Message {
        Message(id: "missing-argument", text: "the \(form) schedule of '\(a)' of '\(kind)' needs its length in 'epochs' or 'steps'")
    }
    static func scheduleMilestones(_ unit: String) -> Message {
        Message(id: "wrong-type", text: "a step schedule's '\(unit)' must be a list of increasing positive integers, its milestones")
    }
    static func scheduleMilestoneCount(_ values: Int, _ unit: String, _ found: Int) -> Message {
        Message(id: "wrong-type", text: "a step schedule of \(values) values needs \(values - 1) milestones in '\(unit)', found \(found)")
    }
    static let scheduleValues = Message(id: "wrong-type", text: "a step schedule's 'values' must be a non-empty list of numbers")
    static func notSchedulable(_ a: String, _ kind: String, _ type: ArgType) -> Message {
        Message(id: "wrong-type", text: "argument '\(a)' of '\(kind)' cannot be scheduled; give \(type.phrase)")
    }
    static func scheduleOutlastsTraining(_ a: String, _ kind: String, _ end: Int, _ epochs: Int) -> Message {
        Message(id: "schedule-too-long", text: "the schedule of '\(a)' of '\(kind)' ends at epoch \(end), after the \(epochs) epochs of training; the run never reaches its final value")
    }
    static let scheduleWithRampUp = Message(id: "conflicting-arguments", text: "'ramp_up' shapes a constant consistency weight; with a schedule for 'weight' leave 'ramp_up' out")
    static let scheduleWithScheduleSteps = Message(id: "conflicting-arguments", text: "'schedule_steps' ramps 'p' of 'dropblock' linearly from 0; with a schedule for 'p' give the ramp there instead")
    static func badRange(_ a: String, _ kind: String) -> Message {
        Message(id: "out-of-range", text: "argument '\(a)' of '\(kind)' must be a range [lo, hi] with lo ≤ hi")
    }
    static func tooFewBranches(_ n: Int) -> Message {
        Message(id: "too-few-branches", text: "shake_shake needs at least two branches but has \(n)")
    }

    // MARK: blocks, repeats, expressions
    static func recursiveBlock(_ b: String) -> Message {
        Message(id: "recursive-block", text: "block '\(b)' uses itself")
    }
    static func duplicateBlock(_ b: String) -> Message {
        Message(id: "duplicate-block", text: "block '\(b)' is defined twice")
    }
    static func blockShadowsKind(_ b: String) -> Message {
        Message(id: "block-shadows-kind", text: "block '\(b)' has the name of a built-in layer kind")
    }
    static func unknownBlockParameter(_ p: String, _ b: String, _ s: String?) -> Message {
        Message(id: "unknown-argument", text: "unknown parameter '\(p)' for block '\(b)'" + suggest(s))
    }
    static func missingBlockParameter(_ p: String, _ b: String) -> Message {
        Message(id: "missing-argument", text: "missing parameter '\(p)' for block '\(b)'")
    }
    static func blockParameterType(_ p: String, _ b: String) -> Message {
        Message(id: "wrong-type", text: "parameter '\(p)' of block '\(b)' must be a number, a string or a boolean")
    }
    static func blockTakesNoArguments(_ b: String) -> Message {
        Message(id: "unexpected-argument", text: "block '\(b)' takes no parameters")
    }
    static func unknownName(_ n: String, _ s: String?) -> Message {
        Message(id: "unknown-name", text: "unknown name '\(n)' in expression" + suggest(s))
    }
    static func notANumber(_ s: String) -> Message {
        Message(id: "wrong-type", text: "expression uses '\(s)' as a number")
    }
    static let divisionByZero = Message(id: "division-by-zero", text: "expression divides by zero")
    static func unknownFunction(_ f: String) -> Message {
        Message(id: "unknown-function", text: "unknown function '\(f)' in expression; expected min, max, floor, ceil, round or int")
    }
    static func badArity(_ f: String) -> Message {
        Message(id: "wrong-arity", text: "wrong number of arguments to '\(f)'")
    }
    static let overflow = Message(id: "overflow", text: "expression result is too large")
    static let badRepeatCount = Message(id: "wrong-type", text: "repeat count must be a non-negative integer")
    static func tooLarge(_ limit: Int) -> Message {
        Message(id: "too-large", text: "model expands to more than \(limit) layers")
    }
    static func tooDeep(_ limit: Int) -> Message {
        Message(id: "too-deep", text: "layers nest more than \(limit) levels deep")
    }

    // MARK: names and references
    static func duplicateName(_ n: String) -> Message {
        Message(id: "duplicate-name", text: "duplicate layer name '\(n)'")
    }
    static let reservedName = Message(id: "reserved-name", text: "layer name 'input' is reserved for the model input")
    static func unknownReference(_ n: String, _ s: String?) -> Message {
        Message(id: "unknown-reference", text: "unknown layer '\(n)' in 'from'" + suggest(s))
    }
    static func forwardReference(_ n: String) -> Message {
        Message(id: "forward-reference", text: "layer '\(n)' is used before it is defined")
    }
    static func cycle(_ path: [String]) -> Message {
        Message(id: "cycle", text: "layer references form a cycle: " + path.joined(separator: " → "))
    }
    static func tooFewInputs(_ kind: String) -> Message {
        Message(id: "too-few-inputs", text: "'\(kind)' needs at least two inputs in 'from'")
    }
    static func tooManyInputs(_ kind: String, _ n: Int) -> Message {
        Message(id: "too-many-inputs", text: "'\(kind)' takes one input but 'from' names \(n)")
    }
    static func firstDefinedHere(_ n: String) -> String { "'\(n)' is first defined here" }
    static func definedHere(_ n: String) -> String { "'\(n)' is defined here" }

    // MARK: shapes
    static func rank(_ kind: String, _ wanted: String, _ got: Shape) -> Message {
        Message(id: "rank-mismatch", text: "'\(kind)' expects a \(wanted) input but gets \(show(got))")
    }
    static func declaredSize(_ arg: String, _ inferred: Int, _ arithmetic: String?, _ declared: Int) -> Message {
        Message(id: "size-mismatch", text: "expected \(arg) \(inferred)\(arithmetic.map { " (\($0))" } ?? "") but declared \(declared)")
    }
    static func missingFlatten(_ shape: Shape) -> Message {
        Message(id: "missing-flatten", text: "dense layer applied to \(show(shape)) input is missing a flatten")
    }
    static func symbolicSize(_ kind: String, _ dim: String) -> Message {
        Message(id: "symbolic-size", text: "'\(kind)' needs a fixed input size but the size is '\(dim)'")
    }
    static func spatialSize(_ kind: String, _ axis: String, _ out: Int, _ input: Int, _ kernel: Int, _ pad: Int, _ stride: Int, _ dilation: Int) -> Message {
        let k = dilation == 1 ? "kernel \(kernel)" : "kernel \(kernel) dilated by \(dilation)"
        return Message(id: "spatial-size", text: "'\(kind)' reduces \(axis) to \(out) (input \(input), \(k), padding \(pad), stride \(stride))")
    }
    static let samePadding = Message(id: "invalid-padding", text: "padding 'same' needs stride 1 and an odd kernel extent")
    static func poolPadding(_ p: Int, _ k: Int) -> Message {
        Message(id: "invalid-padding", text: "pool padding \(p) must be at most half the window \(k)")
    }
    static func padChannels(_ out: Int, _ c: Int) -> Message {
        Message(id: "invalid-channels", text: "pad_channels to \(out) channels cannot hold the input's \(c) channels")
    }
    static func permutation(_ axes: [Int], _ x: Shape) -> Message {
        Message(id: "invalid-axes", text: "permute axes \(axes) are not a permutation of the \(x.count) axes of \(show(x))")
    }
    static func shiftTooFar(_ arg: String, _ by: Int, _ size: Int) -> Message {
        Message(id: "invalid-shift", text: "shift \(arg) \(by) moves the whole image out of its \(size) pixels")
    }
    static func emptyCrop(_ kind: String, _ from: String, _ to: String) -> Message {
        Message(id: "empty-output", text: "'\(kind)' leaves nothing of \(from): the output would be \(to)")
    }
    static func groups(_ c: Int, _ g: Int, _ filters: Int) -> Message {
        Message(id: "invalid-groups", text: "conv2d groups \(g) must divide both input channels \(c) and filters \(filters)")
    }
    static func addMismatch(_ kind: String, _ a: String, _ sa: Shape, _ b: String, _ sb: Shape) -> Message {
        Message(id: "shape-mismatch", text: "'\(kind)' inputs differ: '\(a)' is \(show(sa)) but '\(b)' is \(show(sb))")
    }
    static func residualMismatch(_ body: Shape, _ shortcut: Shape, _ hasShortcut: Bool) -> Message {
        Message(id: "shape-mismatch", text: "residual body output \(show(body)) does not match its \(hasShortcut ? "shortcut" : "identity shortcut") \(show(shortcut))")
    }
    static func branchMismatch(_ kind: String, _ a: String, _ sa: Shape, _ b: String, _ sb: Shape) -> Message {
        Message(id: "shape-mismatch", text: "'\(kind)' \(a) output \(show(sa)) does not match \(b) \(show(sb))")
    }
    static func concatMismatch(_ a: String, _ sa: Shape, _ b: String, _ sb: Shape, _ axis: Int) -> Message {
        Message(id: "shape-mismatch", text: "'concat' inputs differ outside axis \(axis): '\(a)' is \(show(sa)) but '\(b)' is \(show(sb))")
    }
    static func axisRange(_ kind: String, _ axis: Int, _ shape: Shape) -> Message {
        Message(id: "axis-out-of-range", text: "axis \(axis) of '\(kind)' is out of range for \(show(shape)) input")
    }
    static func softmaxAxis(_ kind: String, _ axis: Int, _ shape: Shape) -> Message {
        Message(id: "unsupported-axis", text: "'\(kind)' over axis \(axis) of \(show(shape)) is not supported; regula normalizes over the last axis only")
    }
    static func normSize(_ kind: String, _ declared: String, _ actual: String) -> Message {
        Message(id: "norm-mismatch", text: "'\(kind)' declares \(declared) but its input has \(actual)")
    }
    static func blockSize(_ kind: String, _ size: Int, _ h: Int, _ w: Int) -> Message {
        Message(id: "block-size", text: "'\(kind)' block_size \(size) does not fit the \(h)×\(w) feature map")
    }
    static func groupsDivide(_ groups: Int, _ channels: Int) -> Message {
        Message(id: "groups-mismatch", text: "\(groups) groups do not divide the \(channels) channels")
    }
    static func headsDivide(_ dim: Int, _ heads: Int) -> Message {
        Message(id: "heads-mismatch", text: "attention dim \(dim) is not divisible by \(heads) heads")
    }
    static func reshapeCount(_ target: [Int], _ n: Int, _ inputCount: Int, _ input: Shape) -> Message {
        Message(id: "reshape-mismatch", text: "reshape to \(show(target.map { Dim.fixed($0) })) has \(n) elements per example but its input \(show(input)) has \(inputCount)")
    }
    static func reshapeInfer(_ target: [Int], _ inputCount: Int, _ input: Shape) -> Message {
        Message(id: "reshape-mismatch", text: "reshape to \(show(target.map { Dim.fixed($0) })) cannot divide the \(inputCount) elements of its input \(show(input))")
    }
    static let reshapeManyWildcards = Message(id: "reshape-mismatch", text: "reshape has more than one -1")
    static func reshapeBadDim(_ d: Int) -> Message {
        Message(id: "out-of-range", text: "reshape dimension \(d) must be positive or -1")
    }
    static func embeddingInput(_ dtype: String) -> Message {
        Message(id: "dtype-mismatch", text: "embedding expects int32 token ids but gets \(dtype) values")
    }
    static func intInput(_ kind: String) -> Message {
        Message(id: "dtype-mismatch", text: "'\(kind)' cannot read the int32 token ids of the model input; an embedding must come first")
    }
    static func expectFailed(_ got: Shape, _ expected: [String]) -> Message {
        Message(id: "expect-failed", text: "layer output \(show(got)) does not match expected [\(expected.joined(separator: ", "))]")
    }
    static let badExpect = Message(id: "wrong-type", text: "'expect' must be a list of integers or names")

    // MARK: lint warnings
    static func decayOnNorm(_ names: [String], _ what: String) -> Message {
        Message(id: "decay-on-norm", text: "\(what) on normalization parameters " + names.map { "'\($0)'" }.joined(separator: ", "))
    }
    static func decayOnBias(_ names: [String], _ what: String) -> Message {
        Message(id: "decay-on-bias", text: "\(what) on bias " + names.map { "'\($0)'" }.joined(separator: ", "))
    }
    static func dropoutBeforeBatchnorm(_ kind: String) -> Message {
        Message(id: "dropout-before-batchnorm", text: "\(kind) immediately before batchnorm shifts its running variance between training and evaluation")
    }
    static let stochasticDepthWithoutShortcut = Message(id: "stochastic-depth-without-shortcut", text: "stochastic depth on a residual block without a shortcut is ignored")
    static func labelSmoothing(_ loss: String) -> Message {
        Message(id: "label-smoothing-loss", text: "label smoothing applies to cross_entropy only; loss '\(loss)' would ignore it")
    }
    static func softmaxBeforeCrossEntropy(_ a: String) -> Message {
        Message(id: "softmax-before-cross-entropy", text: "final '\(a)' before cross-entropy, which expects logits and applies log-softmax itself")
    }
    static func memory(_ need: String, _ have: String) -> Message {
        Message(id: "memory", text: "parameters need \(need) for training but the machine has \(have)")
    }

    // MARK: training sections
    static func unknownKey(_ k: String, _ section: String, _ s: String?) -> Message {
        Message(id: "unknown-key", text: "unknown key '\(k)' in '\(section)'" + suggest(s))
    }
    static func keyType(_ path: String, _ phrase: String) -> Message {
        Message(id: "wrong-type", text: "'\(path)' must be \(phrase)")
    }
    static func keyRange(_ path: String, _ phrase: String, _ v: Double) -> Message {
        Message(id: "out-of-range", text: "'\(path)' \(phrase) but is \(show(v))")
    }
    static func missingKey(_ k: String, _ section: String) -> Message {
        Message(id: "missing-key", text: "missing key '\(k)' in '\(section)'")
    }
    static let nesterov = Message(id: "invalid-value", text: "nesterov momentum needs a positive momentum and zero dampening")
    static let dataSource = Message(id: "missing-key", text: "'data' needs 'dir' or 'train' files")
}
