import Check

/// What one checked layer becomes in `model.py`: a module constructor, or a refusal.
enum PyTorchRule {
    /// `nn.Linear(784, 256)`, with the helper classes of model.py it needs.
    case module(String, helpers: [PyTorchHelper] = [])
    case refuse(String)
}

/// The rule table: one row per layer kind. `input` is the layer's per-example input shape.
///
/// Evaluation must equal `regula eval` to 1e-4, so a layer whose PyTorch module would differ
/// at evaluation (or whose training behaviour has no module here yet) is refused, not approximated.
func pytorchRule(_ op: LayerOp, input: Shape, output: Shape, weightDrop: Double = 0) -> PyTorchRule {
    let channels = input.first?.value ?? 0
    switch op {
    case .input, .add, .concat, .residual, .shakeShake, .shakeDrop:
        return .refuse("it is not a single-input layer")   // composites are containers (PyTorchTree)
    case .dense(let units, let bias):
        guard let inFeatures = input.last?.value else { return .refuse("its input features are not a fixed size") }
        return .module("nn.Linear(\(inFeatures), \(units)\(bias ? "" : ", bias=False"))")
    case .conv2d(let filters, let kernel, let stride, let padding, let dilation, let groups, let bias):
        var args = ["\(channels)", "\(filters)", "kernel_size=\(Py.pair(kernel))"]
        if stride.contains(where: { $0 != 1 }) { args.append("stride=\(Py.pair(stride))") }
        if padding.contains(where: { $0 != 0 }) { args.append("padding=\(Py.pair(padding))") }
        if dilation.contains(where: { $0 != 1 }) { args.append("dilation=\(Py.pair(dilation))") }
        if groups != 1 { args.append("groups=\(groups)") }
        if !bias { args.append("bias=False") }
        return .module("nn.Conv2d(\(args.joined(separator: ", ")))")
    case .maxPool(let size, let stride, let padding, let ceil):
        return .module("nn.MaxPool2d(\(pool(size, stride, padding, ceil)))")
    case .avgPool(let size, let stride, let padding, let ceil):
        // Regula averages over the whole window, padding included (ONNX count_include_pad=1).
        return .module("nn.AvgPool2d(\(pool(size, stride, padding, ceil)))")
    case .globalAvgPool:
        return .module("GlobalAvgPool()", helpers: [.globalAvgPool])
    case .upsample(let scale):
        return .module("nn.Upsample(scale_factor=\(scale), mode=\"nearest\")")
    case .flatten(let start):
        return .module(start == 0 ? "nn.Flatten()" : "nn.Flatten(\(start + 1))")
    case .reshape(let shape):
        // From a flat vector nn.Unflatten says it; from any other shape a reshape does.
        if input.count == 1 { return .module("nn.Unflatten(1, \(Py.tuple(shape.map(String.init))))") }
        return .module("Reshape(\(shape.map(String.init).joined(separator: ", ")))", helpers: [.reshape])
    case .activation(let a, let slope, let axis):
        return activation(a, slope: slope, axis: axis)
    case .dropout(let p, .inverted):
        return .module("nn.Dropout(\(Py.float(p)))")
    case .dropout(let p, .classic):
        return .module("ClassicDropout(\(Py.float(p)))", helpers: [.classicDropout])
    case .spatialDropout(let p):
        // On [C, H, W] one draw per (example, channel); on [seq, features] per (example, feature).
        if input.count == 3 { return .module("nn.Dropout2d(\(Py.float(p)))") }
        if input.count == 2 { return .module("LockedDropout(\(Py.float(p)))", helpers: [.lockedDropout]) }
        return .refuse("spatial dropout on a \(input.count)-axis input has no PyTorch module here")
    case .lockedDropout(let p):
        return .module("LockedDropout(\(Py.float(p)))", helpers: [.lockedDropout])
    case .gaussianNoise(let std, let multiplicative):
        return .module("GaussianNoise(\(Py.float(std))\(multiplicative ? ", multiplicative=True" : ""))", helpers: [.gaussianNoise])
    case .alphaDropout(let p):
        return .module("nn.AlphaDropout(\(Py.float(p)))")
    case .dropBlock(let p, let size, let steps):
        guard input.count == 3 else { return .refuse("DropBlock on a \(input.count)-axis input") }
        var args = [Py.float(p)]
        if size != 7 { args.append("block_size=\(size)") }
        if let steps { args.append("schedule_steps=\(steps)") }
        return .module("DropBlock(\(args.joined(separator: ", ")))", helpers: [.dropBlock])
    case .batchNorm(let momentum, let eps):
        let kind = input.count == 3 ? "BatchNorm2d" : "BatchNorm1d"
        guard input.count <= 3 else { return .refuse("batch normalization over a \(input.count)-axis input") }
        return .module("nn.\(kind)(\(channels)\(norm(eps: eps, momentum: momentum)))")
    case .layerNorm(let shape, let eps):
        let s = shape.count == 1 ? String(shape[0]) : Py.list(shape.map(String.init))
        return .module("nn.LayerNorm(\(s)\(eps == 1e-5 ? "" : ", eps=\(Py.float(eps))"))")
    case .groupNorm(let groups, let eps):
        return .module("nn.GroupNorm(\(groups), \(channels)\(eps == 1e-5 ? "" : ", eps=\(Py.float(eps))"))")
    case .embedding(let vocab, let dim, let dropout):
        if dropout > 0 { return .module("EmbeddingDropout(\(vocab), \(dim), p=\(Py.float(dropout)))", helpers: [.embeddingDropout]) }
        return .module("nn.Embedding(\(vocab), \(dim))")
    case .lstm(let units, let bi, let seq, let dropout, let recurrent, let zoneout),
         .gru(let units, let bi, let seq, let dropout, let recurrent, let zoneout):
        guard let features = input.last?.value else { return .refuse("its input features are not a fixed size") }
        let lstm: Bool
        if case .lstm = op { lstm = true } else { lstm = false }
        var args = ["\(features)", "\(units)"]
        if bi { args.append("bidirectional=True") }
        if seq { args.append("return_sequences=True") }
        for (key, value) in [("dropout", dropout), ("recurrent_dropout", recurrent), ("zoneout", zoneout), ("weight_drop", weightDrop)]
        where value > 0 { args.append("\(key)=\(Py.float(value))") }
        return .module("\(lstm ? "LSTM" : "GRU")(\(args.joined(separator: ", ")))", helpers: [lstm ? .lstm : .gru])
    case .attention:
        return .refuse("attention is not implemented by the PyTorch exporter yet")
    case .permute(let axes):
        return .module("Permute(\(axes.map(String.init).joined(separator: ", ")))", helpers: [.permute])
    case .pad(let a):
        func pair(_ v: [Int]) -> String { "(\(v[0]), \(v[1]))" }
        var args: [String] = []
        if a.channels != [0, 0] { args.append("channels=\(pair(a.channels))") }
        if a.height != [0, 0] { args.append("height=\(pair(a.height))") }
        if a.width != [0, 0] { args.append("width=\(pair(a.width))") }
        if a.stride != 1 { args.append("stride=\(a.stride)") }
        return .module("Pad2d(\(args.joined(separator: ", ")))", helpers: [.pad2d])
    case .sequencePool(let mode):
        return .module("SequencePool(\"\(mode.rawValue)\")", helpers: [.sequencePool])
    case .positionalEncoding:
        guard input.count == 2, let t = input[0].value, let f = input[1].value else { return .refuse("its sequence length is not a fixed size") }
        return .module("PositionalEncoding(\(t), \(f))", helpers: [.positionalEncoding])
    }
}

private func pool(_ size: [Int], _ stride: [Int], _ padding: [Int], _ ceil: Bool) -> String {
    var args = [Py.pair(size)]
    if stride != size { args.append("stride=\(Py.pair(stride))") }
    if padding.contains(where: { $0 != 0 }) { args.append("padding=\(Py.pair(padding))") }
    if ceil { args.append("ceil_mode=True") }
    return args.joined(separator: ", ")
}

private func norm(eps: Double, momentum: Double) -> String {
    (eps == 1e-5 ? "" : ", eps=\(Py.float(eps))") + (momentum == 0.1 ? "" : ", momentum=\(Py.float(momentum))")
}

private func activation(_ a: Activation, slope: Double, axis: Int) -> PyTorchRule {
    switch a {
    case .relu: return .module("nn.ReLU()")
    case .gelu: return .module("nn.GELU()")
    case .tanh: return .module("nn.Tanh()")
    case .sigmoid: return .module("nn.Sigmoid()")
    case .softmax: return .module("nn.Softmax(dim=\(axis + 1))")
    case .logSoftmax: return .module("nn.LogSoftmax(dim=\(axis + 1))")
    case .identity: return .module("nn.Identity()")
    case .leakyRelu: return .module(slope == 0.01 ? "nn.LeakyReLU()" : "nn.LeakyReLU(\(Py.float(slope)))")
    case .elu: return .module(slope == 1 ? "nn.ELU()" : "nn.ELU(\(Py.float(slope)))")
    case .silu: return .module("nn.SiLU()")
    case .selu: return .module("nn.SELU()")
    }
}
