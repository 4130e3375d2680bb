/// Where one planned value lives: a byte range of the step's arena.
public struct Slot: Hashable, Sendable {
    public var offset: Int
    public var bytes: Int
    public init(offset: Int, bytes: Int) {
        self.offset = offset
        self.bytes = bytes
    }
    public var end: Int { offset + bytes }
}

/// The memory of one step for the bound batch size, known before anything is allocated.
public struct MemoryPlan: Hashable, Sendable {
    /// The symbol sizes the plan was made for (`N` = batch size).
    public var bindings: [String: Int]
    /// Arena range of every computed value and of the data/label inputs. Views (`reshape`)
    /// get their source's range; transient values of fused nodes and state get none.
    public var slots: [ValueID: Slot]
    /// Views: value → the value whose storage it shares. A view of a parameter or buffer (the
    /// embedding table reshaped for embedding dropout) has no slot: its storage is that state
    /// tensor's.
    public var aliases: [ValueID: ValueID]
    /// Live range (first and last node index; −1 = before the first node, `nodes.count` = after
    /// the last, for graph outputs) of each value that owns storage.
    public var live: [ValueID: ClosedRange<Int>]
    /// Size of the arena: the peak the executor allocates per step.
    public var arenaBytes: Int
    /// The largest total of simultaneously live values: a lower bound for any plan.
    public var peakLiveBytes: Int
    /// What giving every value its own buffer would cost.
    public var naiveBytes: Int
    /// Parameters and buffers (gradients are arena values in training graphs).
    public var stateBytes: Int

    /// Arena plus state: the memory a step needs before optimizer state.
    public var totalBytes: Int { arenaBytes + stateBytes }
}

/// Arena offsets are aligned for the runtime's SIMD kernels.
let arenaAlignment = 64

/// Buffer planning: liveness-based reuse of one arena per step.
///
/// Assumes: a verified graph whose symbols are bound in `g.bindings` (else it is returned with
/// `memory == nil`). Guarantees: `g.memory` gives every stored value a 64-byte-aligned arena
/// range, and two values whose live ranges overlap never share a byte (a node's outputs never
/// overlap its inputs, so kernels need not support aliasing). Values of
/// `Graph.parameterOnlyNodes()` (folded batchnorm weights) are live for the whole step. Placement is greedy by size
/// (largest first, lowest offset that fits), as TensorFlow Lite's arena planner.
public func plan(_ g: Graph) -> Graph {
    var out = g
    out.memory = makePlan(g)
    return out
}

func makePlan(_ g: Graph) -> MemoryPlan? {
    let b = g.bindings
    let end = g.nodes.count
    var aliases: [ValueID: ValueID] = [:]
    var live: [ValueID: ClosedRange<Int>] = [:]
    func root(_ v: ValueID) -> ValueID { aliases[v].map(root) ?? v }
    func touch(_ v: ValueID, _ at: Int) {
        let r = root(v)
        guard let span = live[r] else { return }
        live[r] = min(span.lowerBound, at)...max(span.upperBound, at)
    }
    var stateBytes = 0
    for i in g.inputs {
        guard let bytes = g[i.value].bytes(b) else { return nil }
        if i.param != nil { stateBytes += bytes } else { live[i.value] = -1 ... -1 }
    }
    for (at, n) in g.nodes.enumerated() {
        for v in n.used { touch(v, at) }
        if case .reshape = n.op, let src = n.inputs.first {
            aliases[n.outputs[0]] = src
            continue
        }
        for v in n.defined where !n.transient.contains(v) { live[v] = at...at }
    }
    for o in g.outputs { touch(o.value, end) }
    // Values an executor may compute once per load stay live across the whole step.
    for i in g.parameterOnlyNodes() {
        for v in g.nodes[i].defined where live[v] != nil { live[v] = -1...end }
    }

    struct Entry { var value: ValueID; var span: ClosedRange<Int>; var size: Int }
    var entries: [Entry] = []
    for (v, span) in live {
        guard let bytes = g[v].bytes(b) else { return nil }
        entries.append(Entry(value: v, span: span, size: (bytes + arenaAlignment - 1) / arenaAlignment * arenaAlignment))
    }
    entries.sort { ($0.size, $1.span.lowerBound, $1.value.raw) > ($1.size, $0.span.lowerBound, $0.value.raw) }
    var placed: [(span: ClosedRange<Int>, slot: Slot)] = []
    var slots: [ValueID: Slot] = [:]
    var arena = 0
    for e in entries {
        let busy = placed.filter { $0.span.overlaps(e.span) }.map(\.slot).sorted { $0.offset < $1.offset }
        var offset = 0
        for s in busy {
            if offset + e.size <= s.offset { break }
            offset = max(offset, s.end)
        }
        let slot = Slot(offset: offset, bytes: e.size)
        placed.append((e.span, slot))
        slots[e.value] = slot
        arena = max(arena, slot.end)
    }
    for (v, _) in aliases { if let s = slots[root(v)] { slots[v] = s } }

    var peak = 0
    for t in -1...end {
        peak = max(peak, entries.filter { $0.span.contains(t) }.reduce(0) { $0 + $1.size })
    }
    return MemoryPlan(bindings: b, slots: slots, aliases: aliases, live: live, arenaBytes: arena,
                      peakLiveBytes: peak, naiveBytes: entries.reduce(0) { $0 + $1.size }, stateBytes: stateBytes)
}
