import Check
import IR

/// Concat, split and nearest upsampling: the interpreter's loops and kernel calls
/// (Interpreter/ExecutorOps.swift, ExecutorSpatial.swift) with the sizes folded in.
extension OpEmitter {
    mutating func emitShape(_ op: Op, _ i: [ValueID], _ o: [ValueID], into w: inout SwiftWriter) -> Bool {
        let L = layout
        func p(_ v: ValueID) -> String { L.ptr(v) }
        /// (outer rows as an expression, elements after the axis) around the IR's `axis`, which
        /// counts the batch; returns the per-example axis too.
        func around(_ v: ValueID, _ full: Int) -> (String, Int) {
            let dims = L.perExample(v), axis = L.isBatched(v) ? full - 1 : full
            let outer = dims.prefix(axis).reduce(1, *)
            return (L.isBatched(v) ? L.times("n", outer) : String(outer), dims.dropFirst(axis + 1).reduce(1, *))
        }
        switch op {
        case .concat(let axis):
            // Each input's rows side by side along `axis`.
            let (outer, inner) = around(o[0], axis), ax = L.isBatched(o[0]) ? axis - 1 : axis
            let rowOut = L.perExample(o[0])[ax] * inner
            var offset = 0
            for v in i {
                let len = L.perExample(v)[ax] * inner
                w.line("for r in 0..<\(outer) { (\(p(o[0])) + r * \(rowOut)\(offset == 0 ? "" : " + \(offset)")).update(from: \(p(v)) + r * \(len), count: \(len)) }")
                offset += len
            }
        case .split(let axis, let sizes):
            let (outer, inner) = around(i[0], axis), ax = L.isBatched(i[0]) ? axis - 1 : axis
            let rowIn = L.perExample(i[0])[ax] * inner
            var offset = 0
            for (v, size) in zip(o, sizes) {
                let len = size * inner
                w.line("for r in 0..<\(outer) { (\(p(v)) + r * \(len)).update(from: \(p(i[0])) + r * \(rowIn)\(offset == 0 ? "" : " + \(offset)"), count: \(len)) }")
                offset += len
            }
        case .upsampleNearest(let k):
            let d = L.perExample(i[0])
            w.line("UpsampleNearest.forward(planes: \(L.times("n", d[0])), height: \(d[1]), width: \(d[2]), scaleH: \(k), scaleW: \(k), x: \(p(i[0])), y: \(p(o[0])))")
        case .upsampleNearestBackward(let k):
            let d = L.perExample(o[0])
            w.line("UpsampleNearest.backward(planes: \(L.times("n", d[0])), height: \(d[1]), width: \(d[2]), scaleH: \(k), scaleW: \(k), dy: \(p(i[0])), dx: \(p(o[0])))")
        case .permute(let axes):                            // [x] → y
            w.line("Permute.forward(batch: n, shape: \(L.perExample(i[0])), axes: \(axes), x: \(p(i[0])), y: \(p(o[0])))")
        case .pad2d(let a):                                 // [x] → y
            w.line("Pad2d.forward(\(padShape(a, L.perExample(i[0]))), x: \(p(i[0])), y: \(p(o[0])))")
        case .pad2dBackward(let a, let input):              // [dy] → dx
            w.line("Pad2d.backward(\(padShape(a, input)), dy: \(p(i[0])), dx: \(p(o[0])))")
        default:
            return false
        }
        return true
    }

    /// The `Pad2dShape` literal for a per-example input [C, H, W].
    private func padShape(_ a: PadAmounts, _ x: [Int]) -> String {
        "Pad2dShape(batch: n, channels: \(x[0]), height: \(x[1]), width: \(x[2]), stride: \(a.stride), "
            + "channelPad: \(a.channels), heightPad: \(a.height), widthPad: \(a.width))"
    }
}
