import Check
import IR

/// Embedding lookup and its scatter-add gradient (the runtime's `Embedding`), and whole-sequence
/// LSTM/GRU: a call into the runtime's `RecurrentLayer`, the same driver the interpreter runs
/// (Interpreter/ExecutorSequence.swift), so masks, direction handling and the workspace layout
/// are shared code rather than a copy; only the sizes are folded in here.
extension OpEmitter {
    mutating func emitSequence(_ op: Op, _ i: [ValueID], _ o: [ValueID], into w: inout SwiftWriter) -> Bool {
        let L = layout
        func p(_ v: ValueID) -> String { L.ptr(v) }
        func params(_ vs: ArraySlice<ValueID>) -> String { "[" + vs.map { "UnsafePointer(\(p($0)))" }.joined(separator: ", ") + "]" }
        switch op {
        case .embedding:                                    // [ids i32[N, T], table [V, D]] → [N, T, D]
            let table = L.perExample(i[1])
            w.line("Embedding.forward(count: \(L.count(i[0])), dim: \(table[1]), vocabulary: \(table[0]), table: \(p(i[1])),")
            w.line("                  indices: \(L.i32(i[0])), y: \(p(o[0])))")
        case .embeddingBackward(let vocab):                 // [dy, ids] → dtable (scatter-add)
            w.line("Embedding.backward(count: \(L.count(i[1])), dim: \(L.perExample(o[0])[1]), vocabulary: \(vocab), indices: \(L.i32(i[1])),")
            w.line("                   dy: \(p(i[0])), dtable: \(p(o[0])), pool: pool)")
        case .sequencePool(let m):                          // [N, T, F] → [N, F]
            let s = L.perExample(i[0])
            w.line("SequencePool.forward(.\(m.rawValue), batch: n, steps: \(s[0]), features: \(s[1]), x: \(p(i[0])), y: \(p(o[0])))")
        case .sequencePoolBackward(let m):                  // [dy, x] → dx
            let s = L.perExample(i[1])
            w.line("SequencePool.backward(.\(m.rawValue), batch: n, steps: \(s[0]), features: \(s[1]), x: \(p(i[1])), dy: \(p(i[0])), dx: \(p(o[0])))")
        case .positionalEncoding:                           // x + the sinusoidal table
            let s = L.perExample(i[0])
            w.line("PositionalEncoding.add(batch: n, steps: \(s[0]), features: \(s[1]), table: PositionalEncoding.table(steps: \(s[0]), features: \(s[1])),")
            w.line("                       x: \(p(i[0])), y: \(p(o[0])))")
        case .lstm(let a), .gru(let a):
            // [x, params…] → train: [y, workspace]; eval: [y].
            w.line("do {")
            recurrent(op, a, x: i[0], into: &w)
            w.line("    layer.forward(x: \(p(i[0])), params: \(params(i.dropFirst())),")
            w.line("                  y: \(p(o[0])), workspace: \(o.count > 1 ? L.ptrOrNil(o[1]) : "nil"))")
            w.line("}")
        case .lstmBackward(let a), .gruBackward(let a):
            // [dy, x, params…, y, workspace] → [dx, dparams…].
            let grads = "[" + o.dropFirst().map { L.ptrOrNil($0) }.joined(separator: ", ") + "]"
            w.line("do {")
            recurrent(op, a, x: i[1], into: &w)
            w.line("    layer.backward(dy: \(p(i[0])), x: \(p(i[1])), params: \(params(i[2..<(i.count - 2)])),")
            w.line("                   workspace: \(p(i[i.count - 1])), dx: \(p(o[0])), gradients: \(grads))")
            w.line("}")
        default:
            return false
        }
        return true
    }

    /// `let layer = RecurrentLayer(…)` with the op's sizes, regularizers and keyed stream.
    private func recurrent(_ op: Op, _ a: RecurrentAttrs, x: ValueID, into w: inout SwiftWriter) {
        let d = layout.perExample(x)
        let cell: String
        switch op {
        case .lstm, .lstmBackward: cell = ".lstm"
        default: cell = ".gru"
        }
        let stream = a.train ? a.key.map { "RandomStream(seed: seed, step: step, stream: \($0.id))" } ?? "nil" : "nil"
        w.line("    let layer = RecurrentLayer(")
        w.line("        cell: \(cell), shape: RecurrentShape(batch: n, steps: \(d[0]), input: \(d[1]), hidden: \(a.units)),")
        w.line("        directions: \(a.directions), returnSequences: \(a.returnSequences),")
        w.line("        dropout: \(a.dropout), recurrentDropout: \(a.recurrentDropout), zoneout: \(a.zoneout),")
        w.line("        stream: \(stream), pool: pool, scratch: scratch.buffer)")
    }
}
