import RuntimeIntrinsics

/// Single-precision GEMM: `C = α·op(A)·op(B) + β·C`, all row-major.
///
/// Layouts: op(A) is [M, K] — `A` is stored [M, K] (`transA == false`, `A[m*lda + k]`) or [K, M]
/// (`transA == true`, `A[k*lda + m]`); op(B) is [K, N] — `B` is stored [K, N] or, transposed,
/// [N, K]; `C` is [M, N] with row stride `ldc`. `β == 0` means C is not read (it may hold NaN).
///
/// How it is fast (the BLIS/GotoBLAS scheme, sized for Zen 4: 32 KB L1d, 1 MB L2 per core):
/// * First both operands are packed once, in parallel, into a reused scratch buffer: op(A) into
///   8-row micro-panels (`a[k*8 + r]`) and op(B) into 32-column micro-panels (`b[k*32 + c]`),
///   cut into K blocks of `kc = 256` (a constant, so the summation order of every element is
///   fixed). Per block an A panel is 8 KB (L1-resident) and a B panel 32 KB (streamed from L2).
///   Packing absorbs the transposes, so the micro-kernel sees one layout whatever the op, and
///   packing each operand once (not once per tile) keeps it a small fraction of the work.
/// * C is cut into tiles (up to 128 × 512). Each tile is an independent work item for the
///   thread pool, so both cores work on disjoint parts of C and no sum is ever split between
///   threads — the result is bit-identical for any thread count.
/// * `GemmMicroKernel.kernel8x32` does the FMAs from registers; edges (M % 8, N % 32) go through a
///   scratch tile with the same arithmetic.
/// * A·Bᵀ with at most 16 columns over at least 512 rows (a classifier at evaluation batch sizes)
///   takes `GemmNarrow`; other A·Bᵀ with fewer than 32 columns a dot-product path (`dotProducts`).
/// * A's rows can be written on demand (`aRows`): a tall product writes and packs each tile's
///   rows in that core's cache (an evaluation batch's inputs, straight from the dataset).
/// * An optional `GemmEpilogue` (bias, activation, saved pre-activation) runs on each finished
///   tile while it is still in cache, instead of another pass over C.
/// * Zero steps of op(A) are skipped (`GemmPacking.skipZeroSteps`): where all 8 rows of a packed
///   A panel are 0 at some k, that step adds nothing, so packing drops it and the micro-kernel
///   reads B at the kept steps only. Images feed dense layers with many zeros (81% of MNIST's
///   pixels; 55% of the steps of an 8-image panel), and every element is still summed over the
///   same k in the same order, so the result equals the dense one (up to the sign of a zero, and
///   `0·∞`, which the dense product makes NaN and a skipped step does not).
public enum Gemm {
    static let kc = 256
    static let tileM = 128
    static let tileN = 512
    /// Below this many flops a GEMM runs on the calling thread (dispatch costs microseconds).
    static let parallelThreshold = 1 << 20
    static let serial = ThreadPool(threads: 1)

    public static func sgemm(transA: Bool = false, transB: Bool = false,
                             m: Int, n: Int, k: Int, alpha: Float = 1,
                             a: UnsafePointer<Float>, lda: Int,
                             b: UnsafePointer<Float>, ldb: Int,
                             beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int,
                             epilogue: GemmEpilogue? = nil, pool: ThreadPool = .default, aRows: GemmRowSource? = nil) {
        sgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb,
              beta: beta, c: c, ldc: ldc, epilogue: epilogue, pool: pool, skipZeroSteps: true, aRows: aRows)
    }

    /// `sgemm` with the zero-step skipping switchable, so tests can compare both paths.
    static func sgemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                      a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                      beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int,
                      epilogue: GemmEpilogue?, pool: ThreadPool, skipZeroSteps: Bool, aRows: GemmRowSource? = nil) {
        precondition(m >= 0 && n >= 0 && k >= 0, "gemm sizes must be non-negative: m \(m), n \(n), k \(k)")
        precondition(lda >= (transA ? m : k) && ldb >= (transB ? k : n) && ldc >= n, "gemm leading dimension too small")
        precondition(aRows == nil || (!transA && lda == k), "rows of A on demand need A stored [M, K] densely")
        if m == 0 || n == 0 { return }
        let mr = GemmMicroKernel.mr, nr = GemmMicroKernel.nr
        let pool = 2 * m * n * k < parallelThreshold ? serial : pool
        // Rows of A on demand: when every row block of C is one tile (a tall product), each tile
        // writes its rows into its thread's scratch and packs them from there, so A never leaves
        // that core's cache; otherwise all of A is written first and the product runs as usual.
        let tiles = TilePlan(m: m, n: n, threads: pool.threads)
        // A·Bᵀ with fewer than 32 columns: a path of its own (`GemmNarrow`, `dotProducts`), no panels.
        let fewColumns = !transA && transB && n < nr && k >= nr
        let rowsPerTile = aRows != nil && tiles.tilesN == 1 && tiles.tilesM >= 2 * pool.threads && k > 0 && alpha != 0
            && !fewColumns
        if let aRows, !rowsPerTile { aRows.write(0..<m, into: UnsafeMutablePointer(mutating: a), k: k) }
        if k == 0 || alpha == 0 {
            scale(m: m, n: n, beta: beta, c: c, ldc: ldc)
            epilogue?.apply(c, ldc: ldc, i0: 0, rows: m, j0: 0, cols: n)
            return
        }
        if fewColumns && n <= GemmNarrow.width && m >= GemmNarrow.minRows {
            GemmNarrow.product(m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc,
                               epilogue: epilogue, pool: pool)
            return
        }
        if fewColumns {
            dotProducts(m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc,
                        epilogue: epilogue, pool: pool)
            return
        }
        let aPanels = roundUp(m, mr) / mr, bPanels = roundUp(n, nr) / nr
        let aFloats = packedCountA(m: m, k: k), bFloats = packedCountB(n: n, k: k)
        // The kept steps of every A panel: their B offsets (one Int32 per packed A step), then one
        // count per panel and K block.
        let stepFloats = skipZeroSteps ? aPanels * k + aPanels * ceilDiv(k, kc) : 0
        GemmScratch.shared.withBuffer(floats: aFloats + bFloats + stepFloats) { packed in
            let packA = packed, packB = packed + aFloats
            let steps = skipZeroSteps
                ? PanelSteps(UnsafeMutableRawPointer(packB + bFloats).bindMemory(to: Int32.self, capacity: stepFloats),
                             panels: aPanels, k: k)
                : nil
            // Phase 1: pack op(B), and all of op(A) unless the tiles write and pack their own rows.
            let itemsA = rowsPerTile ? 0 : ceilDiv(aPanels, packGroupA), itemsB = ceilDiv(bPanels, packGroupB)
            pool.parallelFor(itemsA + itemsB) { item in
                if item < itemsA {
                    let r0 = item * packGroupA * mr
                    packPanelsA(transA: transA, m: m, k: k, a: a, lda: lda, rows: r0..<min(m, r0 + packGroupA * mr),
                                into: packA, steps: steps)
                } else {
                    packPanelsB(transB: transB, n: n, k: k, b: b, ldb: ldb, group: item - itemsA, into: packB)
                }
            }
            // Phase 2: every tile of C runs the micro-kernel over the packed panels.
            let packRows: ((Range<Int>) -> Void)? = rowsPerTile ? { rows in
                // Bytes pack straight from their rows when every panel is whole; otherwise (and
                // for floats) the rows go through the thread's scratch.
                if case .bytes(let table, let row) = aRows, let steps, rows.count % mr == 0, k % 8 == 0 {
                    packPanelsA(bytes: row, table: table, m: m, k: k, rows: rows, into: packA, steps: steps)
                    return
                }
                let scratch = ThreadScratch.floats(rows.count * k)
                aRows?.write(rows, into: scratch, k: k)
                packPanelsA(transA: false, m: m, k: k, a: scratch, lda: k, rows: rows, into: packA, steps: steps,
                            firstRowOfA: rows.lowerBound)
            } : nil
            computeTiles(m: m, n: n, k: k, alpha: alpha, packedA: packA, packedB: packB, beta: beta, c: c, ldc: ldc,
                         epilogue: epilogue, pool: pool, steps: steps, packA: packRows)
        }
    }

    /// A·Bᵀ with fewer than 32 columns (a classifier layer: [batch, features]·[classes, features]ᵀ):
    /// both operands are contiguous along k, so each element is one SIMD dot product, instead of a
    /// micro-kernel that would pad the columns to 32 and pack all of A. Chosen by shape only, so
    /// thread counts still cannot change a result; rows are the work items.
    static func dotProducts(m: Int, n: Int, k: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int,
                            b: UnsafePointer<Float>, ldb: Int, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int,
                            epilogue: GemmEpilogue?, pool: ThreadPool) {
        let rowsPerItem = 16
        pool.parallelFor(ceilDiv(m, rowsPerItem)) { item in
            let i0 = item * rowsPerItem, i1 = min(m, i0 + rowsPerItem)
            for i in i0..<i1 {
                for j in 0..<n {
                    var v = alpha * Reduce.dot(a + i * lda, b + j * ldb, count: k)
                    if beta != 0 { v += beta * c[i * ldc + j] }
                    c[i * ldc + j] = v
                }
            }
            epilogue?.apply(c, ldc: ldc, i0: i0, rows: i1 - i0, j0: 0, cols: n)
        }
    }

    /// Floats needed by `packA` for an m×k op(A).
    public static func packedCountA(m: Int, k: Int) -> Int { roundUp(roundUp(m, GemmMicroKernel.mr) * k, 16) }
    /// Floats needed by `packB` for a k×n op(B).
    public static func packedCountB(n: Int, k: Int) -> Int { roundUp(n, GemmMicroKernel.nr) * k }

    /// Packs op(A) [m, k] into `into` (64-byte aligned, `packedCountA` floats) for `sgemmPacked`.
    /// Use it to pack an operand once and reuse it across many products (conv weights per image).
    public static func packA(transA: Bool = false, m: Int, k: Int, a: UnsafePointer<Float>, lda: Int,
                             into: UnsafeMutablePointer<Float>) {
        packPanelsA(transA: transA, m: m, k: k, a: a, lda: lda, rows: 0..<m, into: into)
    }

    /// Packs op(B) [k, n] into `into` (64-byte aligned, `packedCountB` floats) for `sgemmPacked`.
    public static func packB(transB: Bool = false, n: Int, k: Int, b: UnsafePointer<Float>, ldb: Int,
                             into: UnsafeMutablePointer<Float>) {
        let groups = ceilDiv(roundUp(n, GemmMicroKernel.nr) / GemmMicroKernel.nr, packGroupB)
        for g in 0..<groups { packPanelsB(transB: transB, n: n, k: k, b: b, ldb: ldb, group: g, into: into) }
    }

    /// Offset of element (r, col) of op(B) in the packed layout: K block, 32-column panel, then
    /// `[kb][32]` inside the panel. Lets producers (im2col) write packed B directly.
    @inline(__always)
    static func packedOffsetB(row r: Int, col: Int, n: Int, k: Int) -> Int {
        let np = roundUp(n, GemmMicroKernel.nr)
        let block = r / kc, kb = min(kc, k - block * kc)
        return block * kc * np + (col / GemmMicroKernel.nr) * GemmMicroKernel.nr * kb + (r - block * kc) * GemmMicroKernel.nr
            + col % GemmMicroKernel.nr
    }

    /// C = α·A·B + β·C from operands packed by `packA`/`packB` (or written in that layout).
    public static func sgemmPacked(m: Int, n: Int, k: Int, alpha: Float = 1, packedA: UnsafePointer<Float>,
                                   packedB: UnsafePointer<Float>, beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int,
                                   epilogue: GemmEpilogue? = nil, pool: ThreadPool = .default) {
        if m == 0 || n == 0 { return }
        if k == 0 || alpha == 0 {
            scale(m: m, n: n, beta: beta, c: c, ldc: ldc)
            epilogue?.apply(c, ldc: ldc, i0: 0, rows: m, j0: 0, cols: n)
            return
        }
        let pool = 2 * m * n * k < parallelThreshold ? serial : pool
        computeTiles(m: m, n: n, k: k, alpha: alpha, packedA: packedA, packedB: packedB, beta: beta, c: c, ldc: ldc,
                     epilogue: epilogue, pool: pool)
    }

    static let packGroupA = 8   // 8-row panels per packing work item
    static let packGroupB = 4   // 32-column panels per packing work item

    /// Packs the 8-row panels of op(A) that hold `rows` (which starts at a panel boundary); `a`
    /// holds op(A) from row `firstRowOfA` on.
    static func packPanelsA(transA: Bool, m: Int, k: Int, a: UnsafePointer<Float>, lda: Int, rows range: Range<Int>,
                            into packA: UnsafeMutablePointer<Float>, steps: PanelSteps? = nil, firstRowOfA: Int = 0) {
        let mr = GemmMicroKernel.mr, mp = roundUp(m, mr)
        let r0 = range.lowerBound, rows = range.count
        var p0 = 0
        while p0 < k {
            let kb = min(kc, k - p0)
            if let steps {
                // Panel by panel, dropping the all-zero steps as they are packed.
                for panelRow in stride(from: r0, to: r0 + rows, by: mr) {
                    let panel = panelRow / mr, valid = min(mr, m - panelRow)
                    let into = packA + p0 * mp + panelRow * kb
                    let offsets = steps.offsets(panel: panel, kStart: p0, depth: kb)
                    let kept: Int
                    if !transA && valid == mr && kb % 8 == 0 {
                        kept = regula_pack8_skipping_zero_steps(a + (panelRow - firstRowOfA) * lda + p0, lda, kb, into, offsets)
                    } else {
                        GemmPacking.packA(transA: transA, a: a, lda: lda, rowStart: panelRow - firstRowOfA, rows: valid,
                                          kStart: p0, depth: kb, into: into)
                        kept = GemmPacking.skipZeroSteps(into, depth: kb, offsets: offsets)
                    }
                    steps.setCount(kept, panel: panel, kStart: p0)
                }
            } else {
                GemmPacking.packA(transA: transA, a: a, lda: lda, rowStart: r0 - firstRowOfA, rows: rows, kStart: p0,
                                  depth: kb, into: packA + p0 * mp + r0 * kb)
            }
            p0 += kb
        }
    }

    /// `packPanelsA` for whole panels of a bytes source (A[r][k] = table[row(r)[k]], k a
    /// multiple of 8), dropping the zero steps as it packs (`regula_pack8_bytes_skipping_zero_steps`).
    static func packPanelsA(bytes row: (Int) -> UnsafePointer<UInt8>, table: UnsafePointer<Float>, m: Int, k: Int,
                            rows range: Range<Int>, into packA: UnsafeMutablePointer<Float>, steps: PanelSteps) {
        let mr = GemmMicroKernel.mr, mp = roundUp(m, mr)
        withUnsafeTemporaryAllocation(of: UnsafePointer<UInt8>?.self, capacity: mr) { pointers in
            for panelRow in stride(from: range.lowerBound, to: range.upperBound, by: mr) {
                for r in 0..<mr { pointers[r] = row(panelRow + r) }
                let panel = panelRow / mr
                var p0 = 0
                while p0 < k {
                    let kb = min(kc, k - p0)
                    let kept = regula_pack8_bytes_skipping_zero_steps(pointers.baseAddress, p0, kb, table, packA + p0 * mp + panelRow * kb,
                                                                      steps.offsets(panel: panel, kStart: p0, depth: kb))
                    steps.setCount(kept, panel: panel, kStart: p0)
                    p0 += kb
                }
            }
        }
    }

    /// Where `skipZeroSteps` leaves its results: for panel p and the K block at k0 (depth kb), the
    /// count of kept steps and their B offsets, stored beside the packed A steps they describe.
    struct PanelSteps: @unchecked Sendable {
        let base: UnsafeMutablePointer<Int32>
        let panels: Int, k: Int
        init(_ base: UnsafeMutablePointer<Int32>, panels: Int, k: Int) { (self.base, self.panels, self.k) = (base, panels, k) }
        func offsets(panel: Int, kStart: Int, depth: Int) -> UnsafeMutablePointer<Int32> {
            base + kStart * panels + panel * depth
        }
        func count(panel: Int, kStart: Int) -> Int { Int(base[panels * k + (kStart / kc) * panels + panel]) }
        func setCount(_ count: Int, panel: Int, kStart: Int) { base[panels * k + (kStart / kc) * panels + panel] = Int32(count) }
    }

    static func packPanelsB(transB: Bool, n: Int, k: Int, b: UnsafePointer<Float>, ldb: Int, group: Int,
                            into packB: UnsafeMutablePointer<Float>) {
        let nr = GemmMicroKernel.nr, np = roundUp(n, nr)
        let c0 = group * packGroupB * nr, cols = min(packGroupB * nr, n - c0)
        var p0 = 0
        while p0 < k {
            let kb = min(kc, k - p0)
            GemmPacking.packB(transB: transB, b: b, ldb: ldb, colStart: c0, cols: cols, kStart: p0, depth: kb,
                              into: packB + p0 * np + c0 * kb)
            p0 += kb
        }
    }

    /// Tiles of C as independent work items (see the type's comment).
    static func computeTiles(m: Int, n: Int, k: Int, alpha: Float, packedA: UnsafePointer<Float>, packedB: UnsafePointer<Float>,
                             beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, epilogue: GemmEpilogue?, pool: ThreadPool,
                             steps: PanelSteps? = nil, packA: ((Range<Int>) -> Void)? = nil) {
        let mr = GemmMicroKernel.mr, nr = GemmMicroKernel.nr
        let mp = roundUp(m, mr), np = roundUp(n, nr)
        let plan = TilePlan(m: m, n: n, threads: pool.threads)
        let tm = plan.tm, tn = plan.tn, tilesN = plan.tilesN
        pool.parallelFor(plan.tilesM * tilesN) { t in
            let i0 = (t / tilesN) * tm, j0 = (t % tilesN) * tn
            let mt = min(tm, m - i0), nt = min(tn, n - j0)
            packA?(i0..<i0 + mt)
            withUnsafeTemporaryAllocation(of: Float.self, capacity: mr * nr) { scratchBuffer in
                guard let scratch = scratchBuffer.baseAddress else { preconditionFailure("no stack scratch") }
                var p0 = 0
                while p0 < k {
                    let kb = min(kc, k - p0)
                    let s: Float = p0 == 0 ? beta : 1
                    let blockA = packedA + p0 * mp + i0 * kb, blockB = packedB + p0 * np + j0 * kb
                    // One micro-tile: rows ir..<ir+8 and columns jr..<jr+32 of this tile.
                    func micro(_ ir: Int, _ jr: Int) {
                        let rows = min(mr, mt - ir), cols = min(nr, nt - jr)
                        let ap = blockA + ir * kb, bp = blockB + jr * kb
                        let cp = c + (i0 + ir) * ldc + j0 + jr
                        let panel = (i0 + ir) / mr
                        let kept = steps?.count(panel: panel, kStart: p0) ?? kb
                        let gather = kept < kb ? steps?.offsets(panel: panel, kStart: p0, depth: kb) : nil
                        if rows == mr && cols == nr {
                            if let gather {
                                GemmMicroKernel.kernel8x32Gathered(kept, ap, bp, gather, cp, ldc, alpha: alpha, s: s)
                            } else {
                                GemmMicroKernel.kernel8x32(kb, ap, bp, cp, ldc, alpha: alpha, s: s)
                            }
                        } else {
                            GemmMicroKernel.kernelEdge(kb, ap, bp, cp, ldc, rows: rows, cols: cols,
                                                       alpha: alpha, s: s, scratch: scratch,
                                                       gather: gather.map { (UnsafePointer($0), kept) })
                        }
                    }
                    // Column panels outer: one B panel serves every A panel of the tile while it is in L1.
                    for jr in stride(from: 0, to: nt, by: nr) { for ir in stride(from: 0, to: mt, by: mr) { micro(ir, jr) } }
                    p0 += kb
                }
                epilogue?.apply(c, ldc: ldc, i0: i0, rows: mt, j0: j0, cols: nt)
            }
        }
    }

    /// How C is cut into tiles: start from the cache-sized tile, then split until every thread
    /// has at least two items (for small/skinny products such as an MLP layer at batch 128).
    /// Tiles only decide who computes which part of C, never how an element is summed.
    struct TilePlan {
        let tm: Int, tn: Int, tilesM: Int, tilesN: Int
        init(m: Int, n: Int, threads: Int) {
            let mr = GemmMicroKernel.mr, nr = GemmMicroKernel.nr
            var tm = min(tileM, roundUp(m, mr)), tn = min(tileN, roundUp(n, nr))
            let wanted = threads > 1 ? 2 * threads : 1
            while ceilDiv(m, tm) * ceilDiv(n, tn) < wanted {
                if tn >= 2 * nr && (tn >= tm || tm < 2 * mr) {
                    tn = roundUp(tn / 2, nr)
                } else if tm >= 2 * mr {
                    tm = roundUp(tm / 2, mr)
                } else {
                    break
                }
            }
            (self.tm, self.tn, tilesM, tilesN) = (tm, tn, ceilDiv(m, tm), ceilDiv(n, tn))
        }
    }

    /// C = β·C (β == 0 writes zeros without reading C).
    static func scale(m: Int, n: Int, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        for i in 0..<m {
            let row = c + i * ldc
            if beta == 0 {
                row.update(repeating: 0, count: n)
            } else if beta != 1 {
                for j in 0..<n { row[j] *= beta }
            }
        }
    }

    @inline(__always) static func ceilDiv(_ a: Int, _ b: Int) -> Int { (a + b - 1) / b }
    @inline(__always) static func roundUp(_ a: Int, _ b: Int) -> Int { ceilDiv(a, b) * b }
}
