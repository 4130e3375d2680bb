/// Python source of the Shake-Shake and ShakeDrop helpers: autograd Functions whose backward
/// uses a coefficient drawn independently of the forward one (docs/semantics.md, "Residual
/// regularizers"), and modules that use the expectation at evaluation, as `regula eval` does.
enum PyTorchShakeSource {
    static let shakeShake = #"""
        class ShakeShakeMix(Function):
            """sum(alpha_i * F_i) forward; the backward sends beta_i * dy to F_i, beta drawn independently (Gastaldi 2017)."""

            @staticmethod
            def forward(ctx, alpha, beta, *branches):
                ctx.save_for_backward(beta)
                return sum(a * f for a, f in zip(alpha, branches))

            @staticmethod
            def backward(ctx, grad):
                (beta,) = ctx.saved_tensors
                return (None, None) + tuple(b * grad for b in beta)


        def shake_coefficients(kind, count, like, level):
            """`count` coefficients summing to 1, per example ("image") or per mini-batch ("batch").

            "shake": (a, 1 - a) with a ~ U(0, 1) for two branches, u_i / sum(u) with u_i ~ U(0, 1) for more;
            "even": 1/count.
            """
            shape = (like.shape[0] if level == "image" else 1,) + (1,) * (like.dim() - 1)
            if kind == "even":
                return torch.full((count,) + shape, 1 / count, dtype=like.dtype, device=like.device)
            if count == 2:
                a = torch.rand(shape, dtype=like.dtype, device=like.device)
                return torch.stack([a, 1 - a])
            u = torch.rand((count,) + shape, dtype=like.dtype, device=like.device)
            return u / u.sum(dim=0, keepdim=True)


        class ShakeShake(nn.Module):
            """y = shortcut(x) + g * sum(alpha_i * F_i(x)); the mean of the branches at evaluation."""

            def __init__(self, branches, shortcut=None, forward="shake", backward="shake", level="image",
                         survival=1.0, mode="batch"):
                super().__init__()
                self.branches = nn.ModuleList(branches)
                self.shortcut = shortcut if shortcut is not None else nn.Identity()
                self.forward_kind, self.backward_kind, self.level = forward, backward, level
                self.survival, self.mode = survival, mode

            def forward(self, x):
                outputs = [branch(x) for branch in self.branches]
                if self.training:
                    alpha = shake_coefficients(self.forward_kind, len(outputs), outputs[0], self.level)
                    beta = alpha if self.backward_kind == "keep" else shake_coefficients(
                        self.backward_kind, len(outputs), outputs[0], self.level)
                    mixed = ShakeShakeMix.apply(alpha, beta, *outputs)
                else:
                    mixed = sum(outputs) / len(outputs)
                return self.shortcut(x) + stochastic_depth(mixed, self.survival, self.mode, self.training)
        """#

    static let shakeDrop = #"""
        class ShakeDropScale(Function):
            """x * forward_scale forward, dy * backward_scale backward (the same gate b, an independent beta)."""

            @staticmethod
            def forward(ctx, x, forward_scale, backward_scale):
                ctx.save_for_backward(backward_scale)
                return x * forward_scale

            @staticmethod
            def backward(ctx, grad):
                (backward_scale,) = ctx.saved_tensors
                return grad * backward_scale, None, None


        class ShakeDrop(nn.Module):
            """y = shortcut(x) + (b + alpha - b*alpha) * body(x), b ~ Bernoulli(p) per mini-batch (Yamada et al. 2019).

            The backward uses (b + beta - b*beta) with an independent beta; evaluation uses p + (1 - p) * E[alpha].
            """

            def __init__(self, body, p, alpha=(-1.0, 1.0), beta=(0.0, 1.0), level="image", shortcut=None,
                         survival=1.0, mode="batch"):
                super().__init__()
                self.body = body
                self.shortcut = shortcut if shortcut is not None else nn.Identity()
                self.p, self.alpha, self.beta, self.level = p, alpha, beta, level
                self.survival, self.mode = survival, mode

            def forward(self, x):
                y = self.body(x)
                if self.training:
                    b = float(torch.rand(()) < self.p)
                    shape = (y.shape[0] if self.level == "image" else 1,) + (1,) * (y.dim() - 1)
                    alpha = torch.empty(shape, dtype=y.dtype, device=y.device).uniform_(*self.alpha)
                    beta = torch.empty(shape, dtype=y.dtype, device=y.device).uniform_(*self.beta)
                    y = ShakeDropScale.apply(y, b + alpha - b * alpha, b + beta - b * beta)
                else:
                    y = y * (self.p + (1 - self.p) * (self.alpha[0] + self.alpha[1]) / 2)
                return self.shortcut(x) + stochastic_depth(y, self.survival, self.mode, self.training)
        """#
}
