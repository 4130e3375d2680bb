import Check

/// The symbolic batch dimension every per-example value carries in front.
public let batchDim = Dim.symbol("N")

/// Element type and shape of one IR value. Batched values start with `N`; parameters have
/// fixed shapes; scalars (losses, metrics) have the empty shape.
public struct TensorType: Hashable, Sendable, CustomStringConvertible {
    public var dtype: DType
    public var shape: [Dim]

    public init(_ dtype: DType = .float32, _ shape: [Dim]) {
        self.dtype = dtype
        self.shape = shape
    }

    public static func f32(_ shape: [Dim]) -> TensorType { TensorType(.float32, shape) }
    public static func f32(fixed shape: [Int]) -> TensorType { TensorType(.float32, shape.map { .fixed($0) }) }
    public static let scalar = TensorType(.float32, [])

    public var rank: Int { shape.count }

    /// Number of elements once every symbol is bound; nil if a symbol is unbound.
    public func count(_ bindings: [String: Int]) -> Int? {
        var n = 1
        for d in shape {
            switch d {
            case .fixed(let k): n *= k
            case .symbol(let s):
                guard let k = bindings[s] else { return nil }
                n *= k
            }
        }
        return n
    }

    /// Bytes (4 per element for both f32 and i32) once every symbol is bound.
    public func bytes(_ bindings: [String: Int]) -> Int? { count(bindings).map { $0 * 4 } }

    /// The shape without its leading batch dimension (the checker's per-example shape).
    public var perExample: [Dim] { shape.first == batchDim ? Array(shape.dropFirst()) : shape }

    /// Fixed sizes, or nil if any dimension is symbolic.
    public var fixedShape: [Int]? {
        var out: [Int] = []
        for d in shape { guard let v = d.value else { return nil }; out.append(v) }
        return out
    }

    public var description: String {
        let t = dtype == .float32 ? "f32" : "i32"
        return "\(t)[\(shape.map(\.description).joined(separator: ", "))]"
    }
}
