#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Pointwise activations, forward and backward, as one table.
///
/// Layouts: any contiguous buffer of `count` floats; forward and backward may run in place
/// (`y == x`, `dx == dy`). Backward needs the input `x` only for `gelu`, `geluTanh` and `silu`;
/// the others are computed from the output `y` (`backwardNeedsInput` says which), so a fused
/// epilogue can overwrite the pre-activation when it is not needed.
public enum Activation: Hashable, Sendable {
    case identity
    case relu
    case leakyRelu(slope: Float)   // PyTorch default slope 0.01
    case elu(alpha: Float)         // PyTorch default alpha 1.0
    case gelu                      // exact erf form, PyTorch `GELU()` default
    case geluTanh                  // PyTorch `GELU(approximate="tanh")`
    case tanh
    case sigmoid
    case silu
    case selu                      // λ·elu(x, α), λ 1.0507…, α 1.6733… (Klambauer et al. 2017)

    /// SELU's constants (PyTorch `SELU`, Keras `selu`).
    public static let seluAlpha: Float = 1.6732632423543772
    public static let seluLambda: Float = 1.0507009873554805

    /// Whether `backward` reads `x` (otherwise it reads only `y`).
    public var backwardNeedsInput: Bool {
        switch self {
        case .gelu, .geluTanh, .silu: return true
        case .leakyRelu(let s): return s <= 0
        case .elu(let a): return a <= 0
        default: return false
        }
    }

    /// y = f(x)
    @inline(__always)
    public func value(_ x: Float) -> Float {
        switch self {
        case .identity: return x
        case .relu: return x > 0 ? x : 0                                 // max(x, 0)
        case .leakyRelu(let s): return x > 0 ? x : s * x                 // x or s·x
        case .elu(let a): return x > 0 ? x : a * (expf(x) - 1)           // x or α(eˣ − 1)
        case .gelu: return 0.5 * x * (1 + erff(x * 0.70710678118654752))   // x·Φ(x)
        case .geluTanh:                                                  // ½x(1 + tanh(√(2/π)(x + 0.044715x³)))
            return 0.5 * x * (1 + tanhf(0.79788456080286536 * (x + 0.044715 * x * x * x)))
        case .tanh: return tanhf(x)
        case .sigmoid: return Activation.sigmoid(x)                      // 1/(1 + e⁻ˣ)
        case .silu: return x * Activation.sigmoid(x)                     // x·σ(x)
        case .selu:                                                      // λx or λα(eˣ − 1)
            return x > 0 ? Activation.seluLambda * x : Activation.seluLambda * Activation.seluAlpha * (expf(x) - 1)
        }
    }

    /// f′ at input x with output y (only the one the case needs is read).
    @inline(__always)
    public func derivative(x: Float, y: Float) -> Float {
        switch self {
        case .identity: return 1
        case .relu: return y > 0 ? 1 : 0                                 // [x > 0]
        case .leakyRelu(let s): return (s > 0 ? y > 0 : x > 0) ? 1 : s
        case .elu(let a): return (a > 0 ? y > 0 : x > 0) ? 1 : (a > 0 ? y + a : a * expf(x))  // αeˣ = y + α
        case .gelu:                                                      // Φ(x) + x·φ(x)
            return 0.5 * (1 + erff(x * 0.70710678118654752)) + x * 0.39894228040143268 * expf(-0.5 * x * x)
        case .geluTanh:
            let k: Float = 0.79788456080286536
            let t = tanhf(k * (x + 0.044715 * x * x * x))
            return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * k * (1 + 3 * 0.044715 * x * x)
        case .tanh: return 1 - y * y                                     // 1 − tanh²
        case .sigmoid: return y * (1 - y)                                // σ(1 − σ)
        case .silu:                                                      // σ(x)(1 + x(1 − σ(x)))
            let s = Activation.sigmoid(x)
            return s * (1 + x * (1 - s))
        case .selu:                                                      // λ or λαeˣ = y + λα
            return y > 0 ? Activation.seluLambda : y + Activation.seluLambda * Activation.seluAlpha
        }
    }

    @inline(__always)
    static func sigmoid(_ x: Float) -> Float {
        if x >= 0 { return 1 / (1 + expf(-x)) }
        let e = expf(x)
        return e / (1 + e)
    }

    /// y[i] = f(x[i]). Large buffers are split into fixed 64K-element chunks run in parallel
    /// (elementwise, so the thread count cannot change any value).
    public func forward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int, pool: ThreadPool = .default) {
        Activation.chunked(count, pool) { lo, n in self.forwardSerial(x + lo, y + lo, count: n) }
    }

    func forwardSerial(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        switch self {
        case .identity: if UnsafePointer(y) != x { y.update(from: x, count: count) }
        case .relu: Activation.reluForward(x, y, count: count)
        default: for i in 0..<count { y[i] = value(x[i]) }
        }
    }

    static let chunk = 1 << 16

    /// Runs `body(start, count)` over `count` elements, in parallel chunks when large.
    @inline(__always)
    static func chunked(_ count: Int, _ pool: ThreadPool, _ body: (Int, Int) -> Void) {
        if count <= 2 * chunk || pool.threads == 1 {
            body(0, count)
        } else {
            pool.parallelFor((count + chunk - 1) / chunk) { c in body(c * chunk, min(chunk, count - c * chunk)) }
        }
    }

    /// dx[i] = dy[i]·f′(x[i]); `x` may be nil unless `backwardNeedsInput`, `y` may be nil if it is.
    public func backward(x: UnsafePointer<Float>?, y: UnsafePointer<Float>?, dy: UnsafePointer<Float>,
                         dx: UnsafeMutablePointer<Float>, count: Int, pool: ThreadPool = .default) {
        if backwardNeedsInput {
            guard let x else { preconditionFailure("\(self) backward needs the activation input") }
            Activation.chunked(count, pool) { lo, n in
                for i in lo..<(lo + n) { dx[i] = dy[i] * self.derivative(x: x[i], y: 0) }
            }
        } else {
            guard let y else { preconditionFailure("\(self) backward needs the activation output") }
            Activation.chunked(count, pool) { lo, n in
                switch self {
                case .identity: if UnsafePointer(dx) != dy { (dx + lo).update(from: dy + lo, count: n) }
                case .relu: Activation.reluBackward(y + lo, dy + lo, dx + lo, count: n)
                default: for i in lo..<(lo + n) { dx[i] = dy[i] * self.derivative(x: 0, y: y[i]) }
                }
            }
        }
    }

    /// y = max(x, 0) as Swift defines it (NaN stays NaN, −0 becomes 0), sixteen lanes at a time:
    /// the scalar loop does not vectorize (y may alias x).
    @inline(__always)
    static func reluForward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        let rx = UnsafeRawPointer(x), ry = UnsafeMutableRawPointer(y)
        let zero = SIMD16<Float>()
        var i = 0
        while i + 16 <= count {
            let v = rx.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
            ry.storeBytes(of: v.replacing(with: zero, where: v .<= zero), toByteOffset: i * 4, as: SIMD16<Float>.self)
            i += 16
        }
        while i < count { y[i] = max(x[i], 0); i += 1 }
    }

    /// dx = dy·[y > 0], sixteen lanes at a time: the scalar form compiles to a data-dependent
    /// branch that mispredicts half the time on real activations.
    @inline(__always)
    static func reluBackward(_ y: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, count: Int) {
        let ry = UnsafeRawPointer(y), rg = UnsafeRawPointer(dy), rd = UnsafeMutableRawPointer(dx)
        let zero = SIMD16<Float>()
        var i = 0
        while i + 16 <= count {
            let yv = ry.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
            let gv = rg.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
            rd.storeBytes(of: gv.replacing(with: zero, where: .!(yv .> zero)), toByteOffset: i * 4, as: SIMD16<Float>.self)
            i += 16
        }
        while i < count { dx[i] = y[i] > 0 ? dy[i] : 0; i += 1 }
    }
}
