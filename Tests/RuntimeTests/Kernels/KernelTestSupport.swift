import XCTest
import Dispatch
@testable import Runtime

/// Deterministic test data (SplitMix64); the runtime's own RNG is tested elsewhere.
struct TestRandom {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [lo, hi).
    mutating func uniform(_ lo: Float = -1, _ hi: Float = 1) -> Float {
        lo + (hi - lo) * Float(next() >> 40) / Float(1 << 24)
    }

    mutating func tensor(_ shape: [Int], _ lo: Float = -1, _ hi: Float = 1) -> Tensor {
        let t = Tensor(shape: shape)
        for i in 0..<t.count { t[i] = uniform(lo, hi) }
        return t
    }

    mutating func int(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
}

/// Asserts |x − y| ≤ atol + rtol·|y| elementwise, reporting the first offender.
func assertClose(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, count: Int, rtol: Float = 1e-5,
                 atol: Float = 1e-5, _ message: @autoclosure () -> String = "",
                 file: StaticString = #filePath, line: UInt = #line) {
    for i in 0..<count where !(abs(x[i] - y[i]) <= atol + rtol * abs(y[i])) {
        XCTFail("index \(i): \(x[i]) vs \(y[i]) \(message())", file: file, line: line)
        return
    }
}

func assertClose(_ x: Tensor, _ y: Tensor, rtol: Float = 1e-5, atol: Float = 1e-5,
                 _ message: @autoclosure () -> String = "", file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(x.count, y.count, file: file, line: line)
    assertClose(x.data, y.data, count: min(x.count, y.count), rtol: rtol, atol: atol, message(), file: file, line: line)
}

/// Asserts two buffers are bit-identical.
func assertBitIdentical(_ x: Tensor, _ y: Tensor, _ message: @autoclosure () -> String = "",
                        file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(x.count, y.count, file: file, line: line)
    for i in 0..<min(x.count, y.count) where x[i].bitPattern != y[i].bitPattern {
        XCTFail("index \(i): \(x[i]) vs \(y[i]) differ \(message())", file: file, line: line)
        return
    }
}

/// Central finite differences in Float64 of a scalar function of `x`, used as the gradient oracle.
func finiteDifference(_ x: [Double], h: Double = 1e-6, _ f: ([Double]) -> Double) -> [Double] {
    var g = [Double](repeating: 0, count: x.count)
    var xp = x
    for i in 0..<x.count {
        xp[i] = x[i] + h
        let up = f(xp)
        xp[i] = x[i] - h
        let down = f(xp)
        xp[i] = x[i]
        g[i] = (up - down) / (2 * h)
    }
    return g
}

/// Compares a Float32 analytic gradient with a Float64 numeric one.
func assertGradient(_ analytic: UnsafePointer<Float>, _ numeric: [Double], rtol: Double = 2e-3, atol: Double = 2e-4,
                    _ message: @autoclosure () -> String = "", file: StaticString = #filePath, line: UInt = #line) {
    for i in 0..<numeric.count where !(abs(Double(analytic[i]) - numeric[i]) <= atol + rtol * abs(numeric[i])) {
        XCTFail("gradient index \(i): analytic \(analytic[i]) vs numeric \(numeric[i]) \(message())", file: file, line: line)
        return
    }
}

extension Tensor {
    var doubles: [Double] { (0..<count).map { Double(self[$0]) } }
    func copy() -> Tensor { Tensor(shape: shape, values: array) }
}

/// Awkward sizes the fast kernels must get right (edges of every blocking).
let awkwardSizes = [1, 3, 7, 17, 31, 33, 65, 127]

/// Seconds per call. REGULA_BENCH=cpu measures this thread's CPU time instead of wall time
/// (meaningful for one thread on a loaded machine).
func benchTime(_ repeats: Int, _ body: () -> Void) -> Double {
    body()
    let cpu = ProcessInfo.processInfo.environment["REGULA_BENCH"] == "cpu"
    func now() -> Double {
        if cpu {
            var ts = timespec()
            clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
            return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
        }
        return Double(DispatchTime.now().uptimeNanoseconds) * 1e-9
    }
    let start = now()
    for _ in 0..<repeats { body() }
    return (now() - start) / Double(repeats)
}

