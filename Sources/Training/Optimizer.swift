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
    let config: OptimizerRecipe
    let clipNorm: Double?
    let params: [TrainableTensor]
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

    /// Gradient noise and the seed its draws are keyed by.
    let noise: (GradientNoise, seed: UInt64)?
    /// Where each parameter's elements start in the numbering of the noise draws.
    let noiseOffsets: [Int]
    /// Each parameter's gradient and decay, fixed for the run (read on every step); a scheduled
    /// decay's entry is replaced at each step by its value in the model's table.
    let grads: [UnsafeMutablePointer<Float>]
    let decays: [WeightDecay]
    /// The parameters whose decay is scheduled, and each one's slot in the table.
    let decaySlots: [(param: Int, slot: Int)]

    init(config: OptimizerRecipe, clipNorm: Double?, params: [TrainableTensor], pool: ThreadPool,
         noise: (GradientNoise, seed: UInt64)? = nil) {
        self.config = config
        self.clipNorm = clipNorm
        self.params = params
        self.pool = pool
        self.noise = noise
        var offsets: [Int] = [], total = 0
        for p in params { offsets.append(total); total += p.tensor.count }
        noiseOffsets = offsets
        grads = params.map(\.gradient)
        decays = params.map { $0.weightDecay > 0 ? WeightDecay($0.weightDecay, config.decay) : .none }
        decaySlots = params.enumerated().compactMap { k, p in p.weightDecaySlot.map { (k, $0) } }
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
        case .adam: adam = chunks.map { Adam.makeState(count: $0.2) }
        case .rmsprop: rmsprop = chunks.map { RMSprop.makeState(count: $0.2) }
        case .lion: lion = chunks.map { Lion.makeState(count: $0.2) }
        }
    }

    var steps: Int { sgd.first?.steps ?? adam.first?.steps ?? rmsprop.first?.steps ?? lion.first?.steps ?? 0 }

    /// One step on the gradients the model's `trainStep` left; `momentum` overrides SGD's
    /// momentum or Adam's β₁ (one-cycle momentum cycling); `scheduled` is the model's table of
    /// scheduled values at this step, where a scheduled weight decay reads λ(step).
    mutating func step(lr: Double, momentum: Double? = nil, scheduled: UnsafePointer<Double>? = nil) {
        if let c = clipNorm {
            GradientClipping.clipGlobalNorm(params.map { UnsafeMutableBufferPointer(start: $0.gradient, count: $0.tensor.count) }, maxNorm: c)
        }
        let chunks = self.chunks, params = self.params, config = self.config, decays = decays(scheduled), grads = self.grads
        if let (n, seed) = noise {
            // Keyed by (seed, step, element), so the draws do not depend on the chunking or threads.
            let random = RandomStream(seed: seed, step: UInt64(steps), stream: RandomStream.gradientNoise)
            let std = n.std(step: steps), offsets = noiseOffsets
            pool.parallelFor(chunks.count) { c in
                let (k, off, count) = chunks[c]
                random.addNormal(grads[k] + off, count: count, std: std, offset: offsets[k] + off)
            }
        }
        switch config.kind {
        case .sgd:
            let h = SGD.Hyper(lr: lr, momentum: momentum ?? config.momentum, dampening: config.dampening, nesterov: config.nesterov)
            sgd.withUnsafeMutableBufferPointer { states in
                pool.parallelFor(chunks.count) { c in
                    let (k, off, n) = chunks[c]
                    SGD.step(params[k].tensor.data + off, grads[k] + off, count: n, state: &states[c], hyper: h, decay: decays[k])
                }
            }
        case .adam:
            let h = Adam.Hyper(lr: lr, beta1: momentum ?? config.beta1, beta2: config.beta2, eps: config.eps)
            adam.withUnsafeMutableBufferPointer { states in
                pool.parallelFor(chunks.count) { c in
                    let (k, off, n) = chunks[c]
                    Adam.step(params[k].tensor.data + off, grads[k] + off, count: n, state: &states[c], hyper: h, decay: decays[k])
                }
            }
        case .rmsprop:
            let h = RMSprop.Hyper(lr: lr, alpha: config.alpha, eps: config.eps, momentum: momentum ?? config.momentum,
                                  centered: config.centered, convention: config.convention)
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
            if let c = p.maxNorm, let rows = p.tensor.shape.first, rows > 0 {
                MaxNorm.project(p.tensor.data, rows: rows, cols: p.tensor.count / rows, maxNorm: Float(c))
            }
        }
    }

    /// Each parameter's decay at this step: `decays`, a scheduled one at its value in the table.
    func decays(_ scheduled: UnsafePointer<Double>?) -> [WeightDecay] {
        guard !decaySlots.isEmpty else { return decays }
        guard let scheduled else { preconditionFailure("a scheduled weight decay without the model's table of scheduled values") }
        var out = decays
        for (k, slot) in decaySlots { out[k] = WeightDecay(scheduled[slot], config.decay) }
        return out
    }

    /// Optimizer state as named tensors for `train_state.safetensors`
    /// (`<param>.momentum_buffer`, `<param>.exp_avg`, `<param>.exp_avg_sq`, `<param>.square_avg`,
    /// `<param>.grad_avg`, as PyTorch's and lion-pytorch's state).
    func stateTensors() -> [(String, [Int], [Float])] {
        var out: [(String, [Int], [Float])] = []
        for (k, p) in params.enumerated() {
            let mine = chunks.indices.filter { chunks[$0].param == k }
            if !sgd.isEmpty { out.append((p.name + ".momentum_buffer", p.tensor.shape, mine.flatMap { sgd[$0].buffer })) }
            if !adam.isEmpty {
                out.append((p.name + ".exp_avg", p.tensor.shape, mine.flatMap { adam[$0].m }))
                out.append((p.name + ".exp_avg_sq", p.tensor.shape, mine.flatMap { adam[$0].v }))
            }
            if !rmsprop.isEmpty {
                out.append((p.name + ".square_avg", p.tensor.shape, mine.flatMap { rmsprop[$0].squareAverage }))
                out.append((p.name + ".grad_avg", p.tensor.shape, mine.flatMap { rmsprop[$0].gradAverage }))
                out.append((p.name + ".momentum_buffer", p.tensor.shape, mine.flatMap { rmsprop[$0].buffer }))
            }
            if !lion.isEmpty { out.append((p.name + ".exp_avg", p.tensor.shape, mine.flatMap { lion[$0].m })) }
        }
        return out
    }

    /// Restores `stateTensors()` output and the step count.
    mutating func restore(_ tensors: [String: [Float]], steps: Int) throws {
        for (c, (k, off, n)) in chunks.enumerated() {
            let p = params[k]
            func get(_ suffix: String) throws -> [Float] {
                guard let v = tensors[p.name + suffix], v.count == p.tensor.count else {
                    throw TrainError.checkpoint("train state has no \(p.name + suffix) of \(p.tensor.count) values")
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

