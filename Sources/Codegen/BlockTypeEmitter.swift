import IR

/// Emits one Swift type per block definition of the spec: the tensors of the block's layers as
/// properties named after the layers, one property per nested block use, and the methods its
/// uses call from the model's steps (`BlockMethods`). A member that is the same in every use
/// is declared with its value; one that differs (another width) is passed by the model.
struct BlockTypeEmitter {
    let scopes: BlockScopes
    let source: SpecSource

    func emit(methods: [String: [String]], into w: inout SwiftWriter) {
        for (typeName, instances) in scopes.blockTypes {
            guard let first = instances.first, let use = scopes.scopes[first].use else { continue }
            let prefix = use.path + "."
            let line = use.definition.start.line
            w.doc("Block `\(use.block)` of \(source.fileName) (line \(line)): the tensors of its layers, named after them")
            w.doc("(`state_dict` names relative to each use)\(methods[typeName] == nil ? "" : " and the steps of one use"); one instance per use.")
            w.block("struct \(typeName)") { w in
                var lastOrigin = ""
                for (i, m) in scopes.scopes[first].members.enumerated() {
                    let uniform = scopes.isUniform(typeName, member: i)
                    switch m {
                    case .tensor(let p, let property, let origin):
                        let comment = source.comment(for: origin)
                        if comment != lastOrigin { w.line(); w.comment(comment); lastOrigin = comment }
                        let relative = p.name.hasPrefix(prefix) ? String(p.name.dropFirst(prefix.count)) : p.name
                        w.doc("`\(relative)`\(uniform ? " \(p.shape)" : "")\(p.trainable ? "" : ", a buffer")")
                        w.line(uniform ? "let \(property) = Tensor(shape: \(p.shape))" : "let \(property): Tensor")
                    case .instance(let k):
                        let s = scopes.scopes[k]
                        w.line()
                        w.comment(source.comment(for: Origin(path: "", kind: s.use?.block ?? "", range: s.use?.range)))
                        let relative = (s.use?.path ?? "").hasPrefix(prefix) ? String((s.use?.path ?? "").dropFirst(prefix.count)) : ""
                        w.doc("`\(relative).*`: one use of block `\(s.use?.block ?? "")`.")
                        if uniform { Self.declare(k, scopes, into: &w) } else { w.line("let \(s.property): \(s.typeName)") }
                        lastOrigin = ""
                    }
                }
                for m in methods[typeName] ?? [] {
                    w.line()
                    w.raw(m)
                }
            }
            w.line()
        }
    }

    /// `let resblock1 = Resblock()`, or with the members that differ between uses, one a line.
    static func declare(_ k: Int, _ scopes: BlockScopes, into w: inout SwiftWriter) {
        let s = scopes.scopes[k], args = scopes.arguments(k)
        guard !args.isEmpty else { w.line("let \(s.property) = \(s.typeName)()"); return }
        w.line("let \(s.property) = \(s.typeName)(")
        for (i, a) in args.enumerated() { w.line("    " + a + (i == args.count - 1 ? ")" : ",")) }
    }
}
