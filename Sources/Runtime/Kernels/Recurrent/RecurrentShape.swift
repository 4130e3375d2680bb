/// Sizes of a batch-first recurrent layer run: x is [B, T, I], outputs are [B, T, H].
public struct RecurrentShape: Hashable, Sendable {
    public var batch: Int, steps: Int, input: Int, hidden: Int

    public init(batch: Int, steps: Int, input: Int, hidden: Int) {
        self.batch = batch; self.steps = steps; self.input = input; self.hidden = hidden
    }

    /// Rows of the [B·T, ·] matrices; row b·T + t is sample b at step t (batch-first order).
    var rows: Int { batch * steps }
}

/// Shared helpers of the LSTM and GRU kernels.
enum RecurrentSupport {
    /// Copies h_{t−1} for every (b, t) into hPrev [B·T, H] (h0 or zeros at t = 0), so the
    /// recurrent weight gradient is one GEMM over all steps.
    static func previousStates(_ s: RecurrentShape, y: UnsafePointer<Float>, h0: UnsafePointer<Float>?,
                               into hPrev: UnsafeMutablePointer<Float>) {
        let h = s.hidden
        for b in 0..<s.batch {
            let first = hPrev + b * s.steps * h
            if let h0 { first.update(from: h0 + b * h, count: h) } else { first.update(repeating: 0, count: h) }
            if s.steps > 1 { (first + h).update(from: y + b * s.steps * h, count: (s.steps - 1) * h) }
        }
    }
}
