import Check

/// Why a pipeline could not run.
public enum PipelineError: Error, Hashable, CustomStringConvertible {
    /// `--after NAME` named no pass of this pipeline.
    case unknownPass(String, available: [String])

    public var description: String {
        switch self {
        case .unknownPass(let name, let available):
            return "unknown pass '\(name)'; the passes are \(available.joined(separator: ", "))"
        }
    }
}

/// The flat list of passes for a mode, run in order:
///
///     train:     lower → cse → autodiff  → fuse → plan
///     inference: lower → cse → inference → fuse → plan
///
/// In debug builds (or with `verify` set) the verifier runs after every pass and a failure
/// stops with the pass's name and the broken invariants: that is a compiler bug, not a spec error.
public struct Pipeline {
    public var mode: Mode
    /// Print the graph after this pass (`regula ir SPEC --after PASS`).
    public var printAfter: String?
    /// Plan memory for this batch size instead of the spec's `train.batch_size`.
    public var batchSize: Int?
    /// Fuse elementwise chains (off to inspect or execute the unfused graph).
    public var fusion: Bool = true
    public var verify: Bool = _isDebugAssertConfiguration()

    public init(mode: Mode, printAfter: String? = nil, batchSize: Int? = nil) {
        self.mode = mode
        self.printAfter = printAfter
        self.batchSize = batchSize
    }

    /// The graph passes after `lower`, by name.
    public var passes: [(name: String, run: (Graph) -> Graph)] {
        var list: [(String, (Graph) -> Graph)] = [("cse", cse), mode == .train ? ("autodiff", autodiff) : ("inference", inference)]
        if fusion { list.append(("fuse", fuse)) }
        list.append(("plan", plan))
        return list
    }

    public var passNames: [String] { ["lower"] + passes.map(\.name) }

    /// Runs every pass on `model`; `print` receives the IR text after `printAfter`.
    public func run(_ model: CheckedModel, print: (String) -> Void = { Swift.print($0, terminator: "") }) throws -> Graph {
        if let p = printAfter, !passNames.contains(p) { throw PipelineError.unknownPass(p, available: passNames) }
        var g = lower(model)
        if let n = batchSize { g.bindings[batchDim.description] = n }
        check(g, after: "lower", print: print)
        for pass in passes {
            g = pass.run(g)
            check(g, after: pass.name, print: print)
        }
        return g
    }

    private func check(_ g: Graph, after name: String, print: (String) -> Void) {
        if verify {
            let errors = IR.verify(g)
            if !errors.isEmpty {
                preconditionFailure("IR verifier failed after \(name):\n" + errors.map { "  \($0)" }.joined(separator: "\n") + "\n" + render(g))
            }
        }
        if printAfter == name { print(render(g)) }
    }
}
