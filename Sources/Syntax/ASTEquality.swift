import Diagnostics

// Comparing ASTs without their ranges: a spec read from YAML and the same spec read from the
// DSL differ only in where things are, and the round-trip tests compare what they say.

private let nowhere = SourceRange(file: "", at: SourceLocation(line: 0, column: 0))

extension Spec {
    /// The same spec with every range (and the file name) blanked.
    public func strippingRanges() -> Spec {
        Spec(file: "", version: version.map(strip), model: model.map(strip), input: input?.strippingRanges(),
             defaults: defaults.map { $0.strippingRanges() }, regularize: regularize?.strippingRanges(), blocks: blocks.map { $0.strippingRanges() },
             layers: layers.map { $0.strippingRanges() }, loss: loss?.strippingRanges(),
             train: train?.strippingRanges(), data: data?.strippingRanges(), range: nowhere)
    }

    /// Whether two specs say the same thing, wherever they say it.
    public func isEqualIgnoringRanges(_ other: Spec) -> Bool {
        strippingRanges() == other.strippingRanges()
    }
}

private func strip<T>(_ l: Located<T>) -> Located<T> { Located(l.value, nowhere) }

extension InputDecl {
    func strippingRanges() -> InputDecl {
        InputDecl(shape: shape.map { $0.strippingRanges() }, dtype: dtype.map(strip), dataFormat: dataFormat.map(strip), range: nowhere)
    }
}

extension Value {
    public func strippingRanges() -> Value {
        switch kind {
        case .list(let vs): return Value(.list(vs.map { $0.strippingRanges() }), nowhere)
        case .map(let es): return Value(.map(es.map { $0.strippingRanges() }), nowhere)
        case .layers(let ls): return Value(.layers(ls.map { $0.strippingRanges() }), nowhere)
        default: return Value(kind, nowhere)
        }
    }
}

extension Entry {
    func strippingRanges() -> Entry { Entry(key: strip(key), value: value.strippingRanges()) }
}

extension LayerItem {
    public func strippingRanges() -> LayerItem {
        switch self {
        case .layer(let l):
            return .layer(Layer(kind: strip(l.kind), primary: l.primary?.strippingRanges(),
                                arguments: l.arguments.map { $0.strippingRanges() }, name: l.name.map(strip),
                                from: l.from?.map(strip),
                                expect: l.expect.map { Located($0.value.map { $0.strippingRanges() }, nowhere) }, range: nowhere))
        case .repeat(let r):
            return .repeat(Repeat(count: r.count.strippingRanges(), index: r.index.map(strip),
                                  body: r.body.map { $0.strippingRanges() }, range: nowhere))
        }
    }
}

extension BlockDef {
    func strippingRanges() -> BlockDef {
        BlockDef(name: strip(name),
                 parameters: parameters.map { .init(name: strip($0.name), defaultValue: $0.defaultValue?.strippingRanges()) },
                 body: body.map { $0.strippingRanges() }, range: nowhere)
    }
}
