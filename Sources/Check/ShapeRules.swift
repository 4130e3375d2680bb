import Diagnostics

// Shape rules: one row per kind, from the per-example input shape to the op and output shape.
// Shapes are channels-first and per example (the batch is implicit). A rule that finds a
// problem appends a diagnostic and returns nil, which poisons the output.

/// What a single-input rule sees.
struct RuleInput {
    var layer: ELayer
    var x: Shape
    /// How the last dim of `x` was computed (`32·7·7`), when it came from a flatten.
    var arithmetic: String?
    /// The dtype of `x` (int32 only for the model input of an embedding model).
    var dtype: DType
}

struct RuleOutput {
    var op: LayerOp
    var shape: Shape
    var arithmetic: String? = nil
}

typealias ShapeRule = (RuleInput, inout [Diagnostic]) -> RuleOutput?

/// The rule for each single-input kind (`add`, `concat` and the residual kinds are in Infer).
func shapeRule(_ id: KindID) -> ShapeRule? {
    switch id {
    case .dense: return denseRule                 // [..., in] → [..., units]
    case .conv2d: return convRule                 // [C, H, W] → [F, ⌊(H+2p−d(k−1)−1)/s⌋+1, …]
    case .maxPool: return { poolRule($0, &$1, max: true) }   // [C, H, W] → [C, ⌊(H+2p−k)/s⌋+1, …] (⌈⌉ with ceil_mode)
    case .avgPool: return { poolRule($0, &$1, max: false) }
    case .globalAvgPool: return globalPoolRule    // [C, H, W] → [C]
    case .upsample: return upsampleRule           // [C, H, W] → [C, sH, sW]
    case .padChannels: return padChannelsRule     // [C, H, W] → [channels, ⌈H/s⌉, ⌈W/s⌉]
    case .permute: return permuteRule             // [d0, …, dn] → [d_axes[0], …]
    case .shift: return shiftRule                 // [C, H, W] unchanged, |x| < W, |y| < H
    case .pad: return { sidesRule($0, &$1, sign: 1) }    // [C, H + top + bottom, W + left + right]
    case .crop: return { sidesRule($0, &$1, sign: -1) }  // [C, H − top − bottom, W − left − right]
    case .flatten: return flattenRule             // [d0, …, dk, …] → [d0, …, dk·…·dn]
    case .reshape: return reshapeRule             // same element count per example
    case .activation(let a): return { activationRule(a, $0, &$1) }   // shape unchanged
    case .dropout: return { i, _ in RuleOutput(op: .dropout(p: i.layer.number("p") ?? 0.5, scaling: DropoutScaling(rawValue: i.layer.string("scaling") ?? "inverted") ?? .inverted), shape: i.x) }
    case .spatialDropout: return spatialDropoutRule   // [C, …] unchanged, one draw per channel
    case .lockedDropout: return lockedDropoutRule     // [T, F] unchanged, one draw per feature
    case .gaussianNoise: return { i, _ in RuleOutput(op: .gaussianNoise(std: i.layer.number("stddev") ?? 0, multiplicative: false), shape: i.x) }
    case .alphaDropout: return { i, _ in RuleOutput(op: .alphaDropout(p: i.layer.number("p") ?? 0.5), shape: i.x) }
    case .dropBlock: return dropBlockRule           // [C, H, W] unchanged, block_size ≤ H, W
    case .gaussianDropout:                        // σ = √(p/(1−p)): dropout's mean and variance
        return { i, _ in RuleOutput(op: .gaussianNoise(std: ((i.layer.number("p") ?? 0) / (1 - (i.layer.number("p") ?? 0))).squareRoot(), multiplicative: true), shape: i.x) }
    case .batchNorm: return batchNormRule         // [C, …] unchanged, statistics per channel
    case .layerNorm: return layerNormRule         // unchanged, normalized over trailing dims
    case .groupNorm: return groupNormRule         // [C, …] unchanged, groups | C
    case .embedding: return embeddingRule         // int32 [seq] → [seq, dim]
    case .lstm: return { recurrentRule($0, &$1, lstm: true) }   // [T, F] → [T, H·dirs] or [H·dirs]
    case .gru: return { recurrentRule($0, &$1, lstm: false) }
    case .attention: return attentionRule         // [T, E] → [T, E], E % heads = 0
    case .sequencePool: return sequencePoolRule   // [T, F] → [F]
    case .positionalEncoding: return positionalEncodingRule   // [T, F] unchanged
    case .add, .concat, .residual, .shakeShake, .shakeDrop: return nil
    }
}

// MARK: helpers

func fixedElements(_ s: Shape) -> Int? {
    var n = 1
    for d in s {
        guard let v = d.value else { return nil }
        let (m, o) = n.multipliedReportingOverflow(by: v)
        if o { return nil }
        n = m
    }
    return n
}

/// Dims of a size-1 argument list `[a, b]` applied to H and W.
private func pair(_ l: ELayer, _ a: String, _ def: [Int]) -> [Int] { l.ints(a) ?? def }

private func requireRank(_ i: RuleInput, _ r: Int, _ wanted: String, _ d: inout [Diagnostic]) -> Bool {
    if i.x.count == r { return true }
    d.append(Msg.rank(i.layer.written, wanted, i.x).error(i.layer.range))
    return false
}

private func requireFixed(_ i: RuleInput, _ dim: Dim, _ d: inout [Diagnostic]) -> Int? {
    if let v = dim.value { return v }
    d.append(Msg.symbolicSize(i.layer.written, dim.description).error(i.layer.range))
    return nil
}

/// A declared size (`in: 1600`) that differs from the inferred one; the fix-it replaces it.
private func checkDeclared(_ i: RuleInput, _ arg: String, label: String, inferred: Int, arithmetic: String?,
                           _ d: inout [Diagnostic]) -> Bool {
    guard let declared = i.layer.int(arg), declared != inferred else { return true }
    let at = i.layer.argRanges[arg] ?? i.layer.range
    d.append(Msg.declaredSize(label, inferred, arithmetic, declared).error(at,
        fixIts: [FixIt("replace with \(inferred)", range: at, replacement: String(inferred))]))
    return false
}

/// Output length of a sliding window: ⌊(n + 2p − d(k−1) − 1)/s⌋ + 1, or with ⌈⌉ in ceil mode
/// (PyTorch drops a last window that would start in the right padding).
func windowOutput(_ n: Int, kernel k: Int, padding p: Int, stride s: Int, dilation dl: Int, ceilMode: Bool) -> Int {
    let span = n + 2 * p - dl * (k - 1) - 1
    if span < 0 { return span / s + (span % s == 0 ? 1 : 0) }   // ≤ 0: the window does not fit
    var out = (ceilMode ? (span + s - 1) / s : span / s) + 1
    if ceilMode && (out - 1) * s >= n + p { out -= 1 }
    return out
}

private func windowDim(_ i: RuleInput, _ dim: Dim, axis: String, k: Int, p: Int, s: Int, dl: Int, ceil: Bool,
                       _ d: inout [Diagnostic]) -> Dim? {
    guard let n = dim.value else {
        if s == 1 && 2 * p == dl * (k - 1) { return dim }
        let eff = dl * (k - 1) + 1
        let offset = 2 * p - eff
        return .symbol("(\(dim)\(offset >= 0 ? "+" : "")\(offset))//\(s)+1")
    }
    let out = windowOutput(n, kernel: k, padding: p, stride: s, dilation: dl, ceilMode: ceil)
    if out <= 0 {
        d.append(Msg.spatialSize(i.layer.written, axis, out, n, k, p, s, dl).error(i.layer.range))
        return nil
    }
    return .fixed(out)
}

// MARK: rules

private func denseRule(_ i: RuleInput, _ d: inout [Diagnostic]) -> RuleOutput? {
    let l = i.layer
    guard let last = i.x.last else { d.append(Msg.rank(l.written, "[features]", i.x).error(l.range)); return nil }
    if let declared = l.int("in"), i.x.count > 1, let n = fixedElements(i.x), n == declared, last.value != declared {
        let product = i.x.map(\.description).joined(separator: "·")
        d.append(Msg.missingFlatten(i.x).error(l.range, notes: [Note("declared in_features \(declared) equals \(product); insert '- flatten' before this layer", at: l.argRanges["in"])]))
        return nil
    }
    guard let features = requireFixed(i, last, &d) else { return nil }
    guard checkDeclared(i, "in", label: "in_features", inferred: features, arithmetic: i.arithmetic, &d) else { return nil }
    let units = l.int("units") ?? 1
    return RuleOutput(op: .dense(units: units, bias: l.bool("bias") ?? true), shape: i.x.dropLast() + [.fixed(units)])
}

private func convRule(_ i: RuleInput, _ d: inout [Diagnostic]) -> RuleOutput? {
    let l = i.layer
    guard requireRank(i, 3, "[C, H, W]", &d), let c = requireFixed(i, i.x[0], &d) else { return nil }
    guard checkDeclared(i, "in_channels", label: "in_channels", inferred: c, arithmetic: nil, &d) else { return nil }
    let filters = l.int("filters") ?? 1, groups = l.int("groups") ?? 1
    if c % groups != 0 || filters % groups != 0 {
        d.append(Msg.groups(c, groups, filters).error(l.argRanges["groups"] ?? l.range))
        return nil
    }
    let k = pair(l, "kernel", [1, 1]), s = pair(l, "stride", [1, 1]), dl = pair(l, "dilation", [1, 1])
    var p = [0, 0]
    switch l.args["padding"] {
    case .ints(let v)?: p = v
    case .keyword("same")?:
        for a in 0..<2 where s[a] != 1 || (dl[a] * (k[a] - 1)) % 2 != 0 {
            d.append(Msg.samePadding.error(l.argRanges["padding"] ?? l.range))
            return nil
        }
        p = [dl[0] * (k[0] - 1) / 2, dl[1] * (k[1] - 1) / 2]
    default: break
    }
    guard let h = windowDim(i, i.x[1], axis: "height", k: k[0], p: p[0], s: s[0], dl: dl[0], ceil: false, &d),
          let w = windowDim(i, i.x[2], axis: "width", k: k[1], p: p[1], s: s[1], dl: dl[1], ceil: false, &d) else { return nil }
    return RuleOutput(op: .conv2d(filters: filters, kernel: k, stride: s, padding: p, dilation: dl, groups: groups, bias: l.bool("bias") ?? true),
                      shape: [.fixed(filters), h, w])
}

private func poolRule(_ i: RuleInput, _ d: inout [Diagnostic], max: Bool) -> RuleOutput? {
    let l = i.layer
    guard requireRank(i, 3, "[C, H, W]", &d) else { return nil }
    let k = pair(l, "size", [2, 2]), s = pair(l, "stride", k), p = pair(l, "padding", [0, 0])
    let ceil = l.bool("ceil_mode") ?? false
    for a in 0..<2 where p[a] * 2 > k[a] {
        d.append(Msg.poolPadding(p[a], k[a]).error(l.argRanges["padding"] ?? l.range))
        return nil
    }
    guard let h = windowDim(i, i.x[1], axis: "height", k: k[0], p: p[0], s: s[0], dl: 1, ceil: ceil, &d),
          let w = windowDim(i, i.x[2], axis: "width", k: k[1], p: p[1], s: s[1], dl: 1, ceil: ceil, &d) else { return nil }
    let op: LayerOp = max ? .maxPool(size: k, stride: s, padding: p, ceilMode: ceil) : .avgPool(size: k, stride: s, padding: p, ceilMode: ceil)
    return RuleOutput(op: op, shape: [i.x[0], h, w])
}

private func globalPoolRule(_ i: RuleInput, _ d: inout [Diagnostic]) -> RuleOutput? {
    guard requireRank(i, 3, "[C, H, W]", &d) else { return nil }
    return RuleOutput(op: .globalAvgPool, shape: [i.x[0]])
}

private func upsampleRule(_ i: RuleInput, _ d: inout [Diagnostic]) -> RuleOutput? {
    guard requireRank(i, 3, "[C, H, W]", &d) else { return nil }
    let s = i.layer.int("scale") ?? 2
    func up(_ x: Dim) -> Dim { x.value.map { .fixed($0 &* s) } ?? .symbol("\(s)·\(x)") }   // size capped by Infer
    return RuleOutput(op: .upsample(scale: s), shape: [i.x[0], up(i.x[1]), up(i.x[2])])
}

private func padChannelsRule(_ i: RuleInput, _ d: inout [Diagnostic]) -> RuleOutput? {
    guard requireRank(i, 3, "[C, H, W]", &d), let c = requireFixed(i, i.x[0], &d) else { return nil }
    let (out, s) = (i.layer.int("channels") ?? c, i.layer.int("stride") ?? 1)
    guard out >= c else {
        d.append(Msg.padChannels(out, c).error(i.layer.argRanges["channels"] ?? i.layer.range))
        return nil
    }
    let before = i.layer.string("placement") == "both" ? (out - c) / 2 : 0
    let amounts = PadAmounts(channels: [before, out - c - before], stride: s)
    func sub(_ x: Dim) -> Dim { s == 1 ? x : x.value.map { .fixed(($0 + s - 1) / s) } ?? .symbol("⌈\(x)/\(s)⌉") }
    return RuleOutput(op: .pad(amounts), shape: [.fixed(out), sub(i.x[1]), sub(i.x[2])])
}

private func permuteRule(_ i: RuleInput, _ d: inout [Diagnostic]) -> RuleOutput? {
    let axes = i.layer.ints("axes") ?? []
    guard axes.sorted() == Array(0..<i.x.count) else {
        d.append(Msg.permutation(axes, i.x).error(i.layer.argRanges["axes"] ?? i.layer.range))
        return nil
    }
    return RuleOutput(op: .permute(axes: axes), shape: axes.map { i.x[$0] })
}

private func shiftRule(_ i: RuleInput, _ d: inout [Diagnostic]) -> RuleOutput? {
    guard requireRank(i, 3, "[C, H, W]", &d) else { return nil }
    let (x, y) = (i.layer.int("x") ?? 0, i.layer.int("y") ?? 0)
    for (arg, by, dim) in [("x", x, i.x[2]), ("y", y, i.x[1])] {
        guard let n = requireFixed(i, dim, &d) else { return nil }
        if abs(by) >= n {
            d.append(Msg.shiftTooFar(arg, by, n).error(i.layer.argRanges[arg] ?? i.layer.range))
            return nil
        }
    }
    // Content moving right by x: x zero columns on the left, x columns cropped on the right.
    return RuleOutput(op: .pad(PadAmounts(height: [y, -y], width: [x, -x])), shape: i.x)
}

/// `pad` (sign 1) and `crop` (sign −1): the same amounts, added or removed.
private func sidesRule(_ i: RuleInput, _ d: inout [Diagnostic], sign: Int) -> RuleOutput? {
    guard requireRank(i, 3, "[C, H, W]", &d) else { return nil }
    let side = { (a: String) in sign * (i.layer.int(a) ?? 0) }
    let amounts = PadAmounts(height: [side("top"), side("bottom")], width: [side("left"), side("right")])
    func resize(_ x: Dim, _ by: [Int]) -> Dim? {
        if by == [0, 0] { return x }
        guard let n = requireFixed(i, x, &d) else { return nil }
        return .fixed(n + by[0] + by[1])
    }
    guard let h = resize(i.x[1], amounts.height), let w = resize(i.x[2], amounts.width) else { return nil }
    if let hv = h.value, let wv = w.value, hv < 1 || wv < 1 {
        d.append(Msg.emptyCrop(i.layer.written, show(i.x), show([i.x[0], h, w])).error(i.layer.range))
        return nil
    }
    return RuleOutput(op: .pad(amounts), shape: [i.x[0], h, w])
}

private func flattenRule(_ i: RuleInput, _ d: inout [Diagnostic]) -> RuleOutput? {
    let start = i.layer.int("start_dim") ?? 0
    guard start < i.x.count else {
        d.append(Msg.axisRange(i.layer.written, start, i.x).error(i.layer.argRanges["start_dim"] ?? i.layer.range))
        return nil
    }
    let tail = Array(i.x[start...])
    let flat: Dim = fixedElements(tail).map(Dim.fixed) ?? .symbol(tail.map(\.description).joined(separator: "·"))
    let arithmetic = tail.count > 1 ? tail.map(\.description).joined(separator: "·") : i.arithmetic
    return RuleOutput(op: .flatten(startDim: start), shape: Array(i.x[..<start]) + [flat], arithmetic: arithmetic)
}

private func reshapeRule(_ i: RuleInput, _ d: inout [Diagnostic]) -> RuleOutput? {
    let l = i.layer
    let target = l.ints("shape") ?? []
    let at = l.argRanges["shape"] ?? l.range
    if let bad = target.first(where: { $0 == 0 || $0 < -1 }) { d.append(Msg.reshapeBadDim(bad).error(at)); return nil }
    let wild = target.filter { $0 == -1 }.count
    if wild > 1 { d.append(Msg.reshapeManyWildcards.error(at)); return nil }
    guard let n = fixedElements(i.x) else {
        if let sym = i.x.first(where: { $0.value == nil }) { d.append(Msg.symbolicSize(l.written, sym.description).error(l.range)) }
        return nil
    }
    guard let known = fixedElements(target.filter { $0 != -1 }.map(Dim.fixed)) else {
        d.append(Msg.tooManyParameters(l.written).error(at)); return nil
    }
    var resolved = target
    if wild == 1 {
        guard known > 0, n % known == 0 else { d.append(Msg.reshapeInfer(target, n, i.x).error(at)); return nil }
        resolved = target.map { $0 == -1 ? n / known : $0 }
    } else if known != n {
        d.append(Msg.reshapeCount(target, known, n, i.x).error(at))
        return nil
    }
    return RuleOutput(op: .reshape(resolved), shape: resolved.map(Dim.fixed))
}

private func activationRule(_ a: Activation, _ i: RuleInput, _ d: inout [Diagnostic]) -> RuleOutput? {
    let l = i.layer
    var axis = l.int("axis") ?? -1
    if axis == -1 { axis = i.x.count - 1 }
    if (a == .softmax || a == .logSoftmax) && (axis < 0 || axis >= i.x.count) {
        d.append(Msg.axisRange(l.written, axis, i.x).error(l.argRanges["axis"] ?? l.range))
        return nil
    }
    // The runtime's softmax kernels (and so the interpreter and generated code) reduce over the
    // last axis; another axis is refused here rather than failing later.
    if (a == .softmax || a == .logSoftmax) && axis != i.x.count - 1 {
        d.append(Msg.softmaxAxis(l.written, axis, i.x).error(l.argRanges["axis"] ?? l.range))
        return nil
    }
    let slope = a == .leakyRelu ? (l.number("slope") ?? 0.01) : a == .elu ? (l.number("alpha") ?? 1) : 0
    return RuleOutput(op: .activation(a, slope: slope, axis: max(axis, 0)), shape: i.x)
}

/// `[C, H, W]` and deeper: whole channels; a `[seq, features]` sequence: whole features across
/// every step (Keras SpatialDropout1D, which is AWD-LSTM's locked dropout).
private func spatialDropoutRule(_ i: RuleInput, _ d: inout [Diagnostic]) -> RuleOutput? {
    guard i.x.count >= 2 else { d.append(Msg.rank(i.layer.written, "[C, …] (rank 2 or more)", i.x).error(i.layer.range)); return nil }
    let p = i.layer.number("p") ?? 0.5
    return RuleOutput(op: i.x.count == 2 ? .lockedDropout(p: p) : .spatialDropout(p: p), shape: i.x)
}

/// `[C, H, W]` with a fixed map that a whole block fits in (centres are drawn only where it does).
private func dropBlockRule(_ i: RuleInput, _ d: inout [Diagnostic]) -> RuleOutput? {
    let l = i.layer
    guard requireRank(i, 3, "[C, H, W]", &d), let h = requireFixed(i, i.x[1], &d), let w = requireFixed(i, i.x[2], &d) else { return nil }
    let bs = l.int("block_size") ?? 7
    guard bs <= min(h, w) else {
        let at = l.argRanges["block_size"] ?? l.range
        d.append(Msg.blockSize(l.written, bs, h, w).error(at, fixIts: [FixIt("replace with \(min(h, w))", range: at, replacement: String(min(h, w)))]))
        return nil
    }
    return RuleOutput(op: .dropBlock(p: l.number("p") ?? 0.1, blockSize: bs, scheduleSteps: l.int("schedule_steps")), shape: i.x)
}

private func sequencePoolRule(_ i: RuleInput, _ d: inout [Diagnostic]) -> RuleOutput? {
    guard i.x.count == 2 else { d.append(Msg.rank(i.layer.written, "[seq, features]", i.x).error(i.layer.range)); return nil }
    let mode = SequencePoolMode(rawValue: i.layer.string("mode") ?? "mean") ?? .mean
    return RuleOutput(op: .sequencePool(mode), shape: [i.x[1]])
}

private func positionalEncodingRule(_ i: RuleInput, _ d: inout [Diagnostic]) -> RuleOutput? {
    guard i.x.count == 2 else { d.append(Msg.rank(i.layer.written, "[seq, features]", i.x).error(i.layer.range)); return nil }
    return RuleOutput(op: .positionalEncoding, shape: i.x)
}

private func lockedDropoutRule(_ i: RuleInput, _ d: inout [Diagnostic]) -> RuleOutput? {
    guard i.x.count == 2 else { d.append(Msg.rank(i.layer.written, "[seq, features]", i.x).error(i.layer.range)); return nil }
    return RuleOutput(op: .lockedDropout(p: i.layer.number("p") ?? 0.5), shape: i.x)
}

private func batchNormRule(_ i: RuleInput, _ d: inout [Diagnostic]) -> RuleOutput? {
    let l = i.layer
    guard let first = i.x.first else { d.append(Msg.rank(l.written, "[C, …]", i.x).error(l.range)); return nil }
    guard let c = requireFixed(i, first, &d) else { return nil }
    if let declared = l.int("features"), declared != c {
        let at = l.argRanges["features"] ?? l.range
        // batchnorm normalizes axis 0; a size that matches the last axis means the wrong norm.
        let notes = i.x.count > 1 && i.x.last == .fixed(declared)
            ? [Note("\(declared) is the size of the last axis; 'layernorm' normalizes over the last axis", at: l.range)] : []
        d.append(Msg.normSize(l.written, "\(declared) features", "\(c) channels (axis 0 of \(show(i.x)))").error(at, notes: notes,
            fixIts: [FixIt("replace with \(c)", range: at, replacement: String(c))]))
        return nil
    }
    return RuleOutput(op: .batchNorm(momentum: l.number("momentum") ?? 0.1, eps: l.number("eps") ?? 1e-5), shape: i.x)
}

private func groupNormRule(_ i: RuleInput, _ d: inout [Diagnostic]) -> RuleOutput? {
    let l = i.layer
    guard let first = i.x.first else { d.append(Msg.rank(l.written, "[C, …]", i.x).error(l.range)); return nil }
    guard let c = requireFixed(i, first, &d) else { return nil }
    if let declared = l.int("channels"), declared != c {
        let at = l.argRanges["channels"] ?? l.range
        d.append(Msg.normSize(l.written, "\(declared) channels", "\(c) channels (axis 0 of \(show(i.x)))").error(at,
            fixIts: [FixIt("replace with \(c)", range: at, replacement: String(c))]))
        return nil
    }
    let groups = l.int("groups") ?? 1
    guard c % groups == 0 else {
        let divisors = (1...c).filter { c % $0 == 0 }
        let near = divisors.min { abs($0 - groups) < abs($1 - groups) } ?? 1
        let at = l.argRanges["groups"] ?? l.range
        d.append(Msg.groupsDivide(groups, c).error(at, fixIts: [FixIt("replace with \(near)", range: at, replacement: String(near))]))
        return nil
    }
    return RuleOutput(op: .groupNorm(groups: groups, eps: l.number("eps") ?? 1e-5), shape: i.x)
}

private func layerNormRule(_ i: RuleInput, _ d: inout [Diagnostic]) -> RuleOutput? {
    let l = i.layer
    guard let last = i.x.last else { d.append(Msg.rank(l.written, "[…, features]", i.x).error(l.range)); return nil }
    let shape: [Int]
    if let declared = l.ints("shape") {
        let trailing = Array(i.x.suffix(declared.count))
        guard trailing.count == declared.count, trailing == declared.map(Dim.fixed) else {
            // layernorm normalizes trailing axes; a shape that matches the channel axis means batchnorm.
            let notes = i.x.count > declared.count && declared.count == 1 && i.x.first == .fixed(declared[0])
                ? [Note("\(declared[0]) is the size of the channel axis; 'batchnorm' normalizes per channel", at: l.range)] : []
            d.append(Msg.normSize(l.written, "shape \(show(declared.map(Dim.fixed)))", "trailing dimensions \(show(trailing))").error(l.argRanges["shape"] ?? l.range, notes: notes))
            return nil
        }
        shape = declared
    } else {
        guard let f = requireFixed(i, last, &d) else { return nil }
        shape = [f]
    }
    return RuleOutput(op: .layerNorm(normalizedShape: shape, eps: l.number("eps") ?? 1e-5), shape: i.x)
}

private func embeddingRule(_ i: RuleInput, _ d: inout [Diagnostic]) -> RuleOutput? {
    let l = i.layer
    guard i.dtype == .int32 else { d.append(Msg.embeddingInput(i.dtype.rawValue).error(l.range)); return nil }
    let dim = l.int("dim") ?? 1
    return RuleOutput(op: .embedding(vocab: l.int("vocab") ?? 1, dim: dim, dropout: l.number("embedding_dropout") ?? 0),
                      shape: i.x + [.fixed(dim)])
}

private func recurrentRule(_ i: RuleInput, _ d: inout [Diagnostic], lstm: Bool) -> RuleOutput? {
    let l = i.layer
    guard requireRank(i, 2, "[seq, features]", &d), let f = requireFixed(i, i.x[1], &d) else { return nil }
    if let declared = l.int("in"), declared != f {
        let at = l.argRanges["in"] ?? l.range
        d.append(Msg.normSize(l.written, "input size \(declared)", "\(f) features per step").error(at,
            fixIts: [FixIt("replace with \(f)", range: at, replacement: String(f))]))
        return nil
    }
    let units = l.int("units") ?? 1, bi = l.bool("bidirectional") ?? false, seqs = l.bool("return_sequences") ?? false
    let dropout = l.number("dropout") ?? 0, rd = l.number("recurrent_dropout") ?? 0, z = l.number("zoneout") ?? 0
    let op: LayerOp = lstm
        ? .lstm(units: units, bidirectional: bi, returnSequences: seqs, dropout: dropout, recurrentDropout: rd, zoneout: z)
        : .gru(units: units, bidirectional: bi, returnSequences: seqs, dropout: dropout, recurrentDropout: rd, zoneout: z)
    let out = Dim.fixed(units * (bi ? 2 : 1))
    return RuleOutput(op: op, shape: seqs ? [i.x[0], out] : [out])
}

private func attentionRule(_ i: RuleInput, _ d: inout [Diagnostic]) -> RuleOutput? {
    let l = i.layer
    guard requireRank(i, 2, "[seq, dim]", &d), let e = requireFixed(i, i.x[1], &d) else { return nil }
    if let declared = l.int("dim"), declared != e {
        let at = l.argRanges["dim"] ?? l.range
        d.append(Msg.normSize(l.written, "dim \(declared)", "\(e) features").error(at,
            fixIts: [FixIt("replace with \(e)", range: at, replacement: String(e))]))
        return nil
    }
    let heads = l.int("heads") ?? 1
    guard e % heads == 0 else { d.append(Msg.headsDivide(e, heads).error(l.argRanges["heads"] ?? l.range)); return nil }
    return RuleOutput(op: .attention(heads: heads, dim: e, dropout: l.number("dropout") ?? 0, causal: l.bool("causal") ?? false), shape: i.x)
}
