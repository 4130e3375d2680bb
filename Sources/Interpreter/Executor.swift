import Check
import Dispatch
import Foundation
import IR
import Runtime
import Training

/// Runs one planned IR graph (a training step or an inference pass) on the runtime kernels.
///
/// Memory: every computed value lives at its planned offset in one arena allocated up front
/// (`MemoryPlan.arenaBytes` for the planned batch size; smaller batches use a prefix of each
/// slot); parameters and buffers live in the shared `ParameterStore`; values that `fuse` marked
/// transient get the storage of their node's result. Nothing is allocated per step.
///
/// Randomness: a stochastic op keyed `#k` draws from `RandomStream(seed, step, k)`, so a backward
/// op carrying the same key regenerates its forward op's mask, and Shake-Shake's β (a different
/// key) is independent of α. Results do not depend on the thread count.
final class Executor {
    enum Location { case arena(Int), state(Int), none }

    let graph: Graph
    let store: ParameterStore
    let maxBatch: Int
    let pool: ThreadPool
    let seed: UInt64
    let arenaBytes: Int
    private let arena: UnsafeMutableRawPointer
    private var location: [Location]
    /// Elements per example (batched values) or in total (the others).
    private(set) var unitCount: [Int]
    private(set) var batched: [Bool]
    private(set) var fixedShape: [[Int]]
    /// Values some node reads or the graph outputs; an op may skip writing a result that is not
    /// (the gradient output of the loss in an evaluation graph).
    let isRead: [Bool]
    /// The data input, when it is [N, features] and its only reader is a dense layer (`matmul`, A
    /// not transposed) of an evaluation graph: `fill(_:batch:deferInputs:)` may then leave its rows to that layer.
    let deferrableInput: ValueID?
    /// Rows of the data input not yet written (see `deferrableInput`); the dense layer takes
    /// them (`takePendingInputRows`), any other reader gets them written first.
    var pendingInputRows: GemmRowSource?

    /// Per-op wall time, when `REGULA_PROFILE` is set (printed by the trainer at the end).
    let profile: OpProfile? = ProcessInfo.processInfo.environment["REGULA_PROFILE"] != nil ? OpProfile() : nil

    /// Max-pooling arg-max per pooled value (keyed by the pooled input), with the run that wrote
    /// it: the backward reuses the forward's indices of the same run instead of recomputing them.
    private var poolIndices = RunBuffers<Int32>()
    private var runCount = 0
    /// Values a training batch norm normalizes: the convolution that writes one records its
    /// planes' statistics for it (`planeStatisticsBuffer`).
    private let batchNormInputs: Set<Int>
    private var planeStatistics = RunBuffers<Double>()

    /// Reusable work buffers of the sequence ops by purpose (see `scratch(_:_:)`).
    var scratchBuffers: [String: Tensor] = [:]

    /// Batch size and step of the current `run`.
    private(set) var batch = 0
    private(set) var step: UInt64 = 0

    /// - Parameters:
    ///   - graph: a verified graph; planned here for `batch` if `plan` has not run for that size.
    ///   - batch: the largest batch this executor will run.
    init(graph: Graph, store: ParameterStore, batch: Int, seed: UInt64, pool: ThreadPool) throws {
        var g = graph
        g.bindings[batchDim.description] = batch
        if g.memory?.bindings != g.bindings { g = IR.plan(g) }
        guard let memory = g.memory else {
            throw TrainError.unsupported("graph '\(g.name)' has shapes that depend on symbols other than the batch size")
        }
        self.graph = g
        self.store = store
        self.maxBatch = batch
        self.pool = pool
        self.seed = seed
        self.arenaBytes = max(memory.arenaBytes, 64)
        arena = UnsafeMutableRawPointer.allocate(byteCount: arenaBytes, alignment: 64)
        arena.initializeMemory(as: UInt8.self, repeating: 0, count: arenaBytes)

        location = Array(repeating: .none, count: g.values.count)
        unitCount = Array(repeating: 0, count: g.values.count)
        batched = Array(repeating: false, count: g.values.count)
        fixedShape = Array(repeating: [], count: g.values.count)
        for (i, t) in g.values.enumerated() {
            batched[i] = t.shape.first == batchDim
            var shape: [Int] = []
            for d in t.perExample {
                guard let v = d.value else {
                    throw TrainError.unsupported("value %\(i) has a symbolic dimension \(d)")
                }
                shape.append(v)
            }
            unitCount[i] = shape.reduce(1, *)
            fixedShape[i] = shape
        }
        for input in g.inputs {
            if let p = input.param {
                guard let k = store.position(of: p.name) else {
                    throw TrainError.unsupported("graph parameter \(p.name) is not a model parameter")
                }
                location[input.value.raw] = .state(k)
            }
        }
        for (v, slot) in memory.slots { location[v.raw] = .arena(slot.offset) }
        // A view of a parameter (the embedding table reshaped for its row dropout) has no slot:
        // it is that tensor's storage.
        for (v, src) in memory.aliases {
            var root = src
            while let next = memory.aliases[root] { root = next }
            if case .none = location[v.raw], case .state = location[root.raw] { location[v.raw] = location[root.raw] }
        }
        var reads = Array(repeating: 0, count: g.values.count)
        for v in g.nodes.flatMap(\.used) + g.outputs.map(\.value) { reads[v.raw] += 1 }
        isRead = reads.map { $0 > 0 }
        deferrableInput = g.input(.data).flatMap { x in
            // Read once, as A of a dense layer, one row per example (a [N, features] input).
            guard g.mode == .inference, g[x].dtype == .float32, g[x].perExample.count == 1, reads[x.raw] == 1,
                  let reader = g.nodes.first(where: { $0.used.contains(x) }),
                  case .matmul(false, _) = reader.op, reader.inputs[0] == x else { return nil }
            return x
        }
        batchNormInputs = Set(g.nodes.compactMap { n in
            if case .batchNormTrain = n.op { return n.inputs[0].raw } else { return nil }
        })
        for n in g.nodes {
            try ExecutorOps.checkSupported(n.op)
            try ExecutorOps.checkSequence(n)
            for s in n.epilogue { try ExecutorOps.checkSupported(s.op) }
        }
    }

    deinit {
        arena.deallocate()
        poolIndices.deallocate()
        planeStatistics.deallocate()
    }

    /// An index buffer for pooling `v` in this run (`count` entries).
    func poolIndexBuffer(for v: ValueID, count: Int) -> UnsafeMutablePointer<Int32> {
        poolIndices.buffer(for: v, count: count, allocating: max(count, 1) * max(self.maxBatch / max(self.batch, 1), 1),
                           run: runCount)
    }

    /// The indices `poolIndexBuffer` received for `v` earlier in this run, if any.
    func savedPoolIndices(for v: ValueID) -> UnsafeMutablePointer<Int32>? {
        poolIndices.saved(for: v, run: runCount)
    }

    /// Where a convolution writing `v` records each output plane's `BatchNorm.statistics`
    /// ([N, C, 2] for `planes` = N·C) in this run, if a training batch norm reads `v`; nil if none.
    func planeStatisticsBuffer(for v: ValueID, planes: Int) -> UnsafeMutablePointer<Double>? {
        guard batchNormInputs.contains(v.raw) else { return nil }
        return planeStatistics.buffer(for: v, count: 2 * planes, allocating: max(2 * planes, 2), run: runCount)
    }

    /// The statistics a convolution recorded for `v` earlier in this run, if any.
    func savedPlaneStatistics(for v: ValueID) -> UnsafePointer<Double>? {
        planeStatistics.saved(for: v, run: runCount).map { UnsafePointer($0) }
    }

    // MARK: Values

    /// Element count of value `v` at the current batch size.
    @inline(__always) func count(_ v: ValueID) -> Int {
        batched[v.raw] ? unitCount[v.raw] * batch : unitCount[v.raw]
    }

    /// Shape of `v` including the batch dimension when it has one.
    func shape(_ v: ValueID) -> [Int] { batched[v.raw] ? [batch] + fixedShape[v.raw] : fixedShape[v.raw] }

    /// Storage of `v`; nil for transient values (see `pointer(_:in:)`).
    func storage(_ v: ValueID) -> UnsafeMutablePointer<Float>? {
        switch location[v.raw] {
        case .arena(let offset): return (arena + offset).assumingMemoryBound(to: Float.self)
        case .state(let k): return store.tensors[k].data
        case .none: return nil
        }
    }

    func pointer(_ v: ValueID) -> UnsafeMutablePointer<Float> {
        guard let p = storage(v) else { preconditionFailure("value \(v) has no storage in the plan") }
        return p
    }

    func int32Pointer(_ v: ValueID) -> UnsafeMutablePointer<Int32> {
        UnsafeMutableRawPointer(pointer(v)).assumingMemoryBound(to: Int32.self)
    }

    /// The data input's buffer (`[batch] + input shape`, float32). For int32 token inputs this is
    /// a float staging buffer that `run` converts into the int32 input (see `stageTokens`).
    var dataInput: UnsafeMutablePointer<Float> {
        guard let v = graph.input(.data) else { preconditionFailure("graph has no data input") }
        return tokenStaging?.data ?? pointer(v)
    }

    /// Float staging for an int32 data input (token ids arrive as floats from the readers).
    private(set) lazy var tokenStaging: Tensor? = graph.input(.data).flatMap {
        graph[$0].dtype == .int32 ? Tensor(shape: [max(maxBatch * unitCount[$0.raw], 1)]) : nil
    }

    /// The labels input's buffer (class ids).
    var labelInput: UnsafeMutablePointer<Int32>? { graph.input(.labels).map(int32Pointer) }

    func scalar(_ kind: OutputKind) -> Double? {
        graph.output(kind).map { Double(pointer($0)[0]) }
    }

    func gradient(_ name: String) -> UnsafeMutablePointer<Float>? {
        graph.output(.gradient(name)).map(pointer)
    }

    /// The loop's table of scheduled rates (`InterpretedModel.scheduledValues`); nil in graphs
    /// that read none (evaluation graphs hold every rate's final value).
    var scheduled: UnsafeMutablePointer<Double>?

    /// A rate's value at the current step: its slot in the table, or its constant.
    func rate(_ r: Rate) -> Double {
        guard let slot = r.slot else { return r.value }
        guard let scheduled else { preconditionFailure("a scheduled rate (slot \(slot)) in a graph run without the schedule table") }
        return scheduled[slot]
    }

    func random(_ key: RngKey) -> RandomStream {
        RandomStream(seed: seed, step: step, stream: UInt32(key.id))
    }

    // MARK: Running

    /// Runs every node for a batch of `batch` examples at optimizer step `step` (the RNG key).
    /// With `check`, stops after the first node that defines a value for which `check` is true
    /// and returns that node's index (the NaN locator); effects are skipped in that mode.
    @discardableResult
    func run(batch: Int, step: UInt64, check: ((ValueID) -> Bool)? = nil) -> Int? {
        precondition(batch >= 1 && batch <= maxBatch, "batch \(batch) outside 1...\(maxBatch)")
        self.batch = batch
        self.step = step
        runCount += 1
        stageTokens()
        for (i, node) in graph.nodes.enumerated() {
            if check != nil && node.op.isEffect { continue }
            if let profile {
                let t0 = DispatchTime.now().uptimeNanoseconds
                execute(node)
                profile.add(Faults.opName(node.op), DispatchTime.now().uptimeNanoseconds - t0)
            } else {
                execute(node)
            }
            if let check, node.defined.contains(where: { storage($0) != nil && check($0) }) { return i }
        }
        pendingInputRows = nil   // it points into the loader of this batch only
        return nil
    }

    /// Runs one node: its op into the first output, then its fused epilogue in order. A
    /// transient value is computed in the storage of the node's result, so the epilogue runs in
    /// place there.
    private func execute(_ node: Node) {
        let final = node.result.flatMap(storage)
        func dest(_ v: ValueID) -> UnsafeMutablePointer<Float> {
            if let p = storage(v) { return p }
            guard let final else { preconditionFailure("transient \(v) has no result storage") }
            return final
        }
        let done = node.epilogue.isEmpty ? 0 : ExecutorOps.runFusedHead(node, dest, self)
        if done == 0 {
            writePendingInputRows()
            ExecutorOps.run(node.op, node.inputs, node.outputs, dest, self)
        }
        var current = done == 0 ? node.outputs.first : node.epilogue[done - 1].result
        for s in node.epilogue.dropFirst(done) {
            guard let c = current else { preconditionFailure("epilogue without a running value") }
            ExecutorOps.run(s.op, [c] + s.operands, [s.result], dest, self)
            current = s.result
        }
    }

    /// The pending rows of the data input, for the dense layer that reads it (which writes them
    /// all, on demand or up front).
    func takePendingInputRows(_ v: ValueID) -> GemmRowSource? {
        guard v == deferrableInput, let rows = pendingInputRows else { return nil }
        pendingInputRows = nil
        return rows
    }

    /// Writes the pending rows of the data input into its buffer.
    private func writePendingInputRows() {
        guard let rows = pendingInputRows, let x = deferrableInput else { return }
        pendingInputRows = nil
        rows.write(0..<batch, into: dataInput, k: unitCount[x.raw])
    }

    /// Whether any element of `v` is NaN or infinite.
    func isNonFinite(_ v: ValueID) -> Bool {
        guard let p = storage(v), graph[v].dtype == .float32 else { return false }
        let n = count(v)
        for i in 0..<n where !p[i].isFinite { return true }
        return false
    }
}

/// Accumulated time per op kind.
final class OpProfile {
    private(set) var nanoseconds: [String: UInt64] = [:]
    func add(_ op: String, _ ns: UInt64) { nanoseconds[op, default: 0] += ns }
    var report: String {
        let total = max(nanoseconds.values.reduce(0, +), 1)
        return nanoseconds.sorted { $0.value > $1.value }.map {
            "\($0.key) " + String(format: "%.1f ms (%.1f%%)", Double($0.value) / 1e6, 100 * Double($0.value) / Double(total))
        }.joined(separator: "\n")
    }
}
