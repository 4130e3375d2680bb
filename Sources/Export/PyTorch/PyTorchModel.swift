import Check

/// Writes `model.py`: the helper classes the model needs, then the model as an `nn.Sequential`
/// subclass whose children sit at Regula's `state_dict` paths, each commented with the spec layer
/// (kind and line) it comes from.
struct PyTorchModelWriter {
    let model: CheckedModel
    let specName: String
    let version: String
    private(set) var helpers: Set<PyTorchHelper> = []
    private(set) var refusals: [(node: CheckedNode, reason: String)] = []
    private var usesOrderedDict = false
    private var usesWeightNorm = false
    private var usesSpectralNorm = false

    init(model: CheckedModel, specName: String, version: String) {
        self.model = model
        self.specName = specName
        self.version = version
    }

    var className: String { Py.className(model.name) }

    /// The file's text, or nil with `refusals` set.
    mutating func write() -> String? {
        var builder = PyTorchTreeBuilder(model: model)
        guard let root = builder.build() else {
            if let p = builder.problem { refusals.append(p) }
            return nil
        }
        var body = PythonWriter()
        body.depth = 3
        guard case .sequence(let items) = root else { return nil }
        children(items, into: &body, trail: "")
        guard refusals.isEmpty else { return nil }

        var w = PythonWriter()
        w.line("\"\"\"\(model.name): the model of \(specName), exported by Regula \(version).")
        w.line()
        w.line("The state_dict names are those of Regula's checkpoints (model.safetensors), so")
        w.line("`load_state_dict` reads a checkpoint of `regula train` as it is and `regula eval` reads ours.")
        w.line(inputNote)
        w.line("\"\"\"")
        if usesOrderedDict { w.line("from collections import OrderedDict"); w.line() }
        let all = closure(helpers)
        if all.contains(where: \.usesTorch) { w.line("import torch") }
        if all.contains(where: \.usesFunctional) { w.line("import torch.nn.functional as F") }
        w.line("from torch import nn")
        if all.contains(where: \.usesFunction) { w.line("from torch.autograd import Function") }
        let norms = (usesSpectralNorm ? ["spectral_norm"] : []) + (usesWeightNorm ? ["weight_norm"] : [])
        if !norms.isEmpty {
            // The hook forms name tensors weight_g/weight_v and weight_orig/weight_u/weight_v, as
            // Regula's checkpoints do; torch.nn.utils.parametrizations would rename them.
            w.line("from torch.nn.utils import \(norms.joined(separator: ", "))")
        }
        for h in all.sorted() {
            w.line(); w.line()
            for l in h.source.split(separator: "\n", omittingEmptySubsequences: false) { w.line(String(l)) }
        }
        w.line(); w.line()
        w.block("class \(className)(nn.Sequential):") { w in
            w.line("\"\"\"The layers of \(specName) in order; state_dict paths as `regula summary --params` lists them.\"\"\"")
            w.line()
            w.block("def __init__(self):") { w in
                w.line("super().__init__(")
                w.append(body)
                w.line(")")
            }
        }
        return w.text.replacingOccurrences(of: "\n\n\n\n", with: "\n\n\n")
    }

    private var inputNote: String {
        let shape = model.input.shape.map(\.description).joined(separator: ", ")
        if model.input.dtype == .int32 { return "Input: int64 token ids [N, \(shape)]; output: the logits `regula eval` computes." }
        let d = model.training.data
        return "Input: float32 [N, \(shape)] after data.normalize, x = (raw / \(Py.float(d.scale)) - \(Py.float(d.mean))) / \(Py.float(d.std)); "
            + "output: the logits `regula eval` computes."
    }

    private func closure(_ hs: Set<PyTorchHelper>) -> Set<PyTorchHelper> {
        var out = hs
        for h in hs { out.formUnion(h.requires) }
        return out
    }

    /// The children of a sequence: positional when the segments are 0, 1, 2…, else an OrderedDict.
    private mutating func children(_ items: [(segment: String, module: PyTorchModule)], into w: inout PythonWriter, trail: String) {
        let positional = items.enumerated().allSatisfy { $0.element.segment == String($0.offset) }
        if positional {
            for (_, m) in items { emit(m, into: &w, lead: "", trail: ",") }
        } else {
            usesOrderedDict = true
            w.line("OrderedDict([")
            w.depth += 1
            for (s, m) in items { emit(m, into: &w, lead: "(\(Py.string(s)), ", trail: "),") }
            w.depth -= 1
            w.line("])" + trail)
        }
    }

    private func note(_ n: CheckedNode) -> String {
        "  # \(n.path): \(n.displayKind), line \(n.range.start.line)"
    }

    private mutating func emit(_ m: PyTorchModule, into w: inout PythonWriter, lead: String, trail: String) {
        switch m {
        case .leaf(let n):
            guard let ctor = leaf(n) else { return }
            w.line(lead + ctor + trail + note(n))
        case .sequence(let items):
            if items.isEmpty { w.line(lead + "nn.Sequential()" + trail); return }
            w.line(lead + "nn.Sequential(")
            w.depth += 1
            children(items, into: &w, trail: "")
            w.depth -= 1
            w.line(")" + trail)
        case .composite(let n, let shortcut, let branches):
            let (name, options) = composite(n)
            w.line(lead + name + "(" + note(n))
            w.depth += 1
            if branches.count == 1, name != "ShakeShake", let body = branches.first {
                emit(body, into: &w, lead: "", trail: ",")
            } else {
                w.line("[")
                w.depth += 1
                for b in branches { emit(b, into: &w, lead: "", trail: ",") }
                w.depth -= 1
                w.line("],")
            }
            if let s = shortcut { emit(s, into: &w, lead: "shortcut=", trail: ",") }
            if !options.isEmpty { w.line(options.joined(separator: ", ") + ",") }
            w.depth -= 1
            w.line(")" + trail)
        }
    }

    /// The constructor of a leaf, wrapped in weight or spectral normalization as its weight asks.
    private mutating func leaf(_ n: CheckedNode) -> String? {
        let input = n.inputs.first.map { model.nodes[$0].shape } ?? []
        let weightDrop = n.params.first { $0.name.contains(".weight_hh_") }?.regularization.dropConnect ?? 0
        switch pytorchRule(n.op, input: input, output: n.shape, weightDrop: weightDrop) {
        case .refuse(let why):
            refusals.append((n, why))
            return nil
        case .module(let ctor, let hs):
            if n.params.contains(where: { $0.role == .penaltyU }) {
                refusals.append((n, "the spectral penalty keeps its power-iteration vectors (spectral_u, spectral_v) in the state_dict, which PyTorch layers do not have"))
                return nil
            }
            helpers.formUnion(hs)
            let r = n.params.filter { $0.role == .weight && !$0.name.contains(".weight_hh_") }.map(\.regularization)
            if let p = r.first(where: { $0.dropConnect > 0 })?.dropConnect {
                guard case .dense(let units, let bias) = n.op, let inFeatures = input.last?.value, !r.contains(where: { $0.weightNorm || $0.spectralNorm }) else {
                    refusals.append((n, "DropConnect is exported for dense layers without weight or spectral norm only"))
                    return nil
                }
                helpers.insert(.dropConnectLinear)
                return "DropConnectLinear(\(inFeatures), \(units)\(bias ? "" : ", bias=False"), p=\(Py.float(p)))"
            }
            if r.contains(where: \.weightNorm) { usesWeightNorm = true; return "weight_norm(\(ctor))" }
            if r.contains(where: \.spectralNorm) { usesSpectralNorm = true; return "spectral_norm(\(ctor))" }
            return ctor
        }
    }

    /// The helper class of a residual block and its keyword arguments beyond the defaults.
    private mutating func composite(_ n: CheckedNode) -> (String, [String]) {
        func depth(_ d: StochasticDepth?) -> [String] {
            guard let d else { return [] }
            return ["survival=\(Py.float(d.survival))"] + (d.mode == .batch ? [] : ["mode=\(Py.string(d.mode.rawValue))"])
        }
        switch n.op {
        case .shakeShake(let s):
            helpers.insert(.shakeShake)
            var o: [String] = []
            if s.forward != .shake { o.append("forward=\(Py.string(s.forward.rawValue))") }
            if s.backward != .shake { o.append("backward=\(Py.string(s.backward.rawValue))") }
            if s.level != .image { o.append("level=\(Py.string(s.level.rawValue))") }
            return ("ShakeShake", o + depth(s.stochasticDepth))
        case .shakeDrop(let s):
            helpers.insert(.shakeDrop)
            var o = ["p=\(Py.float(s.p))"]
            if s.alpha != -1...1 { o.append("alpha=(\(Py.float(s.alpha.lowerBound)), \(Py.float(s.alpha.upperBound)))") }
            if s.beta != 0...1 { o.append("beta=(\(Py.float(s.beta.lowerBound)), \(Py.float(s.beta.upperBound)))") }
            if s.level != .image { o.append("level=\(Py.string(s.level.rawValue))") }
            return ("ShakeDrop", o + depth(s.stochasticDepth))
        case .residual(let d):
            helpers.insert(.residual)
            return ("Residual", depth(d))
        default:
            return ("", [])
        }
    }
}
