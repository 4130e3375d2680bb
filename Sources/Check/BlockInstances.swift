import Diagnostics
import Syntax

/// One instance of a block that expansion made: the use it comes from and the value each of
/// the block's parameters took there (a use inside a repeat or inside another block makes one
/// instance per iteration or outer instance, all at the same use).
public struct BlockInstance: Hashable, Sendable {
    public var block: String
    /// The block's name at the use (`resblock` in `resblock(filters: 32)`).
    public var use: SourceRange
    /// Parameter name → its value, printed as the checker's notes print it (`0.875`, `same`).
    public var values: [String: String]
}

/// Every block instance of the spec, in expansion order, for editors: the language server shows
/// a parameter's value at each instance. Expands the layers as `check` does; instances whose
/// arguments fail to evaluate are left out (`check` reports them).
public func blockInstances(in spec: Spec) -> [BlockInstance] {
    expandLayers(spec).0.instances
}
