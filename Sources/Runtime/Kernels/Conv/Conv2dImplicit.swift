import RuntimeIntrinsics

/// Stride-1 convolutions as implicit GEMMs over a zero-padded copy of each image: no im2col.
///
/// Geometry (`PaddedPlanes`): one image's group is copied once into planes of Hp × Wp
/// (Hp = H + 2·padH, Wp = W + 2·padW) with zero borders. Output pixel (oy, ox) becomes the "wide"
/// column q = oy·Wp + ox, and row p = (c, kh, kw) of the im2col matrix at column q is
/// `padded[c·Hp·Wp + kh·dh·Wp + kw·dw + q]`: each patch row is the padded image read from one
/// offset. The products run over all OH·Wp wide columns; the Wp − OW columns of each row that wrap
/// into the next row are computed and dropped (2 of 30 for a 3×3 kernel on 28×28 images).
///   forward          y    = W · X        X[p, q] read in place (`kernel8x32ShiftedB`), W packed once
///   backward data    dx   = W̃ · DY      the same product on dy padded by dil·(K − 1) − pad, with
///                                        W̃[c, (oc, kh, kw)] = W[oc, c, K−1−kh, K−1−kw]
///   backward weight  dWᵀ += X · DYᵀ     X rows read in place as A (`kernel8x32ShiftedA`), dy
///                                        packed as B with zeros in the dropped wide columns
/// Compared with im2col, the data moved per convolution is the size of its input and output
/// instead of KH·KW times the input.
///
/// Parallelism and determinism as in `Conv2d`: images are the work items of the forward and
/// data-gradient passes; the weight gradient sums fixed chunks of images into partials that are
/// added in chunk order, and every sum's order depends on the shape only.
enum Conv2dImplicit {
    /// Stride 1 (any kernel, padding, dilation, groups): the forward and weight-gradient passes.
    static func handles(_ s: Conv2dShape) -> Bool { s.strideH == 1 && s.strideW == 1 }

    /// The data gradient also needs the transposed convolution's padding dil·(K − 1) − pad ≥ 0.
    static func handlesData(_ s: Conv2dShape) -> Bool {
        handles(s) && s.padH <= s.dilationH * (s.kernelH - 1) && s.padW <= s.dilationW * (s.kernelW - 1)
    }

    /// Wide columns per block of the weight-gradient product (fixed: part of the summation order).
    static let weightDepth = 256

    static func forward(_ s: Conv2dShape, x: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                        epilogue: (Int) -> GemmEpilogue?, y: UnsafeMutablePointer<Float>,
                        statistics: UnsafeMutablePointer<Double>?, pool: ThreadPool) {
        let planes = PaddedPlanes(s, channels: s.groupIn)
        let offsets = planes.rowOffsets()
        let mp = roundUp(s.groupOut, 8), aFloats = mp * s.patch
        let spatial = s.outH * s.outW, inPlane = s.height * s.width
        GemmScratch.shared.withBuffer(floats: s.groups * aFloats) { packedW in
            for g in 0..<s.groups {
                packRows(m: s.groupOut, k: s.patch, into: packedW + g * aFloats) { r, k in
                    weight[(g * s.groupOut + r) * s.patch + k]
                }
            }
            pool.forEachImage(s.batch, scratch: planes.floats + mp * planes.widePadded, prepare: planes.zero) { n, work in
                let padded = work, wide = work + planes.floats
                for g in 0..<s.groups {
                    planes.copyInterior(padded, from: x + (n * s.inChannels + g * s.groupIn) * inPlane)
                    product(k: s.patch, panels: mp / 8, packedA: packedW + g * aFloats, b: padded, offsets: offsets,
                            wide: wide, planes: planes)
                    // Each output plane gets its bias and activation (and its statistics are
                    // recorded) right after it is compacted, while it is in L1.
                    let yg = y + (n * s.outChannels + g * s.groupOut) * spatial, epi = epilogue(g)
                    for r in 0..<s.groupOut {
                        planes.compact(wide + r * planes.widePadded, rows: 1, into: yg + r * spatial)
                        epi?.apply(yg, ldc: spatial, i0: r, rows: 1, j0: 0, cols: spatial)
                        Conv2d.recordStatistics(statistics, image: n, channel: g * s.groupOut + r, y, s)
                    }
                }
            }
        }
    }

    static func backwardData(_ s: Conv2dShape, dy: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                             dx: UnsafeMutablePointer<Float>, pool: ThreadPool) {
        // The transposed convolution: dy (OCg channels of OH × OW) padded by dil·(K − 1) − pad,
        // convolved with the flipped kernel, gives dx of H × W.
        var t = s
        (t.height, t.width, t.padH, t.padW) = (s.outH, s.outW, s.dilationH * (s.kernelH - 1) - s.padH,
                                               s.dilationW * (s.kernelW - 1) - s.padW)
        let planes = PaddedPlanes(t, channels: s.groupOut)
        let offsets = planes.rowOffsets()
        let k = s.groupOut * s.kernelH * s.kernelW, mp = roundUp(s.groupIn, 8), aFloats = mp * k
        let taps = s.kernelH * s.kernelW, spatial = s.outH * s.outW, inPlane = s.height * s.width
        GemmScratch.shared.withBuffer(floats: s.groups * aFloats) { packedW in
            for g in 0..<s.groups {
                packRows(m: s.groupIn, k: k, into: packedW + g * aFloats) { c, p in
                    let oc = p / taps, tap = p % taps
                    return weight[((g * s.groupOut + oc) * s.groupIn + c) * taps + taps - 1 - tap]
                }
            }
            pool.forEachImage(s.batch, scratch: planes.floats + mp * planes.widePadded, prepare: planes.zero) { n, work in
                let padded = work, wide = work + planes.floats
                for g in 0..<s.groups {
                    planes.copyInterior(padded, from: dy + (n * s.outChannels + g * s.groupOut) * spatial)
                    product(k: k, panels: mp / 8, packedA: packedW + g * aFloats, b: padded, offsets: offsets,
                            wide: wide, planes: planes)
                    planes.compact(wide, rows: s.groupIn, into: dx + (n * s.inChannels + g * s.groupIn) * inPlane)
                }
            }
        }
    }

    /// dweight (+)= the weight gradient: chunks of `Conv2d.weightChunk` images summed into
    /// partials in parallel, then added in chunk order.
    static func backwardWeight(_ s: Conv2dShape, x: UnsafePointer<Float>, dy: UnsafePointer<Float>,
                               dweight: UnsafeMutablePointer<Float>, accumulate: Bool, pool: ThreadPool) {
        let chunk = Conv2d.weightChunk, chunks = (s.batch + chunk - 1) / chunk, partCount = partialCount(s)
        if s.batch == 0 && !accumulate { dweight.update(repeating: 0, count: s.weightCount) }
        GemmScratch.shared.withBuffer(floats: max(chunks * partCount, 1)) { partials in
            pool.parallelFor(chunks) { c in
                weightChunk(s, x: x, dy: dy, images: c * chunk..<min(s.batch, (c + 1) * chunk), partial: partials + c * partCount)
            }
            for c in 0..<chunks {
                addPartial(s, partials + c * partCount, into: dweight, overwrite: c == 0 && !accumulate)
            }
        }
    }

    /// Σ over the images of a chunk of dWᵀ (patch rows × output channels, row stride
    /// `partialColumns`) into `partial`, for every group.
    private static func weightChunk(_ s: Conv2dShape, x: UnsafePointer<Float>, dy: UnsafePointer<Float>, images: Range<Int>,
                            partial: UnsafeMutablePointer<Float>) {
        let planes = PaddedPlanes(s, channels: s.groupIn)
        let pp = roundUp(s.patch, 8), ocp = roundUp(s.groupOut, 32), nq = planes.wide
        let spatial = s.outH * s.outW, inPlane = s.height * s.width
        // Patch rows past `patch` (the last 8-row panel) read row 0 and are dropped.
        var offsets = planes.rowOffsets()
        offsets += [Int](repeating: 0, count: pp - s.patch)
        offsets.withUnsafeBufferPointer { offsetBuffer in
            let rows = offsetBuffer.baseAddress!
            GemmScratch.shared.withBuffer(floats: planes.floats + ocp * nq) { work in
                let padded = work, packedDy = work + planes.floats
                planes.zero(padded)
                for n in images {
                    for g in 0..<s.groups {
                        planes.copyInterior(padded, from: x + (n * s.inChannels + g * s.groupIn) * inPlane)
                        packWideColumns(dy + (n * s.outChannels + g * s.groupOut) * spatial, rows: s.groupOut,
                                        planes: planes, into: packedDy)
                        let part = partial + g * pp * ocp
                        var q0 = 0
                        while q0 < nq {
                            let kb = min(weightDepth, nq - q0)
                            let beta: Float = n == images.lowerBound && q0 == 0 ? 0 : 1
                            for panel in 0..<(ocp / 32) {
                                let b = packedDy + panel * nq * 32 + q0 * 32
                                for r0 in stride(from: 0, to: pp, by: 8) {
                                    GemmMicroKernel.kernel8x32ShiftedA(kb, padded + q0, rows + r0, b,
                                                                      part + r0 * ocp + panel * 32, ocp, s: beta)
                                }
                            }
                            q0 += kb
                        }
                    }
                }
            }
        }
    }

    /// Floats of one chunk's partial dWᵀ for all groups.
    private static func partialCount(_ s: Conv2dShape) -> Int { s.groups * roundUp(s.patch, 8) * roundUp(s.groupOut, 32) }

    /// dweight[oc, p] (+)= partial[g][p][oc] for one chunk's partial.
    private static func addPartial(_ s: Conv2dShape, _ partial: UnsafePointer<Float>, into dweight: UnsafeMutablePointer<Float>,
                           overwrite: Bool) {
        let pp = roundUp(s.patch, 8), ocp = roundUp(s.groupOut, 32)
        for g in 0..<s.groups {
            for oc in 0..<s.groupOut {
                let row = dweight + (g * s.groupOut + oc) * s.patch, part = partial + g * pp * ocp + oc
                if overwrite {
                    for p in 0..<s.patch { row[p] = part[p * ocp] }
                } else {
                    for p in 0..<s.patch { row[p] += part[p * ocp] }
                }
            }
        }
    }

    /// wide[m, q] = Σ_k A[m, k] · B[offsets[k] + q] over every wide column, 32 at a time; each
    /// column block is reused by all A panels while it is in cache.
    private static func product(k: Int, panels: Int, packedA: UnsafePointer<Float>, b: UnsafePointer<Float>,
                                offsets: [Int], wide: UnsafeMutablePointer<Float>, planes: PaddedPlanes) {
        let ldc = planes.widePadded
        offsets.withUnsafeBufferPointer { rows in
            for j in stride(from: 0, to: ldc, by: 32) {
                for panel in 0..<panels {
                    GemmMicroKernel.kernel8x32ShiftedB(k, packedA + panel * k * 8, b + j, rows.baseAddress!,
                                                      wide + panel * 8 * ldc + j, ldc, s: 0)
                }
            }
        }
    }

    /// Packs an m×k matrix given elementwise into 8-row panels over the full depth
    /// (`dst[panel·8·k + kk·8 + r]`), rows past m zero.
    private static func packRows(m: Int, k: Int, into dst: UnsafeMutablePointer<Float>, _ value: (Int, Int) -> Float) {
        for panel in 0..<(roundUp(m, 8) / 8) {
            let out = dst + panel * 8 * k
            for r in 0..<8 {
                let row = panel * 8 + r
                if row < m {
                    for kk in 0..<k { out[kk * 8 + r] = value(row, kk) }
                } else {
                    for kk in 0..<k { out[kk * 8 + r] = 0 }
                }
            }
        }
    }

    /// dy [rows, OH, OW] as 32-row panels over the wide columns (`dst[panel·nq·32 + q·32 + r]`),
    /// zero in the dropped columns and in rows past `rows`. Written in order (each wide column's
    /// 32 values are one contiguous store), reading the rows as 32 sequential streams.
    private static func packWideColumns(_ dy: UnsafePointer<Float>, rows: Int, planes: PaddedPlanes,
                                        into dst: UnsafeMutablePointer<Float>) {
        let wp = planes.paddedWidth, (oh, ow) = (planes.outH, planes.outW), spatial = oh * ow
        for panel in 0..<(roundUp(rows, 32) / 32) {
            let valid = min(32, rows - panel * 32), src = dy + panel * 32 * spatial
            var out = dst + panel * planes.wide * 32
            let rowBlocks = valid / 8 * 8, columnBlocks = ow / 8 * 8
            for oy in 0..<oh {
                // 8 channels × 8 positions at a time as register transposes, then the edges.
                for ox in stride(from: 0, to: columnBlocks, by: 8) {
                    for r in stride(from: 0, to: rowBlocks, by: 8) {
                        regula_transpose8x8(src + r * spatial + oy * ow + ox, spatial, out + ox * 32 + r, 32)
                    }
                }
                for ox in 0..<wp {
                    let cell = out + ox * 32
                    if ox < ow {
                        let at = src + oy * ow + ox
                        for r in (ox < columnBlocks ? rowBlocks : 0)..<valid { cell[r] = at[r * spatial] }
                        for r in valid..<32 { cell[r] = 0 }
                    } else {
                        UnsafeMutableRawPointer(cell).storeBytes(of: SIMD16<Float>(), as: SIMD16<Float>.self)
                        UnsafeMutableRawPointer(cell).storeBytes(of: SIMD16<Float>(), toByteOffset: 64, as: SIMD16<Float>.self)
                    }
                }
                out += wp * 32
            }
        }
    }

    @inline(__always) static func roundUp(_ a: Int, _ b: Int) -> Int { (a + b - 1) / b * b }
}
