import Check
import IR

/// Where each value of a planned graph lives in the generated code, and its sizes as Swift
/// expressions.
///
/// Computed values sit at their planned offset in one arena per graph (the plan's liveness-based
/// reuse, so the generated trainer's memory is the interpreter's); parameters and buffers are
/// the model's `Tensor` properties; a transient value of a fused node lives in that node's result
/// (its epilogue runs in place there, as in the interpreter). Every per-example dimension is a
/// literal; only the batch size `n` is a runtime value (the last batch of an epoch is smaller).
struct Layout {
    let graph: Graph
    /// Local pointer names, `t12` in the training step and `e12` in evaluation.
    let prefix: String
    /// Swift property names of the state tensors, by `state_dict` name.
    let stateNames: [String: String]
    private var transientHome: [ValueID: ValueID] = [:]
    private let stateValues: [ValueID: String]

    init(graph: Graph, prefix: String, stateNames: [String: String]) {
        self.graph = graph
        self.prefix = prefix
        self.stateNames = stateNames
        var sv: [ValueID: String] = [:]
        for input in graph.inputs { if let p = input.param { sv[input.value] = stateNames[p.name] ?? Names.identifier(p.name) } }
        // A view of a parameter (the embedding table reshaped for embedding dropout) has no
        // slot: it is that tensor's storage, as in the interpreter.
        for (v, src) in graph.memory?.aliases ?? [:] {
            var root = src
            while let next = graph.memory?.aliases[root] { root = next }
            if let name = sv[root] { sv[v] = name }
        }
        stateValues = sv
        for n in graph.nodes {
            guard let r = n.result else { continue }
            for v in n.transient { transientHome[v] = r }
        }
    }

    /// Float offset of `v` in the arena, if it has one.
    func offset(_ v: ValueID) -> Int? {
        guard let slot = graph.memory?.slots[v] else { return nil }
        return slot.offset / 4
    }

    /// Values that get a local pointer declaration: everything with an arena slot, by id.
    var arenaValues: [ValueID] {
        (graph.memory?.slots.keys.map { $0 } ?? []).filter { stateValues[$0] == nil }.sorted()
    }

    /// The Swift expression for `v`'s float storage.
    func ptr(_ v: ValueID) -> String {
        if let s = stateValues[v] { return s + ".data" }
        if offset(v) != nil { return prefix + String(v.raw) }
        if let home = transientHome[v], home != v { return ptr(home) }
        preconditionFailure("value \(v) has no storage in the plan")
    }

    /// `ptr(v)`, or `nil` (as Swift text) when the plan gave `v` no storage (an unread output).
    func ptrOrNil(_ v: ValueID) -> String {
        if stateValues[v] != nil || offset(v) != nil || transientHome[v] != nil { return ptr(v) }
        return "nil"
    }

    /// Whether two values share storage (a view and its source, or a planned reuse).
    func sameStorage(_ a: ValueID, _ b: ValueID) -> Bool {
        if let x = offset(a), let y = offset(b) { return x == y }
        return ptr(a) == ptr(b)
    }

    /// `v`'s storage as class ids (labels).
    func i32(_ v: ValueID) -> String { "UnsafeMutableRawPointer(\(ptr(v))).assumingMemoryBound(to: Int32.self)" }

    func isBatched(_ v: ValueID) -> Bool { graph[v].shape.first == batchDim }

    /// Per-example dimensions (all literals).
    func perExample(_ v: ValueID) -> [Int] {
        graph[v].perExample.map { d in
            guard let k = d.value else { preconditionFailure("value \(v) has a symbolic dimension \(d)") }
            return k
        }
    }

    /// Elements per example (batched) or in total.
    func unit(_ v: ValueID) -> Int { perExample(v).reduce(1, *) }

    /// Element count at batch `n`, folded: `n * 784`, `n`, `10`.
    func count(_ v: ValueID) -> String { isBatched(v) ? times("n", unit(v)) : String(unit(v)) }

    /// The full shape as expressions, batch first when batched.
    func shape(_ v: ValueID) -> [String] { (isBatched(v) ? ["n"] : []) + perExample(v).map(String.init) }

    /// `v` viewed as a matrix: (rows, columns) with every axis but the last as rows.
    func matrix(_ v: ValueID) -> (rows: String, cols: Int) {
        let dims = perExample(v)
        let cols = dims.last ?? 1
        if isBatched(v) {
            return (times("n", dims.count <= 1 ? 1 : dims.dropLast().reduce(1, *)), dims.isEmpty ? 1 : cols)
        }
        return (String(dims.count <= 1 ? 1 : dims.dropLast().reduce(1, *)), cols)
    }

    /// (outer, channels, inner) around per-example `axis` of a value's full shape, with the
    /// batch folded into `outer`.
    func split(_ v: ValueID, axis: Int) -> (outer: String, channels: Int, inner: Int) {
        let dims = perExample(v)
        // Axes in the IR count the batch (axis 1 is channels for NCHW and units for dense).
        let a = isBatched(v) ? axis - 1 : axis
        let clamped = min(max(a, 0), max(dims.count - 1, 0))
        let before = dims.prefix(clamped).reduce(1, *)
        let channels = dims.isEmpty ? 1 : dims[clamped]
        let after = dims.isEmpty ? 1 : dims[(clamped + 1)...].reduce(1, *)
        return (isBatched(v) ? times("n", before) : String(before), channels, after)
    }

    /// `e * k` with the trivial cases folded.
    func times(_ e: String, _ k: Int) -> String { k == 1 ? e : "\(e) * \(k)" }
}
