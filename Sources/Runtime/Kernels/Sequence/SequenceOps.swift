#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Pooling a sequence to one vector. Layouts: x is [N, T, F] (batch-first), y is [N, F].
public enum SequencePool {
    /// How the steps are summarized.
    public enum Mode: String, Hashable, Sendable {
        /// The mean over the steps (Keras `GlobalAveragePooling1D`).
        case mean
        /// The maximum over the steps, per feature (Keras `GlobalMaxPooling1D`); NaN wins, and the
        /// gradient goes to the first step holding the maximum.
        case max
        /// The first step (BERT's `[CLS]` token).
        case first
    }

    public static func forward(_ mode: Mode, batch n: Int, steps t: Int, features f: Int,
                               x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>) {
        for b in 0..<n {
            let xb = x + b * t * f, yb = y + b * f
            switch mode {
            case .first:
                yb.update(from: xb, count: f)
            case .mean:
                for j in 0..<f { yb[j] = 0 }
                for s in 0..<t { for j in 0..<f { yb[j] += xb[s * f + j] } }
                let inv = 1 / Float(max(t, 1))
                for j in 0..<f { yb[j] *= inv }
            case .max:
                for j in 0..<f {
                    var m = xb[j]
                    for s in 1..<max(t, 1) where xb[s * f + j] > m || m.isNaN == false && xb[s * f + j].isNaN { m = xb[s * f + j] }
                    yb[j] = m
                }
            }
        }
    }

    /// dx from dy: mean spreads dy/T over the steps, max routes dy to the first arg-max step (NaN
    /// wins, as in the forward), first to step 0.
    public static func backward(_ mode: Mode, batch n: Int, steps t: Int, features f: Int,
                                x: UnsafePointer<Float>, dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>) {
        dx.update(repeating: 0, count: n * t * f)
        for b in 0..<n {
            let xb = x + b * t * f, g = dy + b * f, d = dx + b * t * f
            switch mode {
            case .first:
                d.update(from: g, count: f)
            case .mean:
                let inv = 1 / Float(max(t, 1))
                for s in 0..<t { for j in 0..<f { d[s * f + j] = g[j] * inv } }
            case .max:
                for j in 0..<f {
                    var arg = 0, m = xb[j]
                    for s in 1..<max(t, 1) where xb[s * f + j] > m || m.isNaN == false && xb[s * f + j].isNaN { m = xb[s * f + j]; arg = s }
                    d[arg * f + j] = g[j]
                }
            }
        }
    }
}

/// The sinusoidal positional encoding of Vaswani et al. 2017 ("Attention Is All You Need"),
/// added to a [N, T, F] sequence: PE(t, 2i) = sin(t / 10000^(2i/F)), PE(t, 2i+1) = cos(t / 10000^(2i/F)).
/// The gradient passes through unchanged.
public enum PositionalEncoding {
    /// The [T, F] table, computed in Float64 and rounded once.
    public static func table(steps t: Int, features f: Int) -> [Float] {
        var out = [Float](repeating: 0, count: t * f)
        for s in 0..<t {
            for j in 0..<f {
                let angle = Double(s) / pow(10000, Double(2 * (j / 2)) / Double(f))
                out[s * f + j] = Float(j % 2 == 0 ? sin(angle) : cos(angle))
            }
        }
        return out
    }

    /// y = x + PE (y may be x).
    public static func add(batch n: Int, steps t: Int, features f: Int, table: [Float], x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>) {
        precondition(table.count == t * f, "positional table [\(table.count)] does not match [\(t), \(f)]")
        table.withUnsafeBufferPointer { pe in
            for b in 0..<n {
                for i in 0..<(t * f) { y[b * t * f + i] = x[b * t * f + i] + pe[i] }
            }
        }
    }
}
