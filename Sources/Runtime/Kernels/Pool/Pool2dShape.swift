/// Geometry of 2-D max/average pooling (PyTorch `MaxPool2d` / `AvgPool2d` semantics, NCHW).
///
/// input is [N, C, H, W], output is [N, C, OH, OW] with
/// OH = ⌊(H + 2·padH − dilationH·(KH − 1) − 1) / strideH⌋ + 1 (⌈⌉ with `ceilMode`), and in ceil mode
/// the last window is dropped when it would start past the input and its left padding
/// (PyTorch's `pooling_output_shape`).
public struct Pool2dShape: Hashable, Sendable {
    public var batch: Int, channels: Int, height: Int, width: Int
    public var kernelH: Int, kernelW: Int, strideH: Int, strideW: Int, padH: Int, padW: Int
    public var dilationH: Int, dilationW: Int
    public var ceilMode: Bool

    /// `stride` defaults to the kernel size, as in PyTorch.
    public init(batch: Int, channels: Int, height: Int, width: Int, kernelH: Int, kernelW: Int,
                strideH: Int? = nil, strideW: Int? = nil, padH: Int = 0, padW: Int = 0,
                dilationH: Int = 1, dilationW: Int = 1, ceilMode: Bool = false) {
        self.batch = batch; self.channels = channels; self.height = height; self.width = width
        self.kernelH = kernelH; self.kernelW = kernelW
        self.strideH = strideH ?? kernelH; self.strideW = strideW ?? kernelW
        self.padH = padH; self.padW = padW; self.dilationH = dilationH; self.dilationW = dilationW
        self.ceilMode = ceilMode
    }

    static func outputSize(_ size: Int, _ k: Int, _ s: Int, _ p: Int, _ d: Int, _ ceil: Bool) -> Int {
        let span = size + 2 * p - d * (k - 1) - 1
        var out = (ceil ? (span + s - 1) / s : span / s) + 1
        if ceil && (out - 1) * s >= size + p { out -= 1 }
        return out
    }

    public var outH: Int { Self.outputSize(height, kernelH, strideH, padH, dilationH, ceilMode) }
    public var outW: Int { Self.outputSize(width, kernelW, strideW, padW, dilationW, ceilMode) }
    public var planes: Int { batch * channels }
    public var inputCount: Int { planes * height * width }
    public var outputCount: Int { planes * outH * outW }

    func validate() {
        precondition(kernelH > 0 && kernelW > 0 && strideH > 0 && strideW > 0 && dilationH > 0 && dilationW > 0,
                     "pool2d: kernel, stride and dilation must be positive")
        precondition(padH >= 0 && padW >= 0 && 2 * padH <= kernelH && 2 * padW <= kernelW,
                     "pool2d: padding must be at most half the kernel (PyTorch rule)")
        precondition(outH > 0 && outW > 0, "pool2d: output would be empty")
    }
}
