import Check

/// Output size of a convolution or pooling window along one axis (PyTorch's formula).
func windowOutput(_ n: Int, kernel: Int, stride: Int, padding: Int, dilation: Int = 1, ceil: Bool = false) -> Int {
    let span = n + 2 * padding - dilation * (kernel - 1) - 1
    var out = (ceil ? (span + stride - 1) / stride : span / stride) + 1
    // PyTorch: the last window must start inside the input or its left padding.
    if ceil && (out - 1) * stride >= n + padding { out -= 1 }
    return out
}

private func spatial(_ t: TensorType, _ op: String) throws -> (c: Int, h: Int, w: Int) {
    try require(t.rank == 4, "\(op) needs an NCHW input, got \(t)")
    return (try fixed(t.shape[1], "\(op) channels"), try fixed(t.shape[2], "\(op) height"), try fixed(t.shape[3], "\(op) width"))
}

private func nchw(_ n: Dim, _ c: Int, _ h: Int, _ w: Int) -> TensorType { .f32([n, .fixed(c), .fixed(h), .fixed(w)]) }

/// Convolution, pooling and upsampling over NCHW values.
func convRule(_ op: Op) -> OpRule? {
    switch op {
    case .conv2d(let a):
        // y = x ⋆ w;  dx = conv2d_backward_data(dy, w),  dw = conv2d_backward_filter(dy, x)
        return OpRule(shape: { t in
            try arity(t, 2, "conv2d")
            let (c, h, w) = try spatial(t[0], "conv2d")
            guard let k = t[1].fixedShape, k.count == 4 else { throw ShapeError("conv2d weight must be [OC, C/g, KH, KW], got \(t[1])") }
            try require(c == k[1] * a.groups, "conv2d weight \(t[1]) expects \(k[1] * a.groups) input channels, got \(c)")
            let oh = windowOutput(h, kernel: k[2], stride: a.stride[0], padding: a.padding[0], dilation: a.dilation[0])
            let ow = windowOutput(w, kernel: k[3], stride: a.stride[1], padding: a.padding[1], dilation: a.dilation[1])
            try require(oh > 0 && ow > 0, "conv2d output would be empty for input \(t[0])")
            return [nchw(t[0].shape[0], k[0], oh, ow)]
        }, grad: { c in
            let x = c.type(c.x(0)), w = c.type(c.x(1))
            if c.needs(0) { c.set(0, c.emit1(.conv2dBackwardData(a, input: x.perExample.compactMap(\.value)), [c.dy(), c.x(1)])) }
            if c.needs(1) { c.set(1, c.emit1(.conv2dBackwardFilter(a, weight: w.fixedShape ?? []), [c.dy(), c.x(0)])) }
        })
    case .conv2dBackwardData(_, let input):
        return OpRule(shape: { t in
            try arity(t, 2, "conv2d_backward_data")
            try require(t[0].rank == 4 && input.count == 3, "conv2d_backward_data needs an NCHW gradient, got \(t[0])")
            return [.f32([t[0].shape[0]] + input.map { .fixed($0) })]
        })
    case .conv2dBackwardFilter(_, let weight):
        return OpRule(shape: { t in
            try arity(t, 2, "conv2d_backward_filter")
            return [.f32(fixed: weight)]
        })
    case .maxPool2d(let p), .avgPool2d(let p):
        let isMax: Bool = { if case .maxPool2d = op { return true }; return false }()
        // max: dx routes dy to each window's arg-max;  avg: dx spreads dy/(kh·kw) over each window
        return OpRule(shape: { t in
            try arity(t, 1, "pool2d")
            let (c, h, w) = try spatial(t[0], "pool2d")
            let oh = windowOutput(h, kernel: p.size[0], stride: p.stride[0], padding: p.padding[0], ceil: p.ceilMode)
            let ow = windowOutput(w, kernel: p.size[1], stride: p.stride[1], padding: p.padding[1], ceil: p.ceilMode)
            try require(oh > 0 && ow > 0, "pool2d output would be empty for input \(t[0])")
            return [nchw(t[0].shape[0], c, oh, ow)]
        }, grad: { c in
            if isMax {
                c.set(0, c.emit1(.maxPool2dBackward(p), [c.dy(), c.x(0)]))
            } else {
                c.set(0, c.emit1(.avgPool2dBackward(p, input: c.type(c.x(0)).perExample.compactMap(\.value)), [c.dy()]))
            }
        })
    case .maxPool2dBackward:
        return OpRule(shape: { t in
            try arity(t, 2, "maxpool2d_backward")
            return [t[1]]
        })
    case .avgPool2dBackward(_, let input):
        return OpRule(shape: { t in
            try arity(t, 1, "avgpool2d_backward")
            return [.f32([t[0].shape[0]] + input.map { .fixed($0) })]
        })
    case .globalAvgPool:
        // y[n,c] = mean_{h,w} x;  dx = dy/(H·W) broadcast
        return OpRule(shape: { t in
            try arity(t, 1, "global_avgpool")
            let (c, _, _) = try spatial(t[0], "global_avgpool")
            return [.f32([t[0].shape[0], .fixed(c)])]
        }, grad: { c in
            let s = c.type(c.x(0)).shape.suffix(2).compactMap(\.value)
            c.set(0, c.emit1(.globalAvgPoolBackward(spatial: s), [c.dy()]))
        })
    case .globalAvgPoolBackward(let s):
        return OpRule(shape: { t in
            try arity(t, 1, "global_avgpool_backward")
            try require(t[0].rank == 2 && s.count == 2, "global_avgpool_backward needs [N, C], got \(t[0])")
            return [.f32(t[0].shape + s.map { .fixed($0) })]
        })
    case .upsampleNearest(let k):
        // y[h,w] = x[h/k, w/k];  dx = Σ over each k×k block of dy
        return OpRule(shape: { t in
            try arity(t, 1, "upsample_nearest")
            let (c, h, w) = try spatial(t[0], "upsample_nearest")
            return [nchw(t[0].shape[0], c, h * k, w * k)]
        }, grad: { c in
            c.set(0, c.emit1(.upsampleNearestBackward(scale: k), [c.dy()]))
        })
    case .upsampleNearestBackward(let k):
        return OpRule(shape: { t in
            try arity(t, 1, "upsample_nearest_backward")
            let (c, h, w) = try spatial(t[0], "upsample_nearest_backward")
            try require(h % k == 0 && w % k == 0, "upsample_nearest_backward needs sizes divisible by \(k), got \(t[0])")
            return [nchw(t[0].shape[0], c, h / k, w / k)]
        })
    case .permute(let axes):
        // y = xᵀ with output axis k = input axis axes[k];  dx = dy permuted by the inverse
        return OpRule(shape: { t in
            try arity(t, 1, "permute")
            let s = t[0].shape
            try require(axes.sorted() == Array(0..<(s.count - 1)), "permute axes \(axes) do not fit \(t[0])")
            return [TensorType(t[0].dtype, [s[0]] + axes.map { s[$0 + 1] })]
        }, grad: { c in
            var inverse = axes
            for (k, a) in axes.enumerated() { inverse[a] = k }
            c.set(0, c.emit1(.permute(axes: inverse), [c.dy()]))
        })
    case .pad2d(let a):
        // y[c,h,w] = x[c−cb, (h−top)·s, (w−left)·s] inside x, else 0;  dx = dy at those entries, 0 elsewhere
        return OpRule(shape: { t in
            try arity(t, 1, "pad2d")
            let (c, h, w) = try spatial(t[0], "pad2d")
            let o = a.output(c, h, w)
            try require(o.allSatisfy { $0 > 0 }, "pad2d leaves an empty output \(o) from \(t[0])")
            return [nchw(t[0].shape[0], o[0], o[1], o[2])]
        }, grad: { c in
            let s = c.type(c.x(0)).shape.suffix(3).compactMap(\.value)
            c.set(0, c.emit1(.pad2dBackward(a, input: s), [c.dy()]))
        })
    case .pad2dBackward(let a, let input):
        return OpRule(shape: { t in
            try arity(t, 1, "pad2d_backward")
            let (c, h, w) = try spatial(t[0], "pad2d_backward")
            try require(input.count == 3 && a.output(input[0], input[1], input[2]) == [c, h, w],
                        "pad2d_backward of \(input) does not match \(t[0])")
            return [nchw(t[0].shape[0], input[0], input[1], input[2])]
        })
    default:
        return nil
    }
}
