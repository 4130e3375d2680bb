import IR

/// One op application of a graph with fusion undone: a node, or one step of a node's epilogue.
///
/// Exporters see the graph the interpreter evaluates; a fused epilogue step is an ordinary op
/// on the running value, so flattening gives every exporter one op per step to translate.
struct ExportStep {
    var op: Op
    var inputs: [ValueID]
    var output: ValueID
    /// Outputs after the first (batch statistics, norms), which exporters do not write.
    var auxiliary: [ValueID]
    var origin: Origin?

    /// The nodes and epilogue steps of `g` in execution order; effects (no outputs) are dropped.
    static func flatten(_ g: Graph) -> [ExportStep] {
        var out: [ExportStep] = []
        for n in g.nodes {
            guard let first = n.outputs.first else { continue }
            out.append(ExportStep(op: n.op, inputs: n.inputs, output: first, auxiliary: Array(n.outputs.dropFirst()), origin: n.origin))
            var running = first
            for s in n.epilogue {
                out.append(ExportStep(op: s.op, inputs: [running] + s.operands, output: s.result, auxiliary: [], origin: n.origin))
                running = s.result
            }
        }
        return out
    }

    /// The steps `value` depends on (in order), the graph inputs they read, and the steps whose
    /// auxiliary outputs they read.
    static func slice(_ steps: [ExportStep], from value: ValueID) -> (steps: [Int], inputs: Set<ValueID>, secondary: [Int]) {
        var definer: [ValueID: Int] = [:], auxiliary: [ValueID: Int] = [:]
        for (i, s) in steps.enumerated() {
            definer[s.output] = i
            for a in s.auxiliary { auxiliary[a] = i }
        }
        var needed: Set<Int> = [], inputs: Set<ValueID> = [], secondary: Set<Int> = []
        var work = [value]
        while let v = work.popLast() {
            if let i = definer[v] {
                if needed.insert(i).inserted { work += steps[i].inputs }
            } else if let i = auxiliary[v] {
                secondary.insert(i)
            } else {
                inputs.insert(v)
            }
        }
        return (needed.sorted(), inputs, secondary.sorted())
    }
}
