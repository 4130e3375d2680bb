import XCTest
@testable import Runtime
import RuntimeIntrinsics

final class GemmTests: XCTestCase {
    /// Runs fast and naive GEMM on the same inputs and checks the fast result against the
    /// Float64 oracle with a bound proportional to Σ|a||b| (float summation error).
    func check(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1, beta: Float = 0,
               pad: Int = 0, threads: Int = 2, rng: inout TestRandom, file: StaticString = #filePath, line: UInt = #line) {
        let lda = (transA ? m : k) + pad, ldb = (transB ? k : n) + pad, ldc = n + pad
        let a = rng.tensor([transA ? k : m, lda]), b = rng.tensor([transB ? n : k, ldb])
        let c0 = rng.tensor([m, ldc])
        let fast = c0.copy(), slow = c0.copy()
        if beta == 0 { for i in 0..<fast.count { fast[i] = .nan } }  // β = 0 must not read C
        Gemm.sgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a.data, lda: lda,
                   b: b.data, ldb: ldb, beta: beta, c: fast.data, ldc: ldc, pool: ThreadPool(threads: threads))
        GemmReference.sgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a.data, lda: lda,
                            b: b.data, ldb: ldb, beta: beta, c: slow.data, ldc: ldc)
        for i in 0..<m {
            for j in 0..<n {
                var absSum: Float = abs(beta * c0[i * ldc + j])
                for p in 0..<k {
                    let av = transA ? a[p * lda + i] : a[i * lda + p]
                    let bv = transB ? b[j * ldb + p] : b[p * ldb + j]
                    absSum += abs(alpha * av * bv)
                }
                let bound = 4 * Float(k + 2).squareRoot() * Float.ulpOfOne * absSum + 1e-30
                let x = fast[i * ldc + j], y = slow[i * ldc + j]
                if !(abs(x - y) <= bound) {
                    XCTFail("transA \(transA) transB \(transB) m \(m) n \(n) k \(k) at (\(i),\(j)): \(x) vs \(y), bound \(bound)", file: file, line: line)
                    return
                }
            }
        }
        // Padding columns of C are untouched.
        for i in 0..<m { for j in n..<ldc where fast[i * ldc + j].bitPattern != c0[i * ldc + j].bitPattern && beta != 0 {
            XCTFail("padding written at (\(i),\(j))", file: file, line: line); return
        } }
    }

    func testAwkwardShapesAllTransposes() {
        var rng = TestRandom(seed: 1)
        let sizes = [1, 3, 7, 17, 33, 65]
        for (ta, tb) in [(false, false), (false, true), (true, false), (true, true)] {
            for m in sizes { for n in [1, 7, 31, 33, 65] { for k in [1, 17, 127] {
                check(transA: ta, transB: tb, m: m, n: n, k: k, rng: &rng)
            } } }
        }
    }

    /// Packing a transposed operand (8×8 register transposes plus scalar edges) gives the same
    /// panels as packing its materialized transpose, element for element: full and partial
    /// panels, depths with and without a multiple of 8, several K blocks, a padded leading dimension.
    func testTransposedPackingEqualsPackingTheTranspose() {
        var rng = TestRandom(seed: 9)
        for (rows, k) in [(8, 8), (32, 784), (37, 300), (5, 13), (64, 1100), (9, 7)] {
            let ld = k + 3
            let source = rng.tensor([rows * ld])                         // [rows, k] with leading dimension ld
            let transposed = Tensor(shape: [k * rows])                  // [k, rows]
            for r in 0..<rows { for kk in 0..<k { transposed[kk * rows + r] = source[r * ld + kk] } }
            let countB = Gemm.packedCountB(n: rows, k: k), countA = Gemm.packedCountA(m: rows, k: k)
            let viaTranspose = Tensor(shape: [countB]), direct = Tensor(shape: [countB])
            Gemm.packB(transB: true, n: rows, k: k, b: source.data, ldb: ld, into: direct.data)
            Gemm.packB(transB: false, n: rows, k: k, b: transposed.data, ldb: rows, into: viaTranspose.data)
            XCTAssertEqual((0..<countB).first { direct[$0].bitPattern != viaTranspose[$0].bitPattern }, nil, "B \(rows)×\(k)")
            let aDirect = Tensor(shape: [countA]), aViaTranspose = Tensor(shape: [countA])
            Gemm.packA(transA: false, m: rows, k: k, a: source.data, lda: ld, into: aDirect.data)
            Gemm.packA(transA: true, m: rows, k: k, a: transposed.data, lda: rows, into: aViaTranspose.data)
            XCTAssertEqual((0..<countA).first { aDirect[$0].bitPattern != aViaTranspose[$0].bitPattern }, nil, "A \(rows)×\(k)")
        }
    }

    func testAlphaBetaAndLeadingDimensions() {
        var rng = TestRandom(seed: 2)
        for (ta, tb) in [(false, false), (false, true), (true, false)] {
            check(transA: ta, transB: tb, m: 31, n: 65, k: 33, alpha: 0.5, beta: 1, pad: 3, rng: &rng)
            check(transA: ta, transB: tb, m: 17, n: 33, k: 7, alpha: -2, beta: 0.25, pad: 5, rng: &rng)
            check(transA: ta, transB: tb, m: 9, n: 40, k: 3, alpha: 1, beta: 0, pad: 1, rng: &rng)
        }
    }

    func testMultipleKBlocksAndTiles() {
        var rng = TestRandom(seed: 3)
        // k > kc (256) exercises the β-then-accumulate path; m, n cross tile boundaries.
        check(transA: false, transB: false, m: 130, n: 515, k: 600, rng: &rng)
        check(transA: false, transB: true, m: 128, n: 256, k: 784, rng: &rng)   // MLP forward
        check(transA: true, transB: false, m: 256, n: 784, k: 128, rng: &rng)   // MLP weight gradient
        check(transA: false, transB: false, m: 128, n: 784, k: 256, beta: 1, rng: &rng)  // MLP input gradient
    }

    func testZeroDepthScalesC() {
        let c = Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6])
        let a = Tensor(shape: [1]), b = Tensor(shape: [1])
        Gemm.sgemm(m: 2, n: 3, k: 0, a: a.data, lda: 0, b: b.data, ldb: 3, beta: 2, c: c.data, ldc: 3)
        XCTAssertEqual(c.array, [2, 4, 6, 8, 10, 12])
        Gemm.sgemm(m: 2, n: 3, k: 0, a: a.data, lda: 0, b: b.data, ldb: 3, beta: 0, c: c.data, ldc: 3)
        XCTAssertEqual(c.array, [0, 0, 0, 0, 0, 0])
    }

    func testBitIdenticalAcrossThreadCounts() {
        var rng = TestRandom(seed: 4)
        for (m, n, k) in [(128, 256, 784), (65, 33, 300), (200, 600, 513), (7, 1000, 31), (200, 10, 1568)] {
            let a = rng.tensor([m, k]), b = rng.tensor([n, k])
            let c1 = Tensor(shape: [m, n]), c2 = Tensor(shape: [m, n]), c3 = Tensor(shape: [m, n])
            for (c, t) in [(c1, 1), (c2, 2), (c3, 5)] {
                Gemm.sgemm(transB: true, m: m, n: n, k: k, a: a.data, lda: k, b: b.data, ldb: k,
                           c: c.data, ldc: n, pool: ThreadPool(threads: t))
            }
            assertBitIdentical(c1, c2, "m \(m) n \(n) k \(k) 1 vs 2 threads")
            assertBitIdentical(c1, c3, "m \(m) n \(n) k \(k) 1 vs 5 threads")
        }
    }

    /// Skipping the all-zero steps of packed A panels changes no value: images with zero borders
    /// (MNIST-like), a panel that is entirely zero, -0, edge rows, both layouts of A, several K
    /// blocks, α and β; and a NaN in A still reaches C.
    func testSkippingZeroStepsEqualsTheDenseProduct() {
        var rng = TestRandom(seed: 5)
        for (transA, m, n, k, alpha, beta) in [(false, 64, 256, 784, Float(1), Float(0)), (false, 13, 70, 600, 0.5, 1),
                                               (true, 37, 33, 300, -2, 0.25), (false, 8, 32, 16, 1, 0)] {
            let a = rng.tensor([m * k]), b = rng.tensor([k * n]), c0 = rng.tensor([m * n])
            for i in 0..<m { for p in 0..<k {
                let (row, col) = transA ? (p, i) : (i, p)
                let pixel = (transA ? row : col) % 28, line = (transA ? row : col) / 28
                // Zero outside a centered window, zero everywhere for the first rows, -0 sometimes.
                if pixel < 6 || pixel > 21 || line % 28 < 5 || i < 8 || (p % 7 == 0 && i % 3 == 0) {
                    a[row * (transA ? m : k) + col] = p % 5 == 0 ? -0.0 : 0
                }
            } }
            let skipped = c0.copy(), dense = c0.copy(), slow = c0.copy()
            for (c, skip) in [(skipped, true), (dense, false)] {
                Gemm.sgemm(transA: transA, transB: false, m: m, n: n, k: k, alpha: alpha, a: a.data, lda: transA ? m : k,
                           b: b.data, ldb: n, beta: beta, c: c.data, ldc: n, epilogue: nil, pool: ThreadPool(threads: 2),
                           skipZeroSteps: skip)
            }
            XCTAssertEqual((0..<m * n).first { skipped[$0] != dense[$0] }, nil, "m \(m) n \(n) k \(k) transA \(transA)")
            GemmReference.sgemm(transA: transA, m: m, n: n, k: k, alpha: alpha, a: a.data, lda: transA ? m : k,
                                b: b.data, ldb: n, beta: beta, c: slow.data, ldc: n)
            XCTAssertEqual((0..<m * n).first { abs(skipped[$0] - slow[$0]) > 1e-3 }, nil, "m \(m) n \(n) k \(k) vs the reference")
        }
        // A NaN in an otherwise zero panel is a kept step.
        let a = Tensor(shape: [8 * 64]), b = Tensor(shape: [64 * 32], values: Array(repeating: 1, count: 64 * 32))
        a[3 * 64 + 40] = .nan
        let c = Tensor(shape: [8 * 32])
        Gemm.sgemm(m: 8, n: 32, k: 64, a: a.data, lda: 64, b: b.data, ldb: 32, c: c.data, ldc: 32)
        XCTAssertTrue((0..<32).allSatisfy { c[3 * 32 + $0].isNaN } && c[0] == 0)
    }

    /// Rows of bytes through a table (`GemmRowSource.bytes`, an evaluation batch of uint8 pixels)
    /// give the product of the floats `table[byte]` written first, bit for bit: packed straight
    /// from the bytes (whole panels, k a multiple of 8) or through the scratch (a partial panel,
    /// k = 300), with a table whose zero byte maps to 0 (steps dropped) or not (none dropped), and
    /// bytes whose table entries are -0 and NaN.
    func testByteRowsEqualTheirFloatsWrittenFirst() {
        var rng = TestRandom(seed: 13)
        for (m, k, zeroMapsToZero) in [(1024, 784, true), (1024, 784, false), (1003, 300, true), (520, 64, true)] {
            let n = 64
            var bytes = [UInt8](repeating: 0, count: m * k)
            for i in 0..<(m * k) where (i % k) % 28 >= 8 && (i / 3) % 4 != 0 { bytes[i] = UInt8((i &* 31 &+ i / 7) % 250) }
            bytes[5 * k + 10] = 250                                   // a NaN in row 5 only
            var table = (0..<256).map { Float($0) / 255 - (zeroMapsToZero ? 0 : 0.5) }
            table[7] = -0.0
            table[250] = .nan
            let floats = Tensor(shape: [m * k])
            for i in 0..<(m * k) { floats[i] = table[Int(bytes[i])] }
            let b = rng.tensor([n * k]), written = Tensor(shape: [m * n]), packed = Tensor(shape: [m * n])
            Gemm.sgemm(transB: true, m: m, n: n, k: k, a: floats.data, lda: k, b: b.data, ldb: k, c: written.data, ldc: n)
            let scratch = Tensor(shape: [m * k])
            bytes.withUnsafeBufferPointer { bp in
                table.withUnsafeBufferPointer { tp in
                    let base = bp.baseAddress!
                    Gemm.sgemm(transB: true, m: m, n: n, k: k, a: scratch.data, lda: k, b: b.data, ldb: k, c: packed.data, ldc: n,
                               aRows: .bytes(table: tp.baseAddress!, row: { base + $0 * k }))
                }
            }
            XCTAssertTrue(written[5 * n].isNaN && !written[4 * n].isNaN && !written[6 * n].isNaN)
            assertBitIdentical(written, packed, "m \(m) k \(k) zero maps to zero \(zeroMapsToZero)")
        }
    }

    /// A·Bᵀ with at most 16 columns and at least `GemmNarrow.minRows` rows takes the packed narrow
    /// path: against the Float64 oracle with rows past the last block of 8 and of an item, every
    /// column count from 1 to 16, α, β and padded leading dimensions; bit-identical at 1, 2 and 5
    /// threads.
    func testNarrowProductMatchesTheOracleAtAnyThreadCount() {
        var rng = TestRandom(seed: 12)
        check(transA: false, transB: true, m: 515, n: 10, k: 256, rng: &rng)             // the MLP's classifier
        check(transA: false, transB: true, m: 600, n: 16, k: 1568, alpha: 0.5, beta: 1, pad: 3, rng: &rng)
        for n in [1, 7, 13] { check(transA: false, transB: true, m: 517, n: n, k: 40, alpha: -2, beta: 0.25, pad: 1, rng: &rng) }
        let (m, n, k) = (700, 10, 300)
        let a = rng.tensor([m, k]), b = rng.tensor([n, k])
        let runs = [1, 2, 5].map { threads -> Tensor in
            let c = Tensor(shape: [m, n])
            Gemm.sgemm(transB: true, m: m, n: n, k: k, a: a.data, lda: k, b: b.data, ldb: k, c: c.data, ldc: n,
                       pool: ThreadPool(threads: threads))
            return c
        }
        assertBitIdentical(runs[0], runs[1], "1 vs 2 threads")
        assertBitIdentical(runs[0], runs[2], "1 vs 5 threads")
        // Each element is the in-order fma chain over k, whichever row block holds it.
        for i in [0, 7, 8, 699] { for j in [0, 9] {
            var s: Float = 0
            for p in 0..<k { s = s.addingProduct(a[i * k + p], b[j * k + p]) }
            XCTAssertEqual(runs[1][i * n + j].bitPattern, s.bitPattern, "(\(i), \(j))")
        } }
    }

    /// Rows of A written on demand (`aRows`) give the product of A written up front, bit for bit:
    /// per tile into the thread's scratch for a tall product (one tile per row block, uneven last
    /// block), all at once into `a` otherwise (a wide product, a classifier's few columns), with
    /// zero steps to skip, at 1 and 2 threads.
    func testRowsOnDemandEqualRowsWrittenFirst() {
        var rng = TestRandom(seed: 11)
        for (m, n, k, threads) in [(1000, 256, 784, 2), (1000, 256, 784, 1), (523, 96, 300, 2), (64, 600, 50, 2), (300, 10, 256, 2)] {
            let source = rng.tensor([m * k]), b = rng.tensor([n * k])
            for i in 0..<(m * k) where (i % k) % 28 < 9 || i % 5 == 0 { source[i] = 0 }
            let upFront = Tensor(shape: [m * n]), onDemand = Tensor(shape: [m * n])
            let pool = ThreadPool(threads: threads)
            Gemm.sgemm(transB: true, m: m, n: n, k: k, a: source.data, lda: k, b: b.data, ldb: k, c: upFront.data, ldc: n, pool: pool)
            let a = Tensor(shape: [m * k])
            for i in 0..<(m * k) { a[i] = .nan }
            let log = RowBlockLog(), src = source.data
            Gemm.sgemm(transB: true, m: m, n: n, k: k, a: a.data, lda: k, b: b.data, ldb: k, c: onDemand.data, ldc: n, pool: pool,
                       aRows: .floats({ rows, into in
                           log.add(rows)
                           into.update(from: src + rows.lowerBound * k, count: rows.count * k)
                       }))
            assertBitIdentical(upFront, onDemand, "m \(m) n \(n) k \(k) threads \(threads)")
            let written = log.blocks.sorted { $0.lowerBound < $1.lowerBound }
            XCTAssertEqual(written.first?.lowerBound, 0)
            XCTAssertEqual(written.last?.upperBound, m)
            XCTAssertTrue(zip(written, written.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound }, "every row written once")
            XCTAssertEqual(written.count > 1, m >= 1000 || m == 523, "m \(m) n \(n): rows per tile")
        }
    }

    /// A panel keeps exactly its nonzero steps, in order, with their B offsets, whether it is
    /// packed first (`skipZeroSteps`) or skipped while packing (`regula_pack8_skipping_zero_steps`).
    func testSkipZeroStepsKeepsTheNonzeroStepsInOrder() {
        let depth = 16, nonzero = [1, 4, 5, 11]
        let rows = Tensor(shape: [8 * depth])                  // 8 rows of A, row-major
        for step in nonzero { rows[(step % 8) * depth + step] = Float(step) }
        rows[2] = -0.0
        let packed = Tensor(shape: [depth * 8]), fused = Tensor(shape: [depth * 8])
        Gemm.packA(m: 8, k: depth, a: rows.data, lda: depth, into: packed.data)
        var offsets = [Int32](repeating: -1, count: depth), fusedOffsets = offsets
        XCTAssertEqual(GemmPacking.skipZeroSteps(packed.data, depth: depth, offsets: &offsets), 4)
        XCTAssertEqual(regula_pack8_skipping_zero_steps(rows.data, depth, depth, fused.data, &fusedOffsets), 4)
        XCTAssertEqual(Array(offsets[0..<4]), [32, 128, 160, 352])
        XCTAssertEqual(Array(fusedOffsets[0..<4]), Array(offsets[0..<4]))   // past the kept steps: scratch
        XCTAssertEqual((0..<4).map { j in packed[j * 8 + nonzero[j] % 8] }, [1, 4, 5, 11])
        XCTAssertEqual(Array(fused.array[0..<32]), Array(packed.array[0..<32]))
    }

    /// Prints GFLOP/s when REGULA_BENCH is set; otherwise does nothing (benchmarks are not tests).
    func testPrintBenchmark() throws {
        guard ProcessInfo.processInfo.environment["REGULA_BENCH"] != nil else { throw XCTSkip("set REGULA_BENCH=1 to measure") }
        for (m, n, k) in [(512, 512, 512), (1024, 1024, 1024), (128, 256, 784), (256, 784, 128), (128, 784, 256)] {
            for t in [1, 2] {
                print("gemm \(m)x\(n)x\(k) threads \(t): \(Gemm.benchmark(m: m, n: n, k: k, threads: t)) GFLOP/s")
            }
        }
    }
}

/// The row blocks a GEMM asked for, from whichever thread.
private final class RowBlockLog: @unchecked Sendable {
    private let lock = NSLock()
    private var recorded: [Range<Int>] = []
    func add(_ rows: Range<Int>) { lock.lock(); recorded.append(rows); lock.unlock() }
    var blocks: [Range<Int>] { lock.lock(); defer { lock.unlock() }; return recorded }
}
