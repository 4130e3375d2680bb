import Check
import Runtime

/// The spec's optimizer over the model's trainable parameters: clipping, the per-parameter
/// update (SGD, Adam/AdamW, RMSprop or Lion, weight decay coupled or decoupled as the spec says),
/// then max-norm.
///
/// Order per step, as PyTorch: the gradients already hold the data loss and the L1/L2 penalty
/// terms (the training graph adds them); `clip_grad_norm_` over all gradients; each parameter's
/// update with its own `weightDecay`; then the max-norm projection of each unit's incoming
/// weights (Srivastava et al. 2014, `torch.renorm` semantics).
struct Optimizer {
    let config: OptimizerConfig
    let clipNorm: Double?
    let params: [(info: ParamInfo, tensor: Tensor)]
    let pool: ThreadPool
    /// The update is elementwise, so each parameter is cut into fixed chunks (independent of the
    /// thread count) that run in parallel, each with its own optimizer state.
    static let chunk = 16_384
    /// (parameter index, offset, count) of every chunk.
    let chunks: [(param: Int, offset: Int, count: Int)]
    var sgd: [SGD.State] = []
    var adam: [Adam.State] = []
    var rmsprop: [RMSprop.State] = []
    var lion: [Lion.State] = []

    init(config: OptimizerConfig, clipNorm: Double?, params: [(info: ParamInfo, tensor: Tensor)], pool: ThreadPool) {
        self.config = config
        self.clipNorm = clipNorm
        self.params = params
        self.pool = pool
        var chunks: [(Int, Int, Int)] = []
        for (k, p) in params.enumerated() {
            var off = 0
            repeat {
                let n = min(Self.chunk, p.tensor.count - off)
                chunks.append((k, off, n))
                off += n
            } while off < p.tensor.count
        }
        self.chunks = chunks
        switch config.kind {
        case .sgd: sgd = chunks.map { SGD.makeState(count: $0.2) }
        case .adam, .adamw: adam = chunks.map { Adam.makeState(count: $0.2) }
        case .rmsprop: rmsprop = chunks.map { RMSprop.makeState(count: $0.2) }
        case .lion: lion = chunks.map { Lion.makeState(count: $0.2) }
        }
    }

    var steps: Int { sgd.first?.steps ?? adam.first?.steps ?? rmsprop.first?.steps ?? lion.first?.steps ?? 0 }

    /// One step. `grads[i]` is the gradient of `params[i]`; `momentum` overrides SGD's momentum
    /// or Adam's β₁ (one-cycle momentum cycling).
    mutating func step(grads: [UnsafeMutablePointer<Float>], lr: Double, momentum: Double? = nil) {
        precondition(grads.count == params.count, "one gradient per trainable parameter")
        if let c = clipNorm {
            let buffers = zip(grads, params).map { UnsafeMutableBufferPointer(start: $0.0, count: $0.1.tensor.count) }
            GradientClipping.clipGlobalNorm(buffers, maxNorm: c)
        }
        let mode: WeightDecay.Mode = config.decay == .coupled ? .coupled : .decoupled
        let decays = params.map { p -> WeightDecay in
            let wd = p.info.regularization.weightDecay
            return wd > 0 ? WeightDecay(wd, mode) : .none
        }
        let chunks = self.chunks, params = self.params, config = self.config
        switch config.kind {
        case .sgd:
            let h = SGD.Hyper(lr: lr, momentum: momentum ?? config.momentum, dampening: config.dampening, nesterov: config.nesterov)
            sgd.withUnsafeMutableBufferPointer { states in
                pool.parallelFor(chunks.count) { c in
                    let (k, off, n) = chunks[c]
                    SGD.step(params[k].tensor.data + off, grads[k] + off, count: n, state: &states[c], hyper: h, decay: decays[k])
                }
            }
        case .adam, .adamw:
            let h = Adam.Hyper(lr: lr, beta1: momentum ?? config.beta1, beta2: config.beta2, eps: config.eps)
            adam.withUnsafeMutableBufferPointer { states in
                pool.parallelFor(chunks.count) { c in
                    let (k, off, n) = chunks[c]
                    Adam.step(params[k].tensor.data + off, grads[k] + off, count: n, state: &states[c], hyper: h, decay: decays[k])
                }
            }
        case .rmsprop:
            let h = RMSprop.Hyper(lr: lr, alpha: config.alpha, eps: config.eps, momentum: momentum ?? config.momentum,
                                  centered: config.centered, convention: config.convention == .keras ? .keras : .pytorch)
            rmsprop.withUnsafeMutableBufferPointer { states in
                pool.parallelFor(chunks.count) { c in
                    let (k, off, n) = chunks[c]
                    RMSprop.step(params[k].tensor.data + off, grads[k] + off, count: n, state: &states[c], hyper: h, decay: decays[k])
                }
            }
        case .lion:
            let h = Lion.Hyper(lr: lr, beta1: momentum ?? config.beta1, beta2: config.beta2)
            lion.withUnsafeMutableBufferPointer { states in
                pool.parallelFor(chunks.count) { c in
                    let (k, off, n) = chunks[c]
                    Lion.step(params[k].tensor.data + off, grads[k] + off, count: n, state: &states[c], hyper: h, decay: decays[k])
                }
            }
        }
        // Max-norm projects whole rows, after the update.
        for p in params {
            if let c = p.info.regularization.maxNorm, let rows = p.tensor.shape.first, rows > 0 {
                MaxNorm.project(p.tensor.data, rows: rows, cols: p.tensor.count / rows, maxNorm: Float(c))
            }
        }
    }

    /// Optimizer state as named tensors for `train_state.safetensors`
    /// (`<param>.momentum_buffer`, `<param>.exp_avg`, `<param>.exp_avg_sq`, `<param>.square_avg`,
    /// `<param>.grad_avg`, as PyTorch's and lion-pytorch's state).
    func stateTensors() -> [(String, [Int], [Float])] {
        var out: [(String, [Int], [Float])] = []
        for (k, p) in params.enumerated() {
            let mine = chunks.indices.filter { chunks[$0].param == k }
            if !sgd.isEmpty { out.append((p.info.name + ".momentum_buffer", p.info.shape, mine.flatMap { sgd[$0].buffer })) }
            if !adam.isEmpty {
                out.append((p.info.name + ".exp_avg", p.info.shape, mine.flatMap { adam[$0].m }))
                out.append((p.info.name + ".exp_avg_sq", p.info.shape, mine.flatMap { adam[$0].v }))
            }
            if !rmsprop.isEmpty {
                out.append((p.info.name + ".square_avg", p.info.shape, mine.flatMap { rmsprop[$0].squareAverage }))
                out.append((p.info.name + ".grad_avg", p.info.shape, mine.flatMap { rmsprop[$0].gradAverage }))
                out.append((p.info.name + ".momentum_buffer", p.info.shape, mine.flatMap { rmsprop[$0].buffer }))
            }
            if !lion.isEmpty { out.append((p.info.name + ".exp_avg", p.info.shape, mine.flatMap { lion[$0].m })) }
        }
        return out
    }

    /// Restores `stateTensors()` output and the step count.
    mutating func restore(_ tensors: [String: [Float]], steps: Int) throws {
        for (c, (k, off, n)) in chunks.enumerated() {
            let p = params[k]
            func get(_ suffix: String) throws -> [Float] {
                guard let v = tensors[p.info.name + suffix], v.count == p.tensor.count else {
                    throw TrainError.checkpoint("train state has no \(p.info.name + suffix) of \(p.tensor.count) values")
                }
                return Array(v[off..<(off + n)])
            }
            if !sgd.isEmpty { sgd[c] = SGD.State(buffer: try get(".momentum_buffer"), steps: steps) }
            if !adam.isEmpty { adam[c] = Adam.State(m: try get(".exp_avg"), v: try get(".exp_avg_sq"), steps: steps) }
            if !rmsprop.isEmpty {
                rmsprop[c] = RMSprop.State(squareAverage: try get(".square_avg"), gradAverage: try get(".grad_avg"),
                                           buffer: try get(".momentum_buffer"), steps: steps)
            }
            if !lion.isEmpty { lion[c] = Lion.State(m: try get(".exp_avg"), steps: steps) }
        }
    }
}

/// The spec's schedule on the runtime's schedule functions.
struct Schedule {
    let base: Double
    let function: LRSchedule
    var plateau: ReduceOnPlateau?
    var plateauMonitor: String?
    /// Learning rate after plateau reductions (plateau schedules only).
    var plateauLR: Double

    init(_ training: TrainingConfig, epochs: Int, stepsPerEpoch: Int) {
        base = training.optimizer.lr
        plateauLR = base
        plateau = nil
        plateauMonitor = nil
        switch training.schedule {
        case .constant: function = .constant
        case .step(let s, let g): function = .step(stepSize: s, gamma: g)
        case .multiStep(let m, let g): function = .multiStep(milestones: m, gamma: g)
        case .exponential(let g): function = .exponential(gamma: g)
        case .cosine(let w, let f, let minLR):
            function = .cosine(totalSteps: max(1, epochs * stepsPerEpoch), warmupSteps: w, warmupStartFactor: f, minLR: minLR)
        case .oneCycle(let maxLR, let pct, let div, let finalDiv, let cycle):
            function = .oneCycle(OneCycle(maxLR: maxLR, totalSteps: max(1, epochs * stepsPerEpoch), pctStart: pct,
                                          divFactor: div, finalDivFactor: finalDiv, cycleMomentum: cycle))
        case .reduceOnPlateau(let monitor, let factor, let patience, let threshold, let cooldown, let minLR):
            function = .constant
            plateau = ReduceOnPlateau(convention: .pytorch, maximize: monitor.hasSuffix("accuracy"), factor: factor,
                                      patience: patience, threshold: threshold, cooldown: cooldown, minLR: minLR)
            plateauMonitor = monitor
        }
    }

    /// Learning rate for optimizer step `step` (0-based) in epoch `epoch` (0-based).
    func lr(step: Int, epoch: Int) -> Double {
        if plateau != nil { return plateauLR }
        return function.learningRate(base: base, at: function.stepsPerBatch ? step : epoch)
    }

    func momentum(step: Int) -> Double? { function.momentum(at: step) }
}
