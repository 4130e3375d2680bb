import Check
import IR
import Runtime
import Training

/// Sequence ops: embedding, whole-sequence LSTM/GRU (batch-first, PyTorch parameter layout and
/// gate order) and multi-head self-attention (`nn.MultiheadAttention` parameters).
///
/// The recurrent workspace layout and every recurrent mask (input, recurrent, zoneout; the op's
/// key, one stream per step) are documented on the runtime's `RecurrentLayer`, which runs them
/// for both the interpreter and generated code. Attention dropout keeps weight (n, h, i, j) iff
/// u(((n·H + h)·T + i)·T + j) < 1−p (inverted). Backward regenerates every mask from the key.
extension ExecutorOps {
    static func isSequenceOp(_ op: Op) -> Bool {
        switch op {
        case .embedding, .embeddingBackward, .lstm, .lstmBackward, .gru, .gruBackward, .attention, .attentionBackward,
             .sequencePool, .sequencePoolBackward, .positionalEncoding:
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
        case .sequencePool(let m):                          // [N, T, F] → [N, F]
            let s = e.shape(i[0])
            SequencePool.forward(Self.poolMode(m), batch: s[0], steps: s[1], features: s[2], x: ptr(i[0]), y: ptr(o[0]))
        case .sequencePoolBackward(let m):                  // [dy, x] → dx
            let s = e.shape(i[1])
            SequencePool.backward(Self.poolMode(m), batch: s[0], steps: s[1], features: s[2], x: ptr(i[1]), dy: ptr(i[0]), dx: ptr(o[0]))
        case .positionalEncoding:                           // x + PE
            let s = e.shape(i[0])
            PositionalEncoding.add(batch: s[0], steps: s[1], features: s[2], table: PositionalEncoding.table(steps: s[1], features: s[2]),
                                   x: ptr(i[0]), y: ptr(o[0]))
        case .attention(let a):
            SelfAttention(a, e: e, x: i[0]).forward(i, o, ptr)
        case .attentionBackward(let a):
            SelfAttention(a, e: e, x: i[1]).backward(i, o, ptr)
        default:
            return false
        }
        return true
    }

    static func poolMode(_ m: Check.SequencePoolMode) -> SequencePool.Mode {
        switch m {
        case .mean: return .mean
        case .max: return .max
        case .first: return .first
        }
    }
}

/// One recurrent layer run: the IR op's attributes and value geometry handed to the runtime's
/// `RecurrentLayer` (shared with generated code, which is why the driver logic lives there).
struct Recurrent {
    let layer: RecurrentLayer
    let directions: Int

    init(_ a: RecurrentAttrs, cell: RecurrentLayer.Cell, e: Executor, x: ValueID) {
        let s = e.shape(x)
        directions = a.directions
        layer = RecurrentLayer(cell: cell, shape: RecurrentShape(batch: s[0], steps: s[1], input: s[2], hidden: a.units),
                               directions: a.directions, returnSequences: a.returnSequences,
                               dropout: a.dropout, recurrentDropout: a.recurrentDropout, zoneout: a.zoneout,
                               stream: a.train ? a.key.map(e.random) : nil, pool: e.pool,
                               scratch: { e.scratch($0, $1).data })
    }

    /// [x, params…] → [y, workspace] (train) or [y] (eval).
    func forward(_ i: [ValueID], _ o: [ValueID], _ ptr: ExecutorOps.Ptr) {
        layer.forward(x: ptr(i[0]), params: i.dropFirst().map { UnsafePointer(ptr($0)) }, y: ptr(o[0]),
                      workspace: o.count > 1 ? ptr(o[1]) : nil)
    }

    /// [dy, x, params…, y, workspace] → [dx, dparams…].
    func backward(_ i: [ValueID], _ o: [ValueID], _ ptr: ExecutorOps.Ptr) {
        layer.backward(dy: ptr(i[0]), x: ptr(i[1]), params: i[2..<(i.count - 2)].map { UnsafePointer(ptr($0)) },
                       workspace: ptr(i[i.count - 1]), dx: ptr(o[0]), gradients: o.dropFirst().map { Optional(ptr($0)) })
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
        TokenIDs.convert(staging.data, into: int32Pointer(v), count: count(v))
    }
}
