import Check
import IR

/// Emits `Model.swift`: one final class per spec model holding its parameters (named after the
/// spec's layers, PyTorch `state_dict` layouts), the training step generated from the training
/// graph (forward in the spec's layer order, loss, backward) and the evaluation pass generated
/// from the inference graph. It conforms to `TrainableModel` (or `EvaluableModel` for an inference
/// package): Regula's `TrainingLoop` runs it, as it runs the interpreter.
struct ModelEmitter {
    let model: CheckedModel
    let train: Graph?
    let infer: Graph
    /// The batch `infer` is planned for (`IR.evaluationBatchSize`).
    let evaluationBatch: Int
    let source: SpecSource
    let typeName: String
    /// `state_dict` name → Swift access path from the model (`conv2d1Weight`, `resblock1.conv2d1Weight`).
    let propertyNames: [String: String]
    /// The model's and each block type's members (`BlockScopes`).
    let scopes: BlockScopes

    /// The model's own members, which no parameter or block use may shadow.
    static let reserved: Set<String> = [
        "seed", "pool", "state", "trainable", "trainArena", "evalArena", "invStdBuffer", "scratch",
        "trainInput", "trainLabels", "evalInput", "evalLabels", "trainStep", "evaluate",
        "fillTraining", "fillEvaluation", "evaluationBatchSize", "trainTokens", "evalTokens", "inputGradient",
        "trainLogits", "consistencyTarget", "consistencyWeight", "scheduled", "scheduledValues", "step", "n", "invStd",
    ]

    init(model: CheckedModel, train: Graph?, infer: Graph, evaluationBatch: Int, source: SpecSource) {
        self.model = model
        self.train = train
        self.infer = infer
        self.evaluationBatch = evaluationBatch
        self.source = source
        typeName = Names.typeName(model.name)
        scopes = BlockScopes(model: model, modelType: typeName, reserved: Self.reserved)
        propertyNames = scopes.access
    }

    func emit() -> String {
        var w = SwiftWriter.generated(from: source)
        var trainText = SwiftWriter(), evalText = SwiftWriter()
        var methods: [String: [String]] = [:]
        if let train { methods = emitStep(train, prefix: "t", arena: "trainArena", &trainText) }
        methods.merge(emitStep(infer, prefix: "e", arena: "evalArena", &evalText)) { $0 + $1 }
        BlockTypeEmitter(scopes: scopes, source: source).emit(methods: methods, into: &w)
        w.doc("The `\(model.name)` model of \(source.fileName): parameters in PyTorch `state_dict` layout,")
        w.doc(train == nil ? "and one evaluation pass." : "one training step (forward, loss, backward) and one evaluation pass.")
        w.block("final class \(typeName): \(train == nil ? "EvaluableModel" : "TrainableModel")") { w in
            w.doc("Examples per evaluation pass, as `regula train` evaluates\(train == nil ? "" : " (training steps take the spec's batch of \(model.training.batchSize))").")
            w.line("let evaluationBatchSize = \(evaluationBatch)")
            w.line("let seed: UInt64")
            w.line("let pool: ThreadPool")
            w.line()
            emitParameters(&w)
            emitBuffers(&w)
            emitInit(&w)
            emitStateLists(&w)
            if train != nil { w.raw(trainText.file) }
            w.raw(evalText.file)
        }
        return w.file
    }

    // MARK: Declarations

    private func emitParameters(_ w: inout SwiftWriter) {
        var lastOrigin = ""
        for m in scopes.scopes[0].members {
            switch m {
            case .tensor(let p, let property, _):
                let origin = source.comment(for: originOf(p.name))
                if origin != lastOrigin { w.line(); w.comment(origin); lastOrigin = origin }
                w.doc("`\(p.name)` \(p.shape)\(p.trainable ? "" : ", a buffer")")
                w.line("let \(property) = Tensor(shape: \(p.shape))")
            case .instance(let k):
                let s = scopes.scopes[k]
                w.line()
                w.comment(source.comment(for: Origin(path: s.use?.path ?? "", kind: s.use?.block ?? "", range: s.use?.range)))
                w.doc("`\(s.use?.path ?? "").*`: one use of block `\(s.use?.block ?? "")`.")
                BlockTypeEmitter.declare(k, scopes, into: &w)
                lastOrigin = ""
            }
        }
        w.line()
    }

    /// The spec line of the layer that owns a parameter (`0.weight` → layer path `0`).
    private func originOf(_ name: String) -> Origin? {
        let path = name.split(separator: ".").dropLast().joined(separator: ".")
        for g in [train, infer].compactMap({ $0 }) {
            if let n = g.nodes.first(where: { $0.origin?.path == path }) { return n.origin }
        }
        return nil
    }

    private func arenaFloats(_ g: Graph) -> Int { max((g.memory?.arenaBytes ?? 0) / 4, 16) }

    private func emitters(_ g: Graph, prefix: String) -> OpEmitter {
        let batch = g.mode == .train ? model.training.batchSize : evaluationBatch
        var e = OpEmitter(layout: Layout(graph: g, prefix: prefix, stateNames: propertyNames), maxBatch: batch)
        // A dry run collects the pooling index buffers the step will use.
        var scratch = SwiftWriter()
        var n = NodeEmitter(ops: e)
        for node in g.nodes { n.emit(node, into: &scratch) }
        e = n.ops
        return e
    }

    private func maxChannels(_ g: Graph) -> Int {
        var c = 0
        let L = Layout(graph: g, prefix: "", stateNames: propertyNames)
        for n in g.nodes { if case .batchNormBackward = n.op { c = max(c, L.perExample(n.inputs[1]).first ?? 1) } }
        return c
    }

    private func emitBuffers(_ w: inout SwiftWriter) {
        w.comment("Every intermediate value lives at its planned offset in one arena per graph (liveness-based reuse).")
        if let train { w.line("private let trainArena = Arena(floats: \(arenaFloats(train)))") }
        w.line("private let evalArena = Arena(floats: \(arenaFloats(infer)))")
        for g in [train, infer].compactMap({ $0 }) {
            for b in emitters(g, prefix: g.mode == .train ? "t" : "e").poolBuffers {
                w.line("private let \(b.name) = IndexBuffer(count: \(b.capacity))")
            }
        }
        let slots = model.scheduledArguments.count
        if train != nil, slots > 0 {
            // A node's argument reads `<path> <argument>`, a parameter's penalty strength `<parameter> <attribute>`.
            let names = model.scheduledArguments.map { $0.argument.contains(" ") ? $0.argument : "\(model.nodes[$0.node].path) \($0.argument)" }
            w.comment("The scheduled rates (\(names.joined(separator: ", "))) at the current step,")
            w.comment("written by the loop before each step from the recipe's schedules; the training step reads them.")
            w.line("private let scheduled: UnsafeMutablePointer<Double> = {")
            w.line("    let table = UnsafeMutablePointer<Double>.allocate(capacity: \(slots))")
            w.line("    table.initialize(repeating: 0, count: \(slots))")
            w.line("    return table")
            w.line("}()")
            w.line("var scheduledValues: UnsafeMutablePointer<Double>? { scheduled }")
            w.line("deinit { scheduled.deallocate() }")
        }
        if let train, maxChannels(train) > 0 {
            w.comment("1/√(var+eps) per channel, rebuilt from the saved variance in each batchnorm backward.")
            w.line("private let invStdBuffer = Arena(floats: \(maxChannels(train)))")
        }
        if [train, infer].compactMap({ $0 }).contains(where: { $0.nodes.contains { Self.usesScratch($0.op) } }) {
            w.comment("Work buffers of the recurrent and attention layers (masks, head layouts), kept across steps.")
            w.line("private let scratch = ScratchBuffers()")
        }
        w.line()
    }

    private func emitInit(_ w: inout SwiftWriter) {
        w.doc("Initializes every parameter from the keyed RNG exactly as `regula train` does: parameter k")
        w.doc("(its index in the state_dict) draws from `RandomStream(seed:, step: .max, stream: k)`.")
        w.block("init(seed: UInt64, threads: Int)") { w in
            w.line("self.seed = seed")
            w.line("pool = ThreadPool(threads: max(1, threads))")
            for (k, p) in model.parameters.enumerated() {
                let name = propertyNames[p.name] ?? "_"
                switch p.initializer {
                case .uniformFanIn(let fanIn):
                    let bound = Float(1 / Double(max(fanIn, 1)).squareRoot())
                    w.line("RandomStream(seed: seed, step: .max, stream: \(k)).fillUniform(\(name).data, count: \(p.count), low: -\(bound), high: \(bound))")
                case .xavierUniform(let fanIn, let fanOut):
                    let bound = Float((6 / Double(max(fanIn + fanOut, 1))).squareRoot())
                    w.line("RandomStream(seed: seed, step: .max, stream: \(k)).fillUniform(\(name).data, count: \(p.count), low: -\(bound), high: \(bound))")
                case .normal(let std):
                    w.line("RandomStream(seed: seed, step: .max, stream: \(k)).fillNormal(\(name).data, count: \(p.count), mean: 0, std: \(OpEmitter.float(std)))")
                case .zeros:
                    break   // Tensor(shape:) starts at zero.
                case .ones:
                    w.line("\(name).data.update(repeating: 1, count: \(p.count))")
                }
            }
            emitReparamInit(&w)
        }
        w.line()
    }

    /// PyTorch's registration-time values once every tensor is drawn, as `regula train`: weight
    /// norm's g = ‖v‖ per output row, spectral norm's u, v refined by 15 power iterations.
    private func emitReparamInit(_ w: inout SwiftWriter) {
        let byName = Dictionary(model.parameters.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for p in model.parameters {
            let suffix = p.name.hasSuffix("weight_g") ? "weight_g" : "weight_u"
            let base = String(p.name.dropLast(suffix.count))
            switch p.role {
            case .weightGain:
                guard let v = byName[base + "weight_v"] else { continue }
                let rows = v.shape.first ?? 1
                w.line("WeightNorm.initialGain(rows: \(rows), cols: \(v.count / max(rows, 1)), v: \(propertyNames[v.name] ?? "_").data, g: \(propertyNames[p.name] ?? "_").data)")
            case .penaltyU:
                let stem = String(p.name.dropLast("spectral_u".count))
                guard let wt = byName[stem + "weight"], let v = byName[stem + "spectral_v"] else { continue }
                let rows = wt.shape.first ?? 1
                w.line("SpectralNorm.powerIteration(rows: \(rows), cols: \(wt.count / max(rows, 1)), w: \(propertyNames[wt.name] ?? "_").data,")
                w.line("                            u: \(propertyNames[p.name] ?? "_").data, v: \(propertyNames[v.name] ?? "_").data, iterations: 15)")
            case .spectralU:
                guard let wo = byName[base + "weight_orig"], let v = byName[base + "weight_v"] else { continue }
                let rows = wo.shape.first ?? 1
                w.line("SpectralNorm.powerIteration(rows: \(rows), cols: \(wo.count / max(rows, 1)), w: \(propertyNames[wo.name] ?? "_").data,")
                w.line("                            u: \(propertyNames[p.name] ?? "_").data, v: \(propertyNames[v.name] ?? "_").data, iterations: 15)")
            default:
                break
            }
        }
    }

    private func emitStateLists(_ w: inout SwiftWriter) {
        w.doc("Every parameter and buffer in `state_dict` order (checkpoints).")
        w.block("var state: [StateTensor]") { w in
            w.line("[")
            for p in model.parameters {
                let counter = p.role == .numBatchesTracked ? ", counter: true" : ""
                w.line("    StateTensor(\(Names.stringLiteral(p.name)), \(propertyNames[p.name] ?? "_")\(counter)),")
            }
            w.line("]")
        }
        w.line()
        guard let train else { return }
        let L = Layout(graph: train, prefix: "", stateNames: propertyNames)
        let decay = model.training.optimizer.decay.rawValue
        w.doc("Trainable parameters in optimizer order: gradient buffers (written by `trainStep`), each")
        w.doc("one's weight decay (\(decay), from the spec's regularization) and max-norm.")
        w.block("var trainable: [TrainableTensor]") { w in
            w.line("[")
            for p in model.parameters where p.trainable {
                let off = train.output(.gradient(p.name)).flatMap(L.offset) ?? 0
                let r = p.regularization
                var args = "\(Names.stringLiteral(p.name)), \(propertyNames[p.name] ?? "_"), gradient: trainArena.floats + \(off)"
                if r.weightDecay > 0 { args += ", weightDecay: \(r.weightDecay)" }
                if let slot = model.scheduleSlot(parameter: p.name, attribute: "weight_decay") { args += ", weightDecaySlot: \(slot)" }
                if let c = r.maxNorm { args += ", maxNorm: \(c)" }
                w.line("    TrainableTensor(\(args)),  // \(source.comment(for: originOf(p.name)))")
            }
            w.line("]")
        }
        w.line()
    }

    // MARK: Steps

    /// Writes one step's accessors and function; returns the block methods it calls, by type.
    private func emitStep(_ g: Graph, prefix: String, arena: String, _ w: inout SwiftWriter) -> [String: [String]] {
        let L = Layout(graph: g, prefix: prefix, stateNames: propertyNames)
        let isTrain = g.mode == .train
        let inputName = isTrain ? "trainInput" : "evalInput", labelName = isTrain ? "trainLabels" : "evalLabels"
        let tokens = g.input(.data).flatMap { g[$0].dtype == .int32 ? $0 : nil }
        if let d = tokens {
            // The loader writes floats; the step converts them into the int32 input (as `regula train`).
            let name = isTrain ? "trainTokens" : "evalTokens"
            w.doc("The batch's token ids, \(L.perExample(d)) each, as floats written by the data loader.")
            w.line("private let \(name) = Arena(floats: \((isTrain ? model.training.batchSize : evaluationBatch) * L.unit(d)))")
            w.line("var \(inputName): UnsafeMutablePointer<Float> { \(name).floats }")
        } else if let d = g.input(.data), let off = L.offset(d) {
            w.doc("The batch's examples, \(L.perExample(d)) each, written by the data loader.")
            w.line("var \(inputName): UnsafeMutablePointer<Float> { \(arena).floats + \(off) }")
        }
        if isTrain, let v = g.output(.inputGradient), let off = L.offset(v) {
            w.doc("∂loss/∂input after `trainStep`, for adversarial training's attack (`train.adversarial`).")
            w.line("var inputGradient: UnsafeMutablePointer<Float>? { \(arena).floats + \(off) }")
        }
        if isTrain, let target = g.input(.consistencyTarget), let weight = g.input(.consistencyWeight), let logits = g.output(.logits),
           let t = L.offset(target), let c = L.offset(weight), let z = L.offset(logits) {
            w.doc("Consistency regularization (`train.consistency`): the logits of the last step, and the target")
            w.doc("distribution and weight that the loop writes before the next.")
            w.line("var trainLogits: UnsafeMutablePointer<Float>? { \(arena).floats + \(z) }")
            w.line("var consistencyTarget: UnsafeMutablePointer<Float>? { \(arena).floats + \(t) }")
            w.line("var consistencyWeight: UnsafeMutablePointer<Float>? { \(arena).floats + \(c) }")
        }
        let targetRows = g.input(.labels).flatMap { g[$0].dtype == .float32 ? L.unit($0) : nil }
        if let l = g.input(.labels), let off = L.offset(l) {
            w.doc(targetRows == nil ? "The batch's class ids." : "The batch's target rows: the loader writes class ids, then their one-hot rows in place (mixed, in training, by the spec's batch mixes).")
            w.line("var \(labelName): UnsafeMutablePointer<Int32> { \(arena).int32(at: \(off)) }")
        }
        w.line()
        w.doc("Writes batch `batch` of `loader` into `\(inputName)` and `\(labelName)`; returns its size.")
        w.line("func \(isTrain ? "fillTraining" : "fillEvaluation")(_ loader: BatchLoader, batch: Int) -> Int {")
        if let k = targetRows {
            w.line("    loader.fill(batch: batch, inputs: \(inputName), targetRows: UnsafeMutableRawPointer(\(labelName)), classes: \(k))")
        } else {
            w.line("    loader.fill(batch: batch, inputs: \(inputName), labels: \(labelName))")
        }
        w.line("}")
        w.line()
        func scalar(_ k: OutputKind) -> String { g.output(k).map { "Double(\(L.ptr($0))[0])" } ?? "0" }
        if isTrain {
            w.doc("One training step on the first `n` examples of `trainInput`: forward in the spec's layer")
            w.doc("order, loss, backward. `step` keys the dropout masks (the same draws as `regula train`).")
            w.line("func trainStep(n: Int, step: UInt64) -> StepOutput {")
        } else {
            w.doc("Evaluation on the first `n` examples of `evalInput` (\(g.name) inference graph: batchnorm")
            w.doc("folded into the preceding layer, dropout removed).")
            w.line("func evaluate(n: Int) -> (loss: Double, accuracy: Double) {")
        }
        var body = SwiftWriter()
        if let d = tokens {
            body.line("TokenIDs.convert(\(isTrain ? "trainTokens" : "evalTokens").floats, into: \(L.i32(d)), count: \(L.count(d)))")
        }
        let backwardStart = isTrain ? (g.nodes.firstIndex { isBackwardStart($0.op) } ?? g.nodes.count) : g.nodes.count
        let segments = segmentTexts(g, prefix: prefix, backwardStart: backwardStart)
        let planner = BlockMethods(graph: g, layout: L, scopes: scopes, modelMembers: scopes.scopes[0].used.subtracting(BlockScopes.opLocals), backwardStart: backwardStart)
        let (texts, methods) = planner.plan(segments, source: source)
        for (k, s) in segments.enumerated() {
            if s.nodes.lowerBound == backwardStart { body.line(); body.comment("MARK: Backward") }
            body.line()
            body.raw(texts[k])
        }
        body.line()
        if isTrain {
            body.line("return StepOutput(loss: \(scalar(.loss)), dataLoss: \(scalar(.dataLoss)), accuracy: \(scalar(.accuracy)))")
        } else {
            body.line("return (\(scalar(.dataLoss)), \(scalar(.accuracy)))")
        }
        // Declarations of what the body reads: a value only a view or the optimizer reads (a
        // parameter's gradient, through `trainable`) gets no unused local.
        let used = Set(body.file.split(whereSeparator: { !$0.isLetter && !$0.isNumber && $0 != "_" }).map(String.init))
        var declarations = SwiftWriter()
        if !isTrain && !g.rngKeys.isEmpty { declarations.line("let step: UInt64 = 0") }
        if used.contains("invStd") { declarations.line("let invStd = invStdBuffer.floats") }
        for v in L.arenaValues where used.contains(L.ptr(v)) {
            declarations.line("let \(L.ptr(v)) = \(arena).floats + \(L.offset(v) ?? 0)  // \(g[v])")
        }
        let text = declarations.file.isEmpty ? body.file : declarations.file + "\n" + body.file
        w.raw("    " + text.replacingOccurrences(of: "\n", with: "\n    ").trimmingTrailingIndent())
        w.line("}")
        w.line()
        return methods
    }

    /// The step's nodes in runs owned by the model or one top-level block use (split where the
    /// backward pass starts), each emitted with its spec-line comments.
    private func segmentTexts(_ g: Graph, prefix: String, backwardStart: Int) -> [BlockMethods.Segment] {
        var segments: [BlockMethods.Segment] = []
        for (i, node) in g.nodes.enumerated() {
            let owner = node.origin.flatMap { scopes.owner(ofPath: $0.path) }
            let backward = i >= backwardStart
            if let last = segments.last, last.owner == owner, last.backward == backward {
                segments[segments.count - 1].nodes = last.nodes.lowerBound..<(i + 1)
            } else {
                segments.append(BlockMethods.Segment(owner: owner, nodes: i..<(i + 1), backward: backward, text: ""))
            }
        }
        var emitter = NodeEmitter(ops: emitters(g, prefix: prefix))
        emitter.ops.poolBuffers = []
        for k in segments.indices {
            var w = SwiftWriter()
            var lastOrigin = ""
            for node in g.nodes[segments[k].nodes] {
                let origin = node.origin.map { source.comment(for: $0) } ?? ""
                if origin != lastOrigin { w.line(); w.comment(origin); lastOrigin = origin }
                emitter.emit(node, into: &w)
            }
            segments[k].text = w.file.trimmingTrailingIndent()
        }
        return segments
    }

    /// Ops whose runtime driver keeps work buffers in the model's `scratch`.
    static func usesScratch(_ op: Op) -> Bool {
        switch op {
        case .lstm, .lstmBackward, .gru, .gruBackward, .attention, .attentionBackward: return true
        default: return false
        }
    }

    private func isBackwardStart(_ op: Op) -> Bool {
        switch op {
        case .softmaxCrossEntropyBackward, .mseLossBackward, .bceLossBackward: return true
        case .consistencyLossBackward: return false
        default: return false
        }
    }
}

extension String {
    /// Drops the indentation left after the last newline.
    func trimmingTrailingIndent() -> String {
        var s = self
        while s.hasSuffix(" ") { s.removeLast() }
        while s.hasSuffix("\n") { s.removeLast() }
        return s
    }
}
