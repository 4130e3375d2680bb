import Syntax
import Diagnostics

// The checker's entry point. The pipeline is a flat list of stages, each in its own file:
// training sections (TrainingResolve) → defaults (RegularizationResolve) → kinds, arguments,
// blocks and repeats (Expand) → references and shapes (Infer) → lint rules (Rules/).

public struct CheckOptions {
    /// Physical memory for the memory lint; nil disables it. Injectable so tests do not depend on the machine.
    public var physicalMemory: UInt64?

    public init(physicalMemory: UInt64? = Check.physicalMemory()) {
        self.physicalMemory = physicalMemory
    }
}

/// The format version this build reads (`regula: 1`).
public let formatVersion = 1

/// Checks a parsed spec. Returns the checked model when there are no errors (warnings allowed),
/// and every diagnostic in file order.
public func check(_ spec: Spec, options: CheckOptions = CheckOptions()) -> (model: CheckedModel?, diagnostics: [Diagnostic]) {
    var d: [Diagnostic] = []
    if let v = spec.version, v.value != formatVersion {
        d.append(Msg.unsupportedVersion(v.value).error(v.range))
        return (nil, d)
    }
    d += lintNameCharacters(spec)
    var training = resolveTraining(spec, &d)
    let defaults = RegularizationDefaults(spec.defaults, diagnostics: &d)
    let rules = RegularizationRules(spec.regularize, diagnostics: &d)
    let (expander, items) = expandLayers(spec)
    d += expander.diagnostics

    guard let input = resolveInput(spec, &d) else { return (nil, sorted(d)) }
    let isImage = input.shape.count == 3 && input.dtype == .float32 && !input.shape.contains(where: { $0.value == nil })
    // Every augmentation but mixup works on image planes; mixup only needs numbers to interpolate.
    if training.data.augment.contains(where: { !isMixup($0.kind) }), !isImage {
        d.append(Msg.augmentNeedsImages(show(input.shape)).error(augmentRange(spec) ?? spec.range))
    } else if training.data.augment.contains(where: { isMixup($0.kind) }), input.dtype != .float32 {
        d.append(Msg.mixupNeedsRealInputs.error(augmentRange(spec) ?? spec.range))
    } else if training.data.augment.filter(\.kind.isBatchMix).count > 4 {
        d.append(Msg.tooManyMixes(4).error(augmentRange(spec) ?? spec.range))
    } else if training.data.augment.contains(where: { if case .colorJitter = $0.kind { return true }; return false }),
              let channels = input.shape.first?.value, channels != 3 {
        d.append(Msg.colorJitterNeedsRGB("\(channels)").error(augmentRange(spec) ?? spec.range))
    }
    if training.consistency != nil, training.loss.kind != .crossEntropy {
        d.append(Msg.consistencyNeedsCrossEntropy.error(trainKeyRange(spec, "consistency") ?? spec.range))
    }
    if training.adversarial != nil, input.dtype != .float32 {
        d.append(Msg.adversarialNeedsRealInputs.error(trainKeyRange(spec, "adversarial") ?? spec.range))
    }
    if input.dtype == .int32 {
        // Token ids reach the embedding as they are stored: the default 1/255 scaling is off.
        if let r = dataKeyRange(spec, "normalize") { d.append(Msg.normalizeTokens.error(r)) }
        (training.data.scale, training.data.mean, training.data.std) = (1, 0, 1)
    }
    if spec.layers.isEmpty { d.append(Msg.emptyModel.error(spec.range)) }

    var inferrer = Inferrer(input: input, defaults: defaults, rules: rules, optimizerDecay: Strength(value: training.optimizer.weightDecay, schedule: training.optimizer.weightDecaySchedule),
                            range: spec.input?.range ?? spec.range)
    inferrer.collectNames(items)
    let output = inferrer.list(items, input: 0, prefix: "")
    d += inferrer.diagnostics
    if !inferrer.poisoned.contains(true) { d += rules.finish() }

    let nodes = inferrer.nodes
    d += lintDropoutBeforeBatchnorm(nodes)
    d += lintDecayOnNormOrBias(nodes)
    d += lintStochasticDepthWithoutShortcut(inferrer.droppedStochasticDepth)
    d += lintScheduleLength(nodes, training)
    if spec.loss != nil, !inferrer.poisoned[output] { d += lintSoftmaxBeforeCrossEntropy(nodes, output: output, loss: training.loss) }
    // A spec that trains (or says how) is compared with the data's one class id per example.
    if spec.loss != nil || spec.train != nil || spec.data != nil, !inferrer.poisoned[output] {
        d += lintOutputPerExample(nodes, output: output, loss: training.loss)
    }
    d += lintMemory(nodes.flatMap(\.params), physicalMemory: options.physicalMemory, at: spec.model?.range ?? spec.range)

    let ok = !d.contains { $0.severity == .error } && !inferrer.poisoned.contains(true)
    let model = ok ? CheckedModel(name: spec.model?.value ?? "model", input: input, nodes: nodes, output: output, training: training) : nil
    return (model, sorted(d))
}

/// Expands the spec's layers (blocks, repeats, expressions), a second time when an expression
/// read `${blocks}`, the number of residual blocks the first expansion found.
func expandLayers(_ spec: Spec) -> (Expander, [EItem]) {
    var expander = Expander(blocks: spec.blocks)
    var items = expander.expand(spec.layers, env: [:], prefix: "")
    if expander.usedBlockCount {
        expander = Expander(blocks: spec.blocks, totalResidualBlocks: expander.residualBlocks)
        items = expander.expand(spec.layers, env: [:], prefix: "")
    }
    return (expander, items)
}

private func isMixup(_ k: AugmentConfig.Kind) -> Bool {
    if case .mixup = k { return true }
    return false
}

/// The `augment` key of `data`, where augmenting a non-image input is reported.
private func augmentRange(_ spec: Spec) -> SourceRange? { dataKeyRange(spec, "augment") }

/// The range of `key` in the `data` section, if the spec writes it.
private func dataKeyRange(_ spec: Spec, _ key: String) -> SourceRange? {
    guard case .map(let es)? = spec.data?.kind else { return nil }
    return es.first { $0.key.value == key }?.key.range
}

private func trainKeyRange(_ spec: Spec, _ key: String) -> SourceRange? {
    guard case .map(let es)? = spec.train?.kind else { return nil }
    return es.first { $0.key.value == key }?.key.range
}

/// File order, each diagnostic once. A mistake in a block's definition that every use repeats
/// word for word is reported once, with the chain of its first use and a count of the others; a
/// mistake that depends on the use (a shape from its arguments) differs in its message and is
/// reported at each use that makes it.
private func sorted(_ d: [Diagnostic]) -> [Diagnostic] {
    var kept: [Diagnostic] = []
    var index: [Diagnostic: Int] = [:]
    var repeats: [Int] = []
    for x in d {
        var key = x
        key.notes.removeAll(where: UseContext.isChainNote)
        if let k = index[key] {
            if x != kept[k] { repeats[k] += 1 }
            continue
        }
        index[key] = kept.count
        kept.append(x)
        repeats.append(0)
    }
    var bag = DiagnosticBag()
    for (x, n) in zip(kept, repeats) {
        var x = x
        if n > 0 { x.notes.append(Note("the same \(x.severity.rawValue) in \(n) more use\(n == 1 ? "" : "s")")) }
        bag.append(x)
    }
    return bag.sorted
}

/// `input:` → per-example shape (channels-first), dtype and data format.
private func resolveInput(_ spec: Spec, _ d: inout [Diagnostic]) -> InputInfo? {
    guard let decl = spec.input else {
        d.append(Msg.missingInput.error(spec.range))
        return nil
    }
    var shape: Shape = []
    var ok = true
    for v in decl.shape {
        if let i = v.intValue, i > 0, i <= maxSize { shape.append(.fixed(i)) }
        else if let s = v.stringValue, !s.isEmpty { shape.append(.symbol(s)) }
        else { d.append(Msg.badInputDim(v.intValue.map(String.init) ?? "value").error(v.range)); ok = false }
    }
    if decl.shape.isEmpty { d.append(Msg.badInputDim("list").error(decl.range)); ok = false }
    var dtype = DType.float32
    if let t = decl.dtype {
        if let x = DType(rawValue: t.value) { dtype = x } else { d.append(Msg.unknownChoice("input dtype", t.value, ["float32", "int32"]).error(t.range)); ok = false }
    }
    var channelsLast = false
    if let f = decl.dataFormat {
        switch f.value {
        case "channels_first": break
        case "channels_last": channelsLast = true
        default: d.append(Msg.unknownChoice("data format", f.value, ["channels_first", "channels_last"]).error(f.range)); ok = false
        }
    }
    // The graph is channels-first; a channels-last [H, W, C] input is checked as [C, H, W].
    if channelsLast && shape.count >= 2, let c = shape.last { shape = [c] + shape.dropLast() }
    return ok ? InputInfo(shape: shape, dtype: dtype, channelsLast: channelsLast) : nil
}
