import Diagnostics

// The abstract syntax of a Regula spec. The YAML reader and the DSL parser both produce it;
// the printers turn it back into either format. Every node keeps the source range it came from.
// The AST is untyped at the level of layer arguments: which arguments a kind takes, and their
// types, are the checker's business (Check/Kinds), so the reader stays format-only.

/// A value together with the range of text it came from.
public struct Located<T> {
    public var value: T
    public var range: SourceRange

    public init(_ value: T, _ range: SourceRange) {
        self.value = value
        self.range = range
    }
}

extension Located: Equatable where T: Equatable {}
extension Located: Hashable where T: Hashable {}

/// An arithmetic expression over block parameters and repeat indices (`filters * 2`,
/// `1 - 0.5 * i / n`). Numbers alone are not wrapped in `Expr`; see `Value.Kind`.
public indirect enum Expr: Hashable {
    case number(Double, isInteger: Bool)
    case name(String)
    case string(String)
    case negate(Expr)
    case binary(BinaryOp, Expr, Expr)
    /// A call of a built-in function (`min`, `max`, `floor`, `ceil`, `round`, `int`).
    case call(String, [Expr])

    public enum BinaryOp: String, Hashable, CaseIterable {
        case add = "+", subtract = "-", multiply = "*", divide = "/", floorDivide = "//", modulo = "%", power = "**"
    }
}

/// A value written in a spec: a layer argument, a section entry, a list element.
public struct Value: Equatable {
    public indirect enum Kind: Equatable {
        case null
        case bool(Bool)
        case int(Int)
        case float(Double)
        /// A string or a bare identifier (`same`, `relu`, `val_loss`).
        case string(String)
        case list([Value])
        case map([Entry])
        /// A layer list: the value of `body:`, `shortcut:`, `layers:`, or one element of `branches:`.
        case layers([LayerItem])
        /// An expression that needs block parameters or repeat indices to evaluate.
        case expr(Expr)
    }

    public var kind: Kind
    public var range: SourceRange
    /// For an expression (`.expr`): every name it reads, where it is written, in source order
    /// (`filters` in `${filters * 2}` or `conv2d(filters: filters)`), so an editor can point at a
    /// parameter use. `Expr` itself stays position-free, as the checker evaluates it.
    public var names: [Located<String>]

    public init(_ kind: Kind, _ range: SourceRange, names: [Located<String>] = []) {
        self.kind = kind
        self.range = range
        self.names = names
    }
}

/// One `key: value` pair of a map, in source order (duplicate keys are a reader error).
public struct Entry: Equatable {
    public var key: Located<String>
    public var value: Value

    public init(key: Located<String>, value: Value) {
        self.key = key
        self.value = value
    }
}

/// One element of a layer list.
public indirect enum LayerItem: Equatable {
    case layer(Layer)
    /// `repeat n [as i] { ... }` — the body is instantiated `count` times with `index` bound to 0..<count.
    case `repeat`(Repeat)

    public var range: SourceRange {
        switch self {
        case .layer(let l): return l.range
        case .repeat(let r): return r.range
        }
    }
}

/// A layer or a use of a block: `- dense: 256`, `- conv2d: {filters: 32}`, `- resblock: {filters: 16}`.
public struct Layer: Equatable {
    /// The kind as written (an alias like `linear` is resolved by the checker), or a block name.
    public var kind: Located<String>
    /// The primary argument (`256` in `dense: 256`), if given positionally.
    public var primary: Value?
    /// Named arguments in source order.
    public var arguments: [Entry]
    public var name: Located<String>?
    /// The layer's inputs; nil means the previous layer (or the model input for the first layer).
    public var from: [Located<String>]?
    /// An asserted per-example output shape; elements are ints or dimension names.
    public var expect: Located<[Value]>?
    /// The whole layer item.
    public var range: SourceRange

    public init(kind: Located<String>, primary: Value? = nil, arguments: [Entry] = [],
                name: Located<String>? = nil, from: [Located<String>]? = nil,
                expect: Located<[Value]>? = nil, range: SourceRange) {
        self.kind = kind
        self.primary = primary
        self.arguments = arguments
        self.name = name
        self.from = from
        self.expect = expect
        self.range = range
    }

    /// The argument labelled `label`, if present.
    public func argument(_ label: String) -> Entry? {
        arguments.first { $0.key.value == label }
    }
}

public struct Repeat: Equatable {
    public var count: Value
    /// The index variable's name (`i`), if the body uses one.
    public var index: Located<String>?
    public var body: [LayerItem]
    public var range: SourceRange

    public init(count: Value, index: Located<String>?, body: [LayerItem], range: SourceRange) {
        self.count = count
        self.index = index
        self.body = body
        self.range = range
    }
}

/// A reusable, parameterized group of layers, used like a layer kind.
public struct BlockDef: Equatable {
    public struct Parameter: Equatable {
        public var name: Located<String>
        public var defaultValue: Value?

        public init(name: Located<String>, defaultValue: Value?) {
            self.name = name
            self.defaultValue = defaultValue
        }
    }

    public var name: Located<String>
    public var parameters: [Parameter]
    public var body: [LayerItem]
    public var range: SourceRange

    public init(name: Located<String>, parameters: [Parameter], body: [LayerItem], range: SourceRange) {
        self.name = name
        self.parameters = parameters
        self.body = body
        self.range = range
    }
}

/// `input: [1, 28, 28]` or `input: {shape: [...], dtype: ..., data_format: ...}`.
public struct InputDecl: Equatable {
    /// Per-example dimensions: ints or dimension names (`seq`).
    public var shape: [Value]
    public var dtype: Located<String>?
    public var dataFormat: Located<String>?
    public var range: SourceRange

    public init(shape: [Value], dtype: Located<String>? = nil, dataFormat: Located<String>? = nil, range: SourceRange) {
        self.shape = shape
        self.dtype = dtype
        self.dataFormat = dataFormat
        self.range = range
    }
}

/// A whole spec file. Sections the reader does not interpret (`loss`, `train`, `data`) are kept as
/// values and validated by the checker.
public struct Spec: Equatable {
    public var file: String
    /// `regula: 1`, the format version.
    public var version: Located<Int>?
    public var model: Located<String>?
    public var input: InputDecl?
    /// Regularization attributes applied to every parametric layer unless it overrides them.
    public var defaults: [Entry]
    /// Selector rules: a list of maps, each a `match:` and the attributes it sets on the tensors
    /// it matches (checked by the checker).
    public var regularize: Value?
    public var blocks: [BlockDef]
    public var layers: [LayerItem]
    public var loss: Value?
    public var train: Value?
    public var data: Value?
    /// The whole file.
    public var range: SourceRange

    public init(file: String, version: Located<Int>? = nil, model: Located<String>? = nil,
                input: InputDecl? = nil, defaults: [Entry] = [], regularize: Value? = nil, blocks: [BlockDef] = [],
                layers: [LayerItem] = [], loss: Value? = nil, train: Value? = nil, data: Value? = nil,
                range: SourceRange) {
        self.file = file
        self.version = version
        self.model = model
        self.input = input
        self.defaults = defaults
        self.regularize = regularize
        self.blocks = blocks
        self.layers = layers
        self.loss = loss
        self.train = train
        self.data = data
        self.range = range
    }
}

/// Argument names whose values are layer lists; both readers use this table.
public enum LayerListKeys {
    /// `body: [...]`, `shortcut: [...]`, `layers: [...]` hold one layer list.
    public static let single: Set<String> = ["body", "shortcut", "layers"]
    /// `branches: [[...], [...]]` holds a list of layer lists.
    public static let multiple: Set<String> = ["branches"]
}
