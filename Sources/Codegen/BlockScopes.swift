import Check
import IR

/// The spec's structure as Swift declarations: the model and one type per block definition,
/// each holding the tensors of its own layers as properties named after those layers (the
/// spec's `name:`, else kind and ordinal: `conv2d1Weight`) and one instance per nested block
/// use. A tensor's access path from the model (`resblock1.conv2d1Weight`) maps back to its
/// `state_dict` name, so checkpoints keep PyTorch's layout.
struct BlockScopes {
    enum Member {
        case tensor(ParamInfo, property: String, origin: Origin)
        case instance(Int)
    }

    /// The model (scope 0) or one block use.
    struct Scope {
        var use: BlockUse?
        /// The property naming this use in its parent.
        var property = ""
        /// From the model: `resblock1`, `shakeblock1.branch1`; "" for the model.
        var access = ""
        var parent: Int?
        var members: [Member] = []
        /// Node path → the layer's local name (`conv2d1`), for the nodes of this scope.
        var layerNames: [String: String] = [:]
        /// Names taken in this scope (members, and for the model its reserved names).
        var used: Set<String>
        fileprivate var ordinals: [String: Int] = [:]
        /// The Swift type, set once the structure is known.
        var typeName = ""
    }

    private(set) var scopes: [Scope]
    /// `state_dict` name → Swift access path from the model.
    private(set) var access: [String: String] = [:]
    /// Method names a block type may define (`BlockMethods`), kept free of members.
    static let methodNames: Set<String> = ["forward", "backward", "updateStatistics", "infer", "init"]
    /// Locals of the emitted ops (`var v` in a fused loop): a block use named `v` would be shadowed.
    static let opLocals: Set<String> = [
        "a", "c", "d", "f", "i", "j", "k", "l", "m", "p", "q", "r", "s", "u", "v", "w", "x", "y", "lo", "span", "gate",
        "gates", "stream", "count", "unbias", "alpha", "beta", "coefficients", "layer", "mean", "key",
    ]

    init(model: CheckedModel, modelType: String, reserved: Set<String>) {
        scopes = [Scope(used: reserved.union(Self.opLocals), typeName: modelType)]
        var byPath: [String: Int] = [:]
        for n in model.nodes where n.id != 0 {
            var s = 0
            for use in n.blocks {
                if let k = byPath[use.path] { s = k; continue }
                let property = name(in: s, path: use.path, kind: use.block)
                let child = scopes.count
                scopes.append(Scope(use: use, property: property, access: join(scopes[s].access, property), parent: s,
                                    used: Self.methodNames.union(Self.opLocals)))
                scopes[s].members.append(.instance(child))
                byPath[use.path] = child
                s = child
            }
            guard scopes[s].layerNames[n.path] == nil else { continue }
            let kind = String(n.displayKind.split(separator: "/").last ?? "layer")
            let local = name(in: s, path: n.path, kind: kind)
            scopes[s].layerNames[n.path] = local
            let origin = Origin(path: n.path, kind: n.displayKind, range: n.range)
            for p in n.params {
                let suffix = p.name.hasPrefix(n.path + ".") ? String(p.name.dropFirst(n.path.count + 1)) : p.name
                let property = unique(local + upperFirst(Names.identifier(suffix)), in: s)
                scopes[s].members.append(.tensor(p, property: property, origin: origin))
                access[p.name] = join(scopes[s].access, property)
            }
        }
        assignTypeNames(modelType: modelType)
    }

    /// The top-level block uses (children of the model), which own contiguous runs of ops.
    var topLevel: [Int] { scopes.indices.filter { scopes[$0].parent == 0 } }

    /// The top-level use whose layers include `path` (a node's origin), if any.
    func owner(ofPath path: String) -> Int? {
        topLevel.first { k in
            let p = scopes[k].use?.path ?? ""
            return path == p || path.hasPrefix(p + ".")
        }
    }

    /// A layer's name relative to the top-level use `k` (`conv2d1`, `branch1Conv2d1`).
    func localName(ofPath path: String, under k: Int) -> String? {
        for s in scopes.indices where scopes[s].layerNames[path] != nil {
            var parts = [scopes[s].layerNames[path]!]
            var c = s
            while c != k, let p = scopes[c].parent { parts.insert(scopes[c].property, at: 0); c = p }
            guard c == k else { return nil }
            return Names.identifier(parts.joined(separator: "."))
        }
        return nil
    }

    /// The block uses, grouped by Swift type, in first-use order.
    var blockTypes: [(typeName: String, instances: [Int])] {
        var order: [String] = []
        var groups: [String: [Int]] = [:]
        for k in scopes.indices.dropFirst() {
            let t = scopes[k].typeName
            if groups[t] == nil { order.append(t) }
            groups[t, default: []].append(k)
        }
        return order.map { ($0, groups[$0] ?? []) }
    }

    // MARK: Construction

    /// A member's property name and its construction expression in one instance.
    func memberInfo(_ m: Member) -> (property: String, expression: String) {
        switch m {
        case .tensor(let p, let property, _): return (property, "Tensor(shape: \(p.shape))")
        case .instance(let k): return (scopes[k].property, construction(k))
        }
    }

    /// Whether member `i` of a type is the same in every instance (declared with its value).
    func isUniform(_ typeName: String, member i: Int) -> Bool {
        let instances = scopes.indices.filter { scopes[$0].typeName == typeName }
        let values = Set(instances.map { memberInfo(scopes[$0].members[i]).expression })
        return values.count <= 1
    }

    /// `Resblock()`, or with the members that differ between uses (`Resblock(conv2d1Weight: …)`).
    func construction(_ k: Int) -> String { "\(scopes[k].typeName)(\(arguments(k).joined(separator: ", ")))" }

    /// The memberwise arguments of use `k`: its members that are not the same in every use.
    func arguments(_ k: Int) -> [String] {
        scopes[k].members.indices.filter { !isUniform(scopes[k].typeName, member: $0) }.map { i in
            let (property, expression) = memberInfo(scopes[k].members[i])
            return "\(property): \(expression)"
        }
    }

    // MARK: Naming

    /// The spec's `name:` (a path's last segment that is not an index), else kind and ordinal.
    private mutating func name(in s: Int, path: String, kind: String) -> String {
        let last = String(path.split(separator: ".").last ?? "")
        if !last.isEmpty, Int(last) == nil { return unique(Names.identifier(last), in: s) }
        let base = Names.identifier(kind)
        let k = (scopes[s].ordinals[base] ?? 0) + 1
        scopes[s].ordinals[base] = k
        return unique(base + String(k), in: s)
    }

    private mutating func unique(_ id: String, in s: Int) -> String {
        var id = id
        while scopes[s].used.contains(id) { id += "_" }
        scopes[s].used.insert(id)
        return id
    }

    /// One type per block definition; uses whose members differ in names get their own type.
    private mutating func assignTypeNames(modelType: String) {
        var taken: [String: String] = [:]   // type name → signature
        taken[modelType] = ""
        for k in scopes.indices.dropFirst() {
            let sig = signature(k)
            var name = Names.typeName(scopes[k].use?.block ?? "block")
            var n = 1
            while let other = taken[name], other != sig {
                n += 1
                name = Names.typeName(scopes[k].use?.block ?? "block") + String(n)
            }
            taken[name] = sig
            scopes[k].typeName = name
        }
    }

    private func signature(_ k: Int) -> String {
        let parts = scopes[k].members.map { m -> String in
            switch m {
            case .tensor(_, let property, _): return property
            case .instance(let c): return scopes[c].property + ":" + signature(c)
            }
        }
        return (scopes[k].use?.block ?? "") + "(" + parts.joined(separator: ",") + ")"
    }

    private func join(_ a: String, _ b: String) -> String { a.isEmpty ? b : a + "." + b }
    private func upperFirst(_ s: String) -> String { s.prefix(1).uppercased() + s.dropFirst() }
}
