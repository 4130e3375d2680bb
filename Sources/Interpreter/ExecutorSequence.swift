import Check
import IR
import Runtime

/// Sequence ops: embedding, whole-sequence LSTM/GRU (batch-first, PyTorch parameter layout and
/// gate order) and multi-head self-attention (`nn.MultiheadAttention` parameters).
///
/// Recurrent workspace (the IR's second output, `[N, T, dirs·k·H]`, k = 6 for LSTM and 5 for
/// GRU) is used per direction as one contiguous block of `N·T·k·H` floats: the kernel's cache
/// (`LSTM.cacheCount`/`GRU.cacheCount`) followed by the direction's full hidden sequence
/// `[N, T, H]` (the layer's output may keep only the last step). The reverse direction runs the
/// same kernel on the time-reversed input.
///
/// Randomness (the op's key, one stream per step): variational input dropout (Gal & Ghahramani
/// 2016) keeps feature f of sample n in direction d iff u(d·N·I + n·I + f) < 1−p (the runtime's
/// `fillBernoulli` test), the same mask at
/// every step; the kernel draws recurrent-dropout and zoneout masks from the same stream at
/// offsets past those (`RecurrentMasks`). Attention dropout keeps weight (n, h, i, j) iff
/// u(((n·H + h)·T + i)·T + j) < 1−p (inverted). Backward regenerates every mask from the key.
extension ExecutorOps {
    static func isSequenceOp(_ op: Op) -> Bool {
        switch op {
        case .embedding, .embeddingBackward, .lstm, .lstmBackward, .gru, .gruBackward, .attention, .attentionBackward:
            return true
        default:
            return false
        }
    }

    static func runSequence(_ op: Op, _ i: [ValueID], _ o: [ValueID], _ ptr: Ptr, _ e: Executor) -> Bool {
        switch op {
        case .embedding:                            // [ids i32[N, T], table [V, D]] → [N, T, D]
            let table = e.shape(i[1])
            Embedding.forward(count: e.count(i[0]), dim: table[1], vocabulary: table[0], table: ptr(i[1]),
                              indices: e.int32Pointer(i[0]), y: ptr(o[0]))
        case .embeddingBackward(let vocab):         // [dy, ids] → dtable (scatter-add)
            let d = e.shape(o[0])[1]
            Embedding.backward(count: e.count(i[1]), dim: d, vocabulary: vocab, indices: e.int32Pointer(i[1]),
                               dy: ptr(i[0]), dtable: ptr(o[0]), pool: e.pool)
        case .lstm(let a):
            Recurrent(a, cell: .lstm, e: e, x: i[0]).forward(i, o, ptr)
        case .gru(let a):
            Recurrent(a, cell: .gru, e: e, x: i[0]).forward(i, o, ptr)
        case .lstmBackward(let a):
            Recurrent(a, cell: .lstm, e: e, x: i[1]).backward(i, o, ptr)
        case .gruBackward(let a):
            Recurrent(a, cell: .gru, e: e, x: i[1]).backward(i, o, ptr)
        case .attention(let a):
            SelfAttention(a, e: e, x: i[0]).forward(i, o, ptr)
        case .attentionBackward(let a):
            SelfAttention(a, e: e, x: i[1]).backward(i, o, ptr)
        default:
            return false
        }
        return true
    }

    /// The variational dropout mask of one direction's input ([N, I], 0 or 1/q), or nil when
    /// inactive (eval graphs, p = 0).
    static func inputMask(_ a: RecurrentAttrs, direction: Int, batch n: Int, features f: Int, _ e: Executor) -> Tensor? {
        guard a.train, a.dropout > 0, let key = a.key else { return nil }
        let q = Float(1 - a.dropout), scale: Float = q > 0 ? 1 / q : 0
        let m = e.scratch("sequence.input-mask", n * f)
        e.random(key).fillBernoulli(m.data, count: n * f, keep: q, value: scale, offset: direction * n * f, threads: e.pool.threads)
        return m
    }
}

/// One recurrent layer run: geometry, per-direction parameters and the workspace layout.
struct Recurrent {
    enum Cell { case lstm, gru }
    let a: RecurrentAttrs
    let cell: Cell
    let e: Executor
    let n: Int, steps: Int, features: Int, h: Int

    init(_ a: RecurrentAttrs, cell: Cell, e: Executor, x: ValueID) {
        let s = e.shape(x)
        self.a = a; self.cell = cell; self.e = e
        n = s[0]; steps = s[1]; features = s[2]; h = a.units
    }

    var shape: RecurrentShape { RecurrentShape(batch: n, steps: steps, input: features, hidden: h) }
    var cacheCount: Int { cell == .lstm ? LSTM.cacheCount(shape) : GRU.cacheCount(shape) }
    /// Floats per direction in the workspace: the kernel cache and the hidden sequence.
    var block: Int { cacheCount + n * steps * h }

    /// Whether the run needs the regularized kernels (recurrent dropout or zoneout).
    var regularized: Bool { a.recurrentDropout > 0 || a.zoneout > 0 }

    /// Recurrent-dropout and zoneout masks of direction d, drawn from the op's stream past the
    /// input masks: recurrent unit (n, j) kept iff u(R + d·N·H + n·H + j) < 1−q_r, R = dirs·N·I;
    /// zoneout keeps the old c (h) iff u(Z + d·2·N·T·H + k) < z (u(Z + … + N·T·H + k) for h),
    /// Z = R + dirs·N·H, k = (n·T + t)·H + j (GRU reads only the h weights). Eval: no recurrent mask, zoneout weight z everywhere.
    func masks(_ d: Int) -> RecurrentMaskSet {
        var set = RecurrentMaskSet()
        let nh = n * h, nth = n * steps * h
        let r = a.directions * n * features, z = r + a.directions * nh
        if a.train, let key = a.key {
            let stream = e.random(key)
            if a.recurrentDropout > 0 {
                let q = Float(1 - a.recurrentDropout), scale: Float = q > 0 ? 1 / q : 0
                let m = e.scratch("sequence.recurrent-mask", nh)
                stream.fillBernoulli(m.data, count: nh, keep: q, value: scale, offset: r + d * nh, threads: e.pool.threads)
                set.recurrent = m
            }
            if a.zoneout > 0 {
                let p = Float(a.zoneout), c = e.scratch("sequence.zone-cell", nth), hz = e.scratch("sequence.zone-hidden", nth)
                if cell == .lstm {
                    stream.fillBernoulli(c.data, count: nth, keep: p, offset: z + d * 2 * nth, threads: e.pool.threads)
                }
                stream.fillBernoulli(hz.data, count: nth, keep: p, offset: z + d * 2 * nth + nth, threads: e.pool.threads)
                set.zoneCell = c; set.zoneHidden = hz
            }
        } else if a.zoneout > 0 {
            let c = e.scratch("sequence.zone-cell", nth)
            c.data.update(repeating: Float(a.zoneout), count: nth)
            set.zoneCell = c; set.zoneHidden = c
        }
        return set
    }

    /// x of direction d as the kernel reads it: time-reversed for d = 1, masked by the input mask.
    func directionInput(_ x: UnsafePointer<Float>, _ d: Int, mask: Tensor?, into buf: UnsafeMutablePointer<Float>) {
        let f = features
        for b in 0..<n {
            for t in 0..<steps {
                let src = x + (b * steps + (d == 1 ? steps - 1 - t : t)) * f, dst = buf + (b * steps + t) * f
                if let m = mask?.data { for j in 0..<f { dst[j] = src[j] * m[b * f + j] } } else { dst.update(from: src, count: f) }
            }
        }
    }

    /// Parameters of direction d: (wIh, wHh, bIh?, bHh?); 4 per direction with biases, else 2.
    func params(_ list: ArraySlice<ValueID>, _ d: Int) -> (ValueID, ValueID, ValueID?, ValueID?) {
        let per = list.count / a.directions, p = Array(list)[(d * per)..<((d + 1) * per)].map { $0 }
        return (p[0], p[1], per >= 4 ? p[2] : nil, per >= 4 ? p[3] : nil)
    }

    /// [x, params…] → [y, workspace] (train) or [y] (eval).
    func forward(_ i: [ValueID], _ o: [ValueID], _ ptr: ExecutorOps.Ptr) {
        let scratch = e.scratch("sequence.forward", n * steps * features + (o.count > 1 ? 0 : block))
        let xd = scratch.data, width = a.directions * h
        let y = ptr(o[0])
        for d in 0..<a.directions {
            let ws = o.count > 1 ? ptr(o[1]) + d * block : scratch.data + n * steps * features
            let cache = ws, seq = ws + cacheCount
            directionInput(ptr(i[0]), d, mask: ExecutorOps.inputMask(a, direction: d, batch: n, features: features, e), into: xd)
            let (wIh, wHh, bIh, bHh) = params(i[1...], d)
            switch cell {
            case .lstm where regularized:
                let m = masks(d)
                withExtendedLifetime(m) {
                    LSTM.forward(shape, x: xd, wIh: ptr(wIh), wHh: ptr(wHh), bIh: bIh.map(ptr), bHh: bHh.map(ptr),
                                 masks: m.pointers, y: seq, cache: cache, pool: e.pool)
                }
            case .lstm:
                LSTM.forward(shape, x: xd, wIh: ptr(wIh), wHh: ptr(wHh), bIh: bIh.map(ptr), bHh: bHh.map(ptr),
                             h0: nil, c0: nil, y: seq, hN: nil, cN: nil, cache: cache, pool: e.pool)
            case .gru where regularized:
                let m = masks(d)
                withExtendedLifetime(m) {
                    GRU.forward(shape, x: xd, wIh: ptr(wIh), wHh: ptr(wHh), bIh: bIh.map(ptr), bHh: bHh.map(ptr),
                                masks: m.pointers, y: seq, cache: cache, pool: e.pool)
                }
            case .gru:
                GRU.forward(shape, x: xd, wIh: ptr(wIh), wHh: ptr(wHh), bIh: bIh.map(ptr), bHh: bHh.map(ptr),
                            h0: nil, y: seq, hN: nil, cache: cache, pool: e.pool)
            }
            for b in 0..<n {
                if a.returnSequences {
                    for t in 0..<steps {
                        let src = seq + (b * steps + (d == 1 ? steps - 1 - t : t)) * h
                        (y + (b * steps + t) * width + d * h).update(from: src, count: h)
                    }
                } else {
                    // The final state of each direction (PyTorch h_n, Keras Bidirectional).
                    (y + b * width + d * h).update(from: seq + (b * steps + steps - 1) * h, count: h)
                }
            }
        }
    }

    /// [dy, x, params…, y, workspace] → [dx, dparams…].
    func backward(_ i: [ValueID], _ o: [ValueID], _ ptr: ExecutorOps.Ptr) {
        let rows = n * steps, width = a.directions * h
        let scratch = e.scratch("sequence.backward", 2 * rows * features + rows * h)
        let xd = scratch.data, dxd = xd + rows * features, dseq = dxd + rows * features
        let dy = ptr(i[0]), dx = ptr(o[0]), ws0 = ptr(i[i.count - 1])
        let paramIns = i[2..<(i.count - 2)], paramOuts = o[1...]
        for d in 0..<a.directions {
            let ws = ws0 + d * block, cache = ws, seq = ws + cacheCount
            dseq.update(repeating: 0, count: rows * h)
            for b in 0..<n {
                if a.returnSequences {
                    for t in 0..<steps {
                        let dst = dseq + (b * steps + (d == 1 ? steps - 1 - t : t)) * h
                        dst.update(from: dy + (b * steps + t) * width + d * h, count: h)
                    }
                } else {
                    (dseq + (b * steps + steps - 1) * h).update(from: dy + b * width + d * h, count: h)
                }
            }
            let mask = ExecutorOps.inputMask(a, direction: d, batch: n, features: features, e)
            directionInput(ptr(i[1]), d, mask: mask, into: xd)
            let (wIh, wHh, bIh, bHh) = params(paramIns, d)
            let (gIh, gHh, gbIh, gbHh) = params(paramOuts, d)
            switch cell {
            case .lstm where regularized:
                let m = masks(d)
                withExtendedLifetime(m) {
                    LSTM.backward(shape, x: xd, wIh: ptr(wIh), wHh: ptr(wHh), masks: m.pointers, y: seq, cache: cache, dy: dseq,
                                  dx: dxd, dwIh: ptr(gIh), dwHh: ptr(gHh), dbIh: gbIh.map(ptr), dbHh: gbHh.map(ptr), pool: e.pool)
                }
            case .lstm:
                LSTM.backward(shape, x: xd, wIh: ptr(wIh), wHh: ptr(wHh), h0: nil, c0: nil, y: seq, cache: cache,
                              dy: dseq, dhN: nil, dcN: nil, dx: dxd, dwIh: ptr(gIh), dwHh: ptr(gHh),
                              dbIh: gbIh.map(ptr), dbHh: gbHh.map(ptr), dh0: nil, dc0: nil, pool: e.pool)
            case .gru where regularized:
                let m = masks(d)
                withExtendedLifetime(m) {
                    GRU.backward(shape, x: xd, wIh: ptr(wIh), wHh: ptr(wHh), masks: m.pointers, y: seq, cache: cache, dy: dseq,
                                 dx: dxd, dwIh: ptr(gIh), dwHh: ptr(gHh), dbIh: gbIh.map(ptr), dbHh: gbHh.map(ptr), pool: e.pool)
                }
            case .gru:
                GRU.backward(shape, x: xd, wIh: ptr(wIh), wHh: ptr(wHh), h0: nil, y: seq, cache: cache,
                             dy: dseq, dhN: nil, dx: dxd, dwIh: ptr(gIh), dwHh: ptr(gHh),
                             dbIh: gbIh.map(ptr), dbHh: gbHh.map(ptr), dh0: nil, pool: e.pool)
            }
            _ = bIh; _ = bHh
            // dx: undo the mask and the time reversal; the directions add.
            let f = features
            for b in 0..<n {
                for t in 0..<steps {
                    let src = dxd + (b * steps + t) * f, dst = dx + (b * steps + (d == 1 ? steps - 1 - t : t)) * f
                    for j in 0..<f {
                        let g = src[j] * (mask?.data[b * f + j] ?? 1)
                        dst[j] = d == 0 ? g : dst[j] + g
                    }
                }
            }
        }
    }
}

/// Mask tensors of one direction (kept alive while the kernel reads their pointers).
struct RecurrentMaskSet {
    var recurrent: Tensor?
    var zoneCell: Tensor?
    var zoneHidden: Tensor?
    var pointers: RecurrentMasks {
        RecurrentMasks(recurrent: recurrent.map { UnsafePointer($0.data) }, zoneCell: zoneCell.map { UnsafePointer($0.data) },
                  zoneHidden: zoneHidden.map { UnsafePointer($0.data) })
    }
}

extension ExecutorOps {
    /// Rejects, before anything runs, a sequence op the kernels cannot run as the IR asks: the
    /// interpreter never ignores a regularizer silently. (Every recurrent regularizer the IR
    /// carries is implemented today; this is where a new attribute must be refused until it is.)
    static func checkSequence(_ node: Node) throws {
        switch node.op {
        case .lstm(let a), .gru(let a), .lstmBackward(let a), .gruBackward(let a):
            guard a.units > 0, a.dropout < 1, a.recurrentDropout < 1, a.zoneout < 1 else {
                let at = node.origin?.range.map { " at line \($0.start.line)" } ?? ""
                throw TrainError.unsupported("\(node.origin?.kind ?? "recurrent layer") '\(node.origin?.path ?? "?")'\(at): dropout, recurrent_dropout and zoneout must be below 1")
            }
        default:
            break
        }
    }
}

extension Executor {
    /// A work buffer of at least `count` floats for `purpose`, kept across runs so the sequence
    /// ops allocate nothing per step once warm; contents are undefined. Ops run one at a time
    /// and each uses distinct purposes, so no two live uses share a buffer.
    func scratch(_ purpose: String, _ count: Int) -> Tensor {
        if let t = scratchBuffers[purpose], t.count >= count { return t }
        let t = Tensor(shape: [max(count, 1)])
        scratchBuffers[purpose] = t
        return t
    }

    /// Converts the staged float token ids of this batch into the int32 data input.
    func stageTokens() {
        guard let staging = tokenStaging, let v = graph.input(.data) else { return }
        let ids = int32Pointer(v), src = staging.data
        for j in 0..<count(v) { ids[j] = Int32(src[j]) }
    }
}

extension DataSource {
    /// Token ids must be whole numbers in 0..<vocab of the model's embedding (checked up front,
    /// so a bad id is a data error, not a crash mid-training).
    static func checkTokens(_ d: Dataset, _ model: CheckedModel) throws {
        var vocab = Int(Int32.max)
        for node in model.nodes { if case .embedding(let v, _) = node.op { vocab = min(vocab, v) } }
        let per = d.elementsPerExample
        for i in d.range {
            for j in 0..<per {
                let x: Float
                switch d.inputs {
                case .float(let xs): x = xs[i * per + j]
                case .uint8(let b, let offset): x = Float(b.base[offset + i * per + j])
                }
                guard x >= 0, x < Float(vocab), x == x.rounded() else {
                    throw TrainError.data("\(d.source): example \(i - d.range.lowerBound) has token id \(x), outside 0..<\(vocab) (the model's embedding vocabulary)")
                }
            }
        }
    }
}
