/// Work buffers kept across runs, by purpose, so a layer allocates nothing per step once warm.
/// Contents are undefined between uses; each purpose has one live user at a time.
public final class ScratchBuffers {
    private var buffers: [String: Tensor] = [:]

    public init() {}

    /// A buffer of at least `count` floats for `purpose`.
    public func buffer(_ purpose: String, _ count: Int) -> UnsafeMutablePointer<Float> {
        if let t = buffers[purpose], t.count >= count { return t.data }
        let t = Tensor(shape: [max(count, 1)])
        buffers[purpose] = t
        return t.data
    }
}

/// A whole-sequence recurrent layer (batch-first, PyTorch parameter layout and gate order, one
/// or two directions) with its three regularizers, around the `LSTM`/`GRU` kernels. Shared by
/// the interpreter and the code `regula compile` emits, so both draw the same masks.
///
/// Workspace (`[N, T, dirs·k·H]`, k = 6 for LSTM and 5 for GRU) is used per direction as one
/// block of `N·T·k·H` floats: the kernel's cache followed by the direction's hidden sequence
/// `[N, T, H]`. The reverse direction runs the kernel on the time-reversed input.
///
/// Masks (one keyed stream per step; nil stream = eval or no key): variational input dropout
/// (Gal & Ghahramani 2016) keeps feature f of sample n in direction d iff
/// u(d·N·I + n·I + f) < 1−p, the same mask at every step; recurrent unit (n, j) kept iff
/// u(R + d·N·H + n·H + j) < 1−q_r, R = dirs·N·I; zoneout (Krueger et al. 2017) keeps the old c
/// (h) iff u(Z + d·2·N·T·H + k) < z (u(Z + … + N·T·H + k) for h), Z = R + dirs·N·H,
/// k = (n·T + t)·H + j (GRU reads only the h draws). Eval: no masks, zoneout weight z everywhere.
/// Backward regenerates every mask from the stream.
public struct RecurrentLayer {
    public enum Cell: Sendable { case lstm, gru }
    public let cell: Cell
    public let shape: RecurrentShape
    public let directions: Int
    public let returnSequences: Bool
    public let dropout: Double, recurrentDropout: Double, zoneout: Double
    /// The op's keyed stream at this step; nil in evaluation (or with no key).
    public let stream: RandomStream?
    public let pool: ThreadPool
    public let scratch: (String, Int) -> UnsafeMutablePointer<Float>

    public init(cell: Cell, shape: RecurrentShape, directions: Int, returnSequences: Bool,
                dropout: Double, recurrentDropout: Double, zoneout: Double, stream: RandomStream?,
                pool: ThreadPool, scratch: @escaping (String, Int) -> UnsafeMutablePointer<Float>) {
        self.cell = cell; self.shape = shape; self.directions = directions; self.returnSequences = returnSequences
        self.dropout = dropout; self.recurrentDropout = recurrentDropout; self.zoneout = zoneout
        self.stream = stream; self.pool = pool; self.scratch = scratch
    }

    var n: Int { shape.batch }
    var steps: Int { shape.steps }
    var features: Int { shape.input }
    var h: Int { shape.hidden }
    public var cacheCount: Int { cell == .lstm ? LSTM.cacheCount(shape) : GRU.cacheCount(shape) }
    /// Floats per direction in the workspace: the kernel cache and the hidden sequence.
    public var block: Int { cacheCount + n * steps * h }
    var regularized: Bool { recurrentDropout > 0 || zoneout > 0 }

    /// The variational dropout mask of direction d's input ([N, I], 0 or 1/q), or nil when inactive.
    func inputMask(_ d: Int) -> UnsafeMutablePointer<Float>? {
        guard dropout > 0, let stream else { return nil }
        let q = Float(1 - dropout), scale: Float = q > 0 ? 1 / q : 0
        let m = scratch("sequence.input-mask", n * features)
        stream.fillBernoulli(m, count: n * features, keep: q, value: scale, offset: d * n * features, pool: pool)
        return m
    }

    /// Recurrent-dropout and zoneout masks of direction d (layout in the type's doc).
    func masks(_ d: Int) -> RecurrentMasks {
        var set = RecurrentMasks()
        let nh = n * h, nth = n * steps * h
        let r = directions * n * features, z = r + directions * nh
        if let stream {
            if recurrentDropout > 0 {
                let q = Float(1 - recurrentDropout), scale: Float = q > 0 ? 1 / q : 0
                let m = scratch("sequence.recurrent-mask", nh)
                stream.fillBernoulli(m, count: nh, keep: q, value: scale, offset: r + d * nh, pool: pool)
                set.recurrent = UnsafePointer(m)
            }
            if zoneout > 0 {
                let p = Float(zoneout), c = scratch("sequence.zone-cell", nth), hz = scratch("sequence.zone-hidden", nth)
                if cell == .lstm {
                    stream.fillBernoulli(c, count: nth, keep: p, offset: z + d * 2 * nth, pool: pool)
                }
                stream.fillBernoulli(hz, count: nth, keep: p, offset: z + d * 2 * nth + nth, pool: pool)
                set.zoneCell = UnsafePointer(c); set.zoneHidden = UnsafePointer(hz)
            }
        } else if zoneout > 0 {
            let c = scratch("sequence.zone-cell", nth)
            c.update(repeating: Float(zoneout), count: nth)
            set.zoneCell = UnsafePointer(c); set.zoneHidden = UnsafePointer(c)
        }
        return set
    }

    /// x of direction d as the kernel reads it: time-reversed for d = 1, masked by the input mask.
    func directionInput(_ x: UnsafePointer<Float>, _ d: Int, mask: UnsafeMutablePointer<Float>?, into buf: UnsafeMutablePointer<Float>) {
        let f = features
        for b in 0..<n {
            for t in 0..<steps {
                let src = x + (b * steps + (d == 1 ? steps - 1 - t : t)) * f, dst = buf + (b * steps + t) * f
                if let m = mask { for j in 0..<f { dst[j] = src[j] * m[b * f + j] } } else { dst.update(from: src, count: f) }
            }
        }
    }

    /// Parameters of direction d: (wIh, wHh, bIh?, bHh?); 4 per direction with biases, else 2.
    func params<P>(_ list: [P], _ d: Int) -> (P, P, P?, P?) {
        let per = list.count / directions, p = Array(list[(d * per)..<((d + 1) * per)])
        return (p[0], p[1], per >= 4 ? p[2] : nil, per >= 4 ? p[3] : nil)
    }

    /// x [N, T, I], params (per direction wIh, wHh[, bIh, bHh]) → y ([N, T, dirs·H] or [N, dirs·H]);
    /// `workspace` nil in evaluation (a scratch block is used).
    public func forward(x: UnsafePointer<Float>, params list: [UnsafePointer<Float>], y: UnsafeMutablePointer<Float>,
                        workspace: UnsafeMutablePointer<Float>?) {
        let xd = scratch("sequence.forward", n * steps * features + (workspace != nil ? 0 : block))
        let width = directions * h
        for d in 0..<directions {
            let ws = workspace.map { $0 + d * block } ?? xd + n * steps * features
            let cache = ws, seq = ws + cacheCount
            directionInput(x, d, mask: inputMask(d), into: xd)
            let (wIh, wHh, bIh, bHh) = params(list, d)
            switch cell {
            case .lstm where regularized:
                LSTM.forward(shape, x: xd, wIh: wIh, wHh: wHh, bIh: bIh, bHh: bHh, masks: masks(d), y: seq, cache: cache, pool: pool)
            case .lstm:
                LSTM.forward(shape, x: xd, wIh: wIh, wHh: wHh, bIh: bIh, bHh: bHh,
                             h0: nil, c0: nil, y: seq, hN: nil, cN: nil, cache: cache, pool: pool)
            case .gru where regularized:
                GRU.forward(shape, x: xd, wIh: wIh, wHh: wHh, bIh: bIh, bHh: bHh, masks: masks(d), y: seq, cache: cache, pool: pool)
            case .gru:
                GRU.forward(shape, x: xd, wIh: wIh, wHh: wHh, bIh: bIh, bHh: bHh, h0: nil, y: seq, hN: nil, cache: cache, pool: pool)
            }
            for b in 0..<n {
                if returnSequences {
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

    /// dy, x, params, the forward's workspace → dx and the parameter gradients (same order as
    /// `params`; nil for an unread gradient).
    public func backward(dy: UnsafePointer<Float>, x: UnsafePointer<Float>, params list: [UnsafePointer<Float>],
                         workspace ws0: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>,
                         gradients: [UnsafeMutablePointer<Float>?]) {
        let rows = n * steps, width = directions * h
        let xd = scratch("sequence.backward", 2 * rows * features + rows * h)
        let dxd = xd + rows * features, dseq = dxd + rows * features
        for d in 0..<directions {
            let ws = UnsafeMutablePointer(mutating: ws0) + d * block, cache = ws, seq = ws + cacheCount
            dseq.update(repeating: 0, count: rows * h)
            for b in 0..<n {
                if returnSequences {
                    for t in 0..<steps {
                        let dst = dseq + (b * steps + (d == 1 ? steps - 1 - t : t)) * h
                        dst.update(from: dy + (b * steps + t) * width + d * h, count: h)
                    }
                } else {
                    (dseq + (b * steps + steps - 1) * h).update(from: dy + b * width + d * h, count: h)
                }
            }
            let mask = inputMask(d)
            directionInput(x, d, mask: mask, into: xd)
            let (wIh, wHh, _, _) = params(list, d)
            let (gIh, gHh, gbIh, gbHh) = params(gradients, d)
            guard let gIh, let gHh else { preconditionFailure("recurrent backward needs the weight gradients") }
            switch cell {
            case .lstm where regularized:
                LSTM.backward(shape, x: xd, wIh: wIh, wHh: wHh, masks: masks(d), y: seq, cache: cache, dy: dseq,
                              dx: dxd, dwIh: gIh, dwHh: gHh, dbIh: gbIh ?? nil, dbHh: gbHh ?? nil, pool: pool)
            case .lstm:
                LSTM.backward(shape, x: xd, wIh: wIh, wHh: wHh, h0: nil, c0: nil, y: seq, cache: cache,
                              dy: dseq, dhN: nil, dcN: nil, dx: dxd, dwIh: gIh, dwHh: gHh,
                              dbIh: gbIh ?? nil, dbHh: gbHh ?? nil, dh0: nil, dc0: nil, pool: pool)
            case .gru where regularized:
                GRU.backward(shape, x: xd, wIh: wIh, wHh: wHh, masks: masks(d), y: seq, cache: cache, dy: dseq,
                             dx: dxd, dwIh: gIh, dwHh: gHh, dbIh: gbIh ?? nil, dbHh: gbHh ?? nil, pool: pool)
            case .gru:
                GRU.backward(shape, x: xd, wIh: wIh, wHh: wHh, h0: nil, y: seq, cache: cache,
                             dy: dseq, dhN: nil, dx: dxd, dwIh: gIh, dwHh: gHh,
                             dbIh: gbIh ?? nil, dbHh: gbHh ?? nil, dh0: nil, pool: pool)
            }
            // dx: undo the mask and the time reversal; the directions add.
            let f = features
            for b in 0..<n {
                for t in 0..<steps {
                    let src = dxd + (b * steps + t) * f, dst = dx + (b * steps + (d == 1 ? steps - 1 - t : t)) * f
                    for j in 0..<f {
                        let g = src[j] * (mask?[b * f + j] ?? 1)
                        dst[j] = d == 0 ? g : dst[j] + g
                    }
                }
            }
        }
    }
}
