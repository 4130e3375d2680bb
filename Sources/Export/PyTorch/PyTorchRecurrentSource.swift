/// Python source of the recurrent helpers: PyTorch's LSTM and GRU cells (same parameters, gate
/// order and `state_dict` names as `nn.LSTM`/`nn.GRU`, which they subclass for creation and
/// initialization) stepped in Python, because Regula's regularizers act inside the recurrence
/// (docs/semantics.md, "Sequence models"): variational input dropout per sequence and direction,
/// Keras's recurrent dropout on h_{t-1} where it enters the recurrent product, zoneout with its
/// expectation at evaluation, and weight drop (DropConnect on weight_hh, one mask per step).
enum PyTorchRecurrentSource {
    static let recurrent = #"""
        class Recurrent:
            """The shared loop of LSTM and GRU over batch-first [N, T, F]: the output sequence [N, T, dirs*H] or the
            final state [N, dirs*H] (forward's last step, then backward's state after the first step)."""

            def setup(self, return_sequences, dropout, recurrent_dropout, zoneout, weight_drop):
                self.return_sequences = return_sequences
                self.input_dropout, self.recurrent_dropout = dropout, recurrent_dropout
                self.zoneout, self.weight_drop = zoneout, weight_drop

            def forward(self, x):
                outputs, finals = [], []
                for suffix in ["", "_reverse"][: 2 if self.bidirectional else 1]:
                    w_ih, w_hh = getattr(self, "weight_ih_l0" + suffix), getattr(self, "weight_hh_l0" + suffix)
                    b_ih, b_hh = getattr(self, "bias_ih_l0" + suffix), getattr(self, "bias_hh_l0" + suffix)
                    xs = x
                    if self.training and self.input_dropout > 0:  # one mask per sequence and direction
                        xs = xs * torch.bernoulli(torch.full_like(x[:, :1], 1 - self.input_dropout)) / (1 - self.input_dropout)
                    if self.training and self.weight_drop > 0:
                        w_hh = F.dropout(w_hh, self.weight_drop)
                    inputs = F.linear(xs, w_ih, b_ih)  # every step's input projection at once
                    state = [x.new_zeros(x.shape[0], self.hidden_size) for _ in range(self.state_count)]
                    keep = None
                    if self.training and self.recurrent_dropout > 0:
                        keep = torch.bernoulli(state[0].new_full(state[0].shape, 1 - self.recurrent_dropout))
                        keep = keep / (1 - self.recurrent_dropout)
                    steps = range(x.shape[1] - 1, -1, -1) if suffix else range(x.shape[1])
                    sequence = [None] * x.shape[1]
                    for t in steps:
                        h = state[0] if keep is None else state[0] * keep
                        new = self.cell(inputs[:, t], h, state, w_hh, b_hh)
                        state = [self.zone(old, value) for old, value in zip(state, new)]
                        sequence[t] = state[0]
                    outputs.append(torch.stack(sequence, dim=1))
                    finals.append(state[0])
                return torch.cat(outputs if self.return_sequences else finals, dim=-1)

            def zone(self, old, new):
                """Zoneout: keep each unit's old value with probability z in training, z*old + (1 - z)*new at evaluation."""
                if self.zoneout == 0:
                    return new
                if not self.training:
                    return self.zoneout * old + (1 - self.zoneout) * new
                keep = torch.bernoulli(torch.full_like(new, self.zoneout))
                return keep * old + (1 - keep) * new
        """#

    static let lstm = #"""
        class LSTM(Recurrent, nn.LSTM):
            """nn.LSTM's parameters (gates i, f, g, o) with Regula's regularizers; see Recurrent."""

            state_count = 2

            def __init__(self, input_size, hidden_size, bidirectional=False, return_sequences=False, dropout=0.0,
                         recurrent_dropout=0.0, zoneout=0.0, weight_drop=0.0):
                nn.LSTM.__init__(self, input_size, hidden_size, batch_first=True, bidirectional=bidirectional)
                self.setup(return_sequences, dropout, recurrent_dropout, zoneout, weight_drop)

            def cell(self, projected, h, state, w_hh, b_hh):
                i, f, g, o = (projected + F.linear(h, w_hh, b_hh)).chunk(4, dim=1)
                c = torch.sigmoid(f) * state[1] + torch.sigmoid(i) * torch.tanh(g)
                return torch.sigmoid(o) * torch.tanh(c), c
        """#

    static let gru = #"""
        class GRU(Recurrent, nn.GRU):
            """nn.GRU's parameters (gates r, z, n; the reset gate applied after the recurrent product) with Regula's
            regularizers; the interpolation z*h uses the unmasked state, as Keras. See Recurrent."""

            state_count = 1

            def __init__(self, input_size, hidden_size, bidirectional=False, return_sequences=False, dropout=0.0,
                         recurrent_dropout=0.0, zoneout=0.0, weight_drop=0.0):
                nn.GRU.__init__(self, input_size, hidden_size, batch_first=True, bidirectional=bidirectional)
                self.setup(return_sequences, dropout, recurrent_dropout, zoneout, weight_drop)

            def cell(self, projected, h, state, w_hh, b_hh):
                x_r, x_z, x_n = projected.chunk(3, dim=1)
                h_r, h_z, h_n = F.linear(h, w_hh, b_hh).chunk(3, dim=1)
                r, z = torch.sigmoid(x_r + h_r), torch.sigmoid(x_z + h_z)
                return ((1 - z) * torch.tanh(x_n + r * h_n) + z * state[0],)
        """#
}
