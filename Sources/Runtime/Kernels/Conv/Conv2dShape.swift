/// Geometry of a 2-D convolution (PyTorch `Conv2d` semantics, NCHW).
///
/// input is [N, C, H, W], weight is [OC, C/groups, KH, KW], bias is [OC], output is [N, OC, OH, OW]
/// with OH = ⌊(H + 2·padH − dilationH·(KH − 1) − 1) / strideH⌋ + 1 (and likewise OW).
public struct Conv2dShape: Hashable, Sendable {
    public var batch: Int, inChannels: Int, height: Int, width: Int
    public var outChannels: Int, kernelH: Int, kernelW: Int
    public var strideH: Int, strideW: Int, padH: Int, padW: Int, dilationH: Int, dilationW: Int
    public var groups: Int

    public init(batch: Int, inChannels: Int, height: Int, width: Int, outChannels: Int,
                kernelH: Int, kernelW: Int, strideH: Int = 1, strideW: Int = 1, padH: Int = 0, padW: Int = 0,
                dilationH: Int = 1, dilationW: Int = 1, groups: Int = 1) {
        self.batch = batch; self.inChannels = inChannels; self.height = height; self.width = width
        self.outChannels = outChannels; self.kernelH = kernelH; self.kernelW = kernelW
        self.strideH = strideH; self.strideW = strideW; self.padH = padH; self.padW = padW
        self.dilationH = dilationH; self.dilationW = dilationW; self.groups = groups
    }

    public var outH: Int { (height + 2 * padH - dilationH * (kernelH - 1) - 1) / strideH + 1 }
    public var outW: Int { (width + 2 * padW - dilationW * (kernelW - 1) - 1) / strideW + 1 }
    /// Input channels per group.
    public var groupIn: Int { inChannels / groups }
    /// Output channels per group.
    public var groupOut: Int { outChannels / groups }
    /// Rows of the im2col matrix of one group: C/groups · KH · KW.
    public var patch: Int { groupIn * kernelH * kernelW }
    public var inputCount: Int { batch * inChannels * height * width }
    public var outputCount: Int { batch * outChannels * outH * outW }
    public var weightCount: Int { outChannels * patch }

    /// 1×1, stride 1, no padding: the input of a group already is its im2col matrix.
    var isPointwise: Bool {
        kernelH == 1 && kernelW == 1 && strideH == 1 && strideW == 1 && padH == 0 && padW == 0
    }

    func validate() {
        precondition(batch >= 0 && inChannels > 0 && outChannels > 0 && groups > 0, "conv2d: bad sizes \(self)")
        precondition(inChannels % groups == 0 && outChannels % groups == 0, "conv2d: channels not divisible by groups")
        precondition(strideH > 0 && strideW > 0 && dilationH > 0 && dilationW > 0 && padH >= 0 && padW >= 0, "conv2d: bad stride/dilation/padding")
        precondition(outH > 0 && outW > 0, "conv2d: kernel larger than padded input")
    }
}
