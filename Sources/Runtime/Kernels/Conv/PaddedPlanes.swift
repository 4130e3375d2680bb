import RuntimeIntrinsics

/// Zero-padded planes of one image's group and the wide output columns over them (see
/// `Conv2dImplicit`).
struct PaddedPlanes {
    let height: Int, width: Int, padH: Int, padW: Int
    let paddedHeight: Int, paddedWidth: Int, plane: Int
    let outH: Int, outW: Int
    /// Wide columns (OH · Wp) and that rounded up to whole 32-column blocks.
    let wide: Int, widePadded: Int
    let kernelH: Int, kernelW: Int, dilationH: Int, dilationW: Int
    /// Floats of the padded buffer of `channels` planes: past the last plane the products read
    /// up to `widePadded − wide + dilW·(KW − 1)` more floats (kept zero).
    private let slack: Int

    /// Planes of `channels` channels of `s`'s input geometry.
    init(_ s: Conv2dShape, channels: Int) {
        self.channels = channels
        (height, width, padH, padW) = (s.height, s.width, s.padH, s.padW)
        (kernelH, kernelW, dilationH, dilationW) = (s.kernelH, s.kernelW, s.dilationH, s.dilationW)
        paddedHeight = s.height + 2 * s.padH
        paddedWidth = s.width + 2 * s.padW
        plane = paddedHeight * paddedWidth
        outH = paddedHeight - s.dilationH * (s.kernelH - 1)
        outW = paddedWidth - s.dilationW * (s.kernelW - 1)
        wide = outH * paddedWidth
        widePadded = Conv2dImplicit.roundUp(wide, 32)
        slack = widePadded - wide + s.dilationW * (s.kernelW - 1)
    }

    let channels: Int
    /// Floats of the padded buffer, rounded up to whole 64-byte lines so that what follows it
    /// in a scratch buffer stays aligned.
    var floats: Int { Conv2dImplicit.roundUp(channels * plane + slack, 16) }

    /// The offset of every patch row (c, kh, kw), in im2col row order.
    func rowOffsets() -> [Int] {
        var offsets: [Int] = []
        offsets.reserveCapacity(channels * kernelH * kernelW)
        for c in 0..<channels {
            for kh in 0..<kernelH {
                for kw in 0..<kernelW { offsets.append(c * plane + kh * dilationH * paddedWidth + kw * dilationW) }
            }
        }
        return offsets
    }

    /// Zeroes the padded buffer: its borders and slack, which `copyInterior` never writes, stay
    /// zero for every image copied into it afterwards.
    func zero(_ dst: UnsafeMutablePointer<Float>) {
        dst.update(repeating: 0, count: floats)
    }

    /// Copies the planes of H × W into the interior of a buffer zeroed by `zero`.
    func copyInterior(_ dst: UnsafeMutablePointer<Float>, from src: UnsafePointer<Float>) {
        copyPlanes(dst + padH * paddedWidth + padW, rowStride: paddedWidth, planeStride: plane,
                   from: src, channels: channels, height: height, width: width)
    }

    /// y[r, oy, ox] = wide[r, oy·Wp + ox] for the OH × OW valid columns of `rows` rows.
    func compact(_ wide: UnsafePointer<Float>, rows: Int, into y: UnsafeMutablePointer<Float>) {
        for r in 0..<rows {
            let src = wide + r * widePadded, dst = y + r * outH * outW
            for oy in 0..<outH { regula_copy_floats(dst + oy * outW, src + oy * paddedWidth, outW) }
        }
    }
}

/// Copies `channels` planes of `height` rows of `width` floats (contiguous in `src`) to rows
/// `rowStride` apart in planes `planeStride` apart. The rows are a few dozen floats, where a call
/// to memmove per row costs more than the copy: `regula_copy_floats` moves them inline.
func copyPlanes(_ dst: UnsafeMutablePointer<Float>, rowStride: Int, planeStride: Int, from src: UnsafePointer<Float>,
                channels: Int, height: Int, width: Int) {
    for c in 0..<channels {
        let out = dst + c * planeStride, plane = src + c * height * width
        for y in 0..<height { regula_copy_floats(out + y * rowStride, plane + y * width, width) }
    }
}
