/// The helper classes `model.py` defines for layers PyTorch has no module for. Only the ones a
/// model uses are written (with the imports they need), so the file has no dead code.
enum PyTorchHelper: Int, CaseIterable, Comparable {
    case globalAvgPool, classicDropout, lockedDropout, gaussianNoise, dropBlock, dropConnectLinear, embeddingDropout, recurrent, lstm, gru,
         stochasticDepth, residual,
         shakeShake, shakeDrop, sequencePool, positionalEncoding, permute, pad2d, reshape

    static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }

    /// Helpers this one calls.
    var requires: [PyTorchHelper] {
        switch self {
        case .residual, .shakeShake, .shakeDrop: return [.stochasticDepth]
        case .lstm, .gru: return [.recurrent]
        default: return []
        }
    }

    /// Whether the source refers to `torch.` (so model.py must `import torch`).
    var usesTorch: Bool { ![.globalAvgPool, .sequencePool, .permute, .pad2d, .reshape].contains(self) }
    /// Whether the source calls `F.` (torch.nn.functional).
    var usesFunctional: Bool { [.dropConnectLinear, .embeddingDropout, .dropBlock, .recurrent, .lstm, .gru, .pad2d].contains(self) }
    /// Whether the source defines an autograd Function.
    var usesFunction: Bool { self == .shakeShake || self == .shakeDrop }

    var source: String {
        switch self {
        case .reshape: return #"""
            class Reshape(nn.Module):
                """Gives each example a new shape with the same number of elements (the batch stays first)."""

                def __init__(self, *shape):
                    super().__init__()
                    self.shape = shape

                def forward(self, x):
                    return x.reshape(x.shape[0], *self.shape)
            """#
        case .permute: return #"""
            class Permute(nn.Module):
                """Reorders the per-example axes (the batch stays first), as torch.permute."""

                def __init__(self, *axes):
                    super().__init__()
                    self.dims = (0,) + tuple(a + 1 for a in axes)

                def forward(self, x):
                    return x.permute(*self.dims)
            """#
        case .pad2d: return #"""
            class Pad2d(nn.Module):
                """Keeps every stride-th row and column, then zero-pads [N, C, H, W] (negative amounts crop)."""

                def __init__(self, channels=(0, 0), height=(0, 0), width=(0, 0), stride=1):
                    super().__init__()
                    self.pads = (width[0], width[1], height[0], height[1], channels[0], channels[1])
                    self.stride = stride

                def forward(self, x):
                    if self.stride > 1:
                        x = x[:, :, ::self.stride, ::self.stride]
                    return F.pad(x, self.pads)
            """#
        case .sequencePool: return #"""
            class SequencePool(nn.Module):
                """[N, T, F] to [N, F]: the mean or the maximum over the steps, or the first step."""

                def __init__(self, mode):
                    super().__init__()
                    self.mode = mode

                def forward(self, x):
                    if self.mode == "mean":
                        return x.mean(dim=1)
                    if self.mode == "max":
                        return x.max(dim=1).values
                    return x[:, 0]
            """#
        case .positionalEncoding: return #"""
            class PositionalEncoding(nn.Module):
                """Adds the sinusoids of Vaswani et al. (2017) to [N, T, F]: sin on even features, cos on odd."""

                def __init__(self, steps, features):
                    super().__init__()
                    t = torch.arange(steps, dtype=torch.float64)[:, None]
                    i = torch.arange(features)
                    angle = t / torch.pow(10000.0, (2 * (i // 2)).double() / features)
                    table = torch.where(i % 2 == 0, torch.sin(angle), torch.cos(angle)).float()
                    self.register_buffer("table", table, persistent=False)

                def forward(self, x):
                    return x + self.table
            """#
        case .globalAvgPool: return #"""
            class GlobalAvgPool(nn.Module):
                """The mean over the spatial axes: [N, C, H, W] to [N, C]."""

                def forward(self, x):
                    return x.mean(dim=(2, 3))
            """#
        case .classicDropout: return #"""
            class ClassicDropout(nn.Module):
                """Dropout as Srivastava et al. (2014) write it: x*m in training, (1 - p)*x at evaluation."""

                def __init__(self, p):
                    super().__init__()
                    self.p = p

                def forward(self, x):
                    if not self.training:
                        return x * (1 - self.p)
                    return x * torch.bernoulli(torch.full_like(x, 1 - self.p))
            """#
        case .lockedDropout: return #"""
            class LockedDropout(nn.Module):
                """One mask per sequence, shared by every step (AWD-LSTM): [N, T, F] masked per (example, feature)."""

                def __init__(self, p):
                    super().__init__()
                    self.p = p

                def forward(self, x):
                    if not self.training or self.p == 0:
                        return x
                    keep = torch.bernoulli(torch.full_like(x[:, :1], 1 - self.p))
                    return x * keep / (1 - self.p)
            """#
        case .gaussianNoise: return #"""
            class GaussianNoise(nn.Module):
                """x + std*n (additive) or x*(1 + std*n) (multiplicative) in training; the identity at evaluation."""

                def __init__(self, std, multiplicative=False):
                    super().__init__()
                    self.std = std
                    self.multiplicative = multiplicative

                def forward(self, x):
                    if not self.training:
                        return x
                    noise = torch.randn_like(x) * self.std
                    return x * (1 + noise) if self.multiplicative else x + noise
            """#
        case .dropBlock: return #"""
            class DropBlock(nn.Module):
                """DropBlock (Ghiasi et al. 2018) on [N, C, H, W]: seeds with rate gamma where a whole block fits, each
                zeroing a block_size square, per (example, channel); y = x*M*count(M)/sum(M) over the batch. p rises
                as p*min(1, t/schedule_steps) with the training step t when scheduled; the identity at evaluation."""

                def __init__(self, p, block_size=7, schedule_steps=None):
                    super().__init__()
                    self.p, self.block_size, self.schedule_steps = p, block_size, schedule_steps
                    self.steps = 0  # training passes so far, one per optimizer step

                def forward(self, x):
                    if not self.training:
                        return x
                    p = self.p if self.schedule_steps is None else self.p * min(1.0, self.steps / self.schedule_steps)
                    self.steps += 1
                    n, c, h, w = x.shape
                    bs = self.block_size
                    if p == 0 or bs > min(h, w):
                        return x
                    gamma = p / bs**2 * h * w / ((h - bs + 1) * (w - bs + 1))
                    seeds = torch.bernoulli(torch.full((n, c, h - bs + 1, w - bs + 1), gamma, dtype=x.dtype, device=x.device))
                    # Centre i drops rows i - bs//2 ... i - bs//2 + bs - 1: pad the valid region back to H x W, then
                    # a stride-1 max pool with the block's asymmetric reach spreads each seed over its block.
                    seeds = F.pad(seeds, (bs // 2, (bs - 1) // 2, bs // 2, (bs - 1) // 2))
                    reach = ((bs - 1) // 2, bs // 2, (bs - 1) // 2, bs // 2)
                    mask = 1 - F.max_pool2d(F.pad(seeds, reach), bs, stride=1)
                    return x * mask * (mask.numel() / mask.sum().clamp(min=1))
            """#
        case .dropConnectLinear: return #"""
            class DropConnectLinear(nn.Linear):
                """nn.Linear whose weight in training is w*m/(1 - p), m ~ Bernoulli(1 - p) per element, one mask per
                step for the batch (DropConnect, Wan et al. 2013); w at evaluation."""

                def __init__(self, in_features, out_features, bias=True, p=0.5):
                    super().__init__(in_features, out_features, bias=bias)
                    self.p = p

                def forward(self, x):
                    if not self.training:
                        return super().forward(x)
                    keep = torch.bernoulli(torch.full_like(self.weight, 1 - self.p))
                    return F.linear(x, self.weight * keep / (1 - self.p), self.bias)
            """#
        case .embeddingDropout: return #"""
            class EmbeddingDropout(nn.Embedding):
                """nn.Embedding that drops whole rows of its table in training, a new draw every step, kept rows
                scaled by 1/(1 - p) (Gal & Ghahramani 2016, AWD-LSTM); the full table at evaluation."""

                def __init__(self, num_embeddings, embedding_dim, p):
                    super().__init__(num_embeddings, embedding_dim)
                    self.p = p

                def forward(self, x):
                    if not self.training:
                        return super().forward(x)
                    keep = torch.bernoulli(torch.full((self.num_embeddings, 1), 1 - self.p, device=self.weight.device))
                    return F.embedding(x, self.weight * keep / (1 - self.p))
            """#
        case .stochasticDepth: return #"""
            def stochastic_depth(branch, survival, mode, training):
                """Gates a residual branch (Huang et al. 2016) with survival probability `survival`.

                "batch": one draw per mini-batch, no rescaling, the branch times `survival` at evaluation (the paper);
                "sample": one draw per example, kept rows scaled by 1/survival, the identity at evaluation (timm DropPath).
                """
                if survival == 1:
                    return branch
                if not training:
                    return branch * survival if mode == "batch" else branch
                if mode == "batch":
                    return branch if torch.rand(()) < survival else branch * 0
                shape = (branch.shape[0],) + (1,) * (branch.dim() - 1)
                keep = torch.bernoulli(torch.full(shape, survival, dtype=branch.dtype, device=branch.device))
                return branch * keep / survival
            """#
        case .residual: return #"""
            class Residual(nn.Module):
                """y = shortcut(x) + g*body(x), g the stochastic-depth gate."""

                def __init__(self, body, shortcut=None, survival=1.0, mode="batch"):
                    super().__init__()
                    self.body = body
                    self.shortcut = shortcut if shortcut is not None else nn.Identity()
                    self.survival = survival
                    self.mode = mode

                def forward(self, x):
                    return self.shortcut(x) + stochastic_depth(self.body(x), self.survival, self.mode, self.training)
            """#
        case .recurrent: return PyTorchRecurrentSource.recurrent
        case .lstm: return PyTorchRecurrentSource.lstm
        case .gru: return PyTorchRecurrentSource.gru
        case .shakeShake: return PyTorchShakeSource.shakeShake
        case .shakeDrop: return PyTorchShakeSource.shakeDrop
        }
    }
}
