#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Softmax and log-softmax over the last axis.
///
/// Layouts: x, y, dy, dx are [rows, n], contiguous. Rows are independent work items (parallel);
/// within a row the max and the sum run in index order, so results do not depend on threads.
/// Numerically stable: the row maximum is subtracted before exponentiating.
public enum Softmax {
    /// y = softmax(x) per row.
    public static func forward(rows: Int, n: Int, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
                               pool: ThreadPool = .default) {
        pool.parallelFor(rows) { r in
            let xr = x + r * n, yr = y + r * n
            var mx = -Float.infinity
            for j in 0..<n { mx = max(mx, xr[j]) }
            var sum: Float = 0
            for j in 0..<n { let e = expf(xr[j] - mx); yr[j] = e; sum += e }
            let inv = 1 / sum
            for j in 0..<n { yr[j] *= inv }
        }
    }

    /// dx = y ⊙ (dy − Σ_j dy_j·y_j) per row, from the softmax output y.
    public static func backward(rows: Int, n: Int, y: UnsafePointer<Float>, dy: UnsafePointer<Float>,
                                dx: UnsafeMutablePointer<Float>, pool: ThreadPool = .default) {
        pool.parallelFor(rows) { r in
            let yr = y + r * n, gr = dy + r * n, dr = dx + r * n
            var dot: Float = 0
            for j in 0..<n { dot += gr[j] * yr[j] }
            for j in 0..<n { dr[j] = yr[j] * (gr[j] - dot) }
        }
    }

    /// y = x − max − log Σ exp(x − max) per row.
    public static func logForward(rows: Int, n: Int, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
                                  pool: ThreadPool = .default) {
        pool.parallelFor(rows) { r in
            let xr = x + r * n, yr = y + r * n
            var mx = -Float.infinity
            for j in 0..<n { mx = max(mx, xr[j]) }
            var sum: Float = 0
            for j in 0..<n { sum += expf(xr[j] - mx) }
            let shift = mx + logf(sum)
            for j in 0..<n { yr[j] = xr[j] - shift }
        }
    }

    /// dx = dy − exp(y)·Σ_j dy_j per row, from the log-softmax output y.
    public static func logBackward(rows: Int, n: Int, y: UnsafePointer<Float>, dy: UnsafePointer<Float>,
                                   dx: UnsafeMutablePointer<Float>, pool: ThreadPool = .default) {
        pool.parallelFor(rows) { r in
            let yr = y + r * n, gr = dy + r * n, dr = dx + r * n
            var sum: Float = 0
            for j in 0..<n { sum += gr[j] }
            for j in 0..<n { dr[j] = gr[j] - expf(yr[j]) * sum }
        }
    }
}

/// Naive twin of `Softmax`, in Float64 (oracle for tests).
public enum SoftmaxReference {
    public static func forward(rows: Int, n: Int, _ x: [Double], log: Bool = false) -> [Double] {
        var y = [Double](repeating: 0, count: rows * n)
        for r in 0..<rows {
            let row = x[(r * n)..<(r * n + n)]
            let mx = row.max() ?? 0
            let sum = row.reduce(0.0) { $0 + exp($1 - mx) }
            let logSum = logDouble(sum)
            for j in 0..<n { y[r * n + j] = log ? x[r * n + j] - mx - logSum : exp(x[r * n + j] - mx) / sum }
        }
        return y
    }
}

@inline(__always) func logDouble(_ x: Double) -> Double { log(x) }
