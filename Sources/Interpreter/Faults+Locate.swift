import Check
import Foundation
import IR
import Runtime
import Training

/// Finding where a non-finite loss came from, and refusing runs that cannot fit.
enum Faults {
    /// Re-runs the failing step (same batch, same RNG step, so the same masks) checking every
    /// node's outputs, and names the first node whose output is NaN or infinite. Parameters are
    /// checked first: a non-finite weight poisons everything downstream. Effects are skipped, so
    /// running statistics are not updated twice.
    static func locate(_ e: Executor, batch: Int, step: UInt64, refill: () -> Void) -> String {
        for input in e.graph.inputs {
            if let p = input.param, e.isNonFinite(input.value) { return "parameter \(p.name)" }
        }
        refill()     // the arena may have reused the input's slot after its last read
        guard let i = e.run(batch: batch, step: step, check: { e.isNonFinite($0) }) else {
            return "unknown (every node's output is finite when the step is re-run)"
        }
        return describe(e.graph.nodes[i])
    }

    /// `layer 3 (dense) at mlp.yaml:12:5, op matmul`.
    static func describe(_ node: Node) -> String {
        guard let o = node.origin else { return "op \(node.op)" }
        var s = "layer \(o.path) (\(o.kind))"
        if let r = o.range, !r.file.isEmpty { s += " at \(r.file):\(r.start.line):\(r.start.column)" }
        return s + ", op \(opName(node.op))"
    }

    static func opName(_ op: Op) -> String {
        let d = "\(op)"
        return String(d.prefix { $0 != "(" })
    }
}

/// Refuses a run whose memory would not fit, before anything large is allocated.
enum MemoryCheck {
    static func verify(_ session: Session, data: TrainingData, limit: Int? = nil) throws {
        let planned = session.plannedBytes()
        let params = session.store.bytes
        // Optimizer state: SGD keeps one buffer per parameter, Adam two.
        let moments = session.model.training.optimizer.kind == .sgd ? params : 2 * params
        let need = planned.train + planned.infer + params + moments + data.bytes
        let limit = limit ?? available()
        if need > limit {
            throw TrainError.memory(requiredBytes: need, availableBytes: limit,
                                    detail: "training arena \(mib(planned.train)), evaluation arena \(mib(planned.infer)), parameters \(mib(params)), optimizer state \(mib(moments)), data \(mib(data.bytes))")
        }
    }

    /// `REGULA_MEMORY_LIMIT` (bytes) if set, else MemAvailable from /proc/meminfo, else no limit.
    static func available() -> Int {
        if let s = ProcessInfo.processInfo.environment["REGULA_MEMORY_LIMIT"], let v = Int(s) { return v }
        guard let text = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8) else { return .max }
        for line in text.split(separator: "\n") where line.hasPrefix("MemAvailable:") {
            let parts = line.split(separator: " ")
            if parts.count >= 2, let kb = Int(parts[1]) { return kb * 1024 }
        }
        return .max
    }
}
