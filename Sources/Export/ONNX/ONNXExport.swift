import Check
import Diagnostics
import IR
import Runtime

/// What the ONNX exporter made of a model: the model, or the diagnostics that refused it.
public struct ONNXExportResult {
    public var model: ONNXModel?
    public var diagnostics: [Diagnostic]
    public var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }
}

/// `regula export onnx`: the inference graph the interpreter evaluates, as an ONNX model.
///
/// The model's one input is the batch as the graph reads it (after `data.normalize`; float32
/// NCHW images or features, int32 token ids for embeddings) and its one output is the logits as
/// `regula eval` computes them before the loss (for `bce` specs the sigmoid probabilities the loss
/// reads). The batch dimension is the symbol `N`; weights are initializers named as in the
/// PyTorch `state_dict`; batchnorm folding stays in the graph as small parameter-only nodes that
/// ONNX Runtime folds when it loads the model.
public enum ONNXExport {
    /// IR version 8 with opset 17: read by onnxruntime ≥ 1.13 and every current converter.
    public static let irVersion: Int64 = 8
    public static let opsetVersion: Int64 = 17
    public static let inputName = "input"
    public static let outputName = "logits"
    static let format = "ONNX"

    /// The evaluation graph of `model`: `lower → cse → inference → fuse → plan`, as `regula eval` runs it.
    public static func inferenceGraph(_ model: CheckedModel) throws -> Graph {
        try Pipeline(mode: .inference).run(model, print: { _ in })
    }

    /// Exports `model` with the trained `weights` (a `state_dict` read from safetensors).
    /// - Throws: `ExportError` when the weights lack a tensor the graph reads or have another shape.
    public static func export(model: CheckedModel, weights: [String: SafeTensor], specPath: String,
                              producerVersion: String) throws -> ONNXExportResult {
        try export(graph: inferenceGraph(model), weights: weights, specPath: specPath, producerVersion: producerVersion)
    }

    public static func export(graph g: Graph, weights: [String: SafeTensor], specPath: String,
                              producerVersion: String) throws -> ONNXExportResult {
        guard let logits = g.output(.logits) else {
            return ONNXExportResult(model: nil, diagnostics: [.export("onnx-no-output", ExportMessage.noLogits(format: format),
                                                                      origin: nil, specPath: specPath)])
        }
        let steps = ExportStep.flatten(g)
        let slice = ExportStep.slice(steps, from: logits)
        var diagnostics = slice.secondary.map {
            Diagnostic.export("onnx-unsupported-op", ExportMessage.secondaryOutput(steps[$0].origin, format: format),
                              origin: steps[$0].origin, specPath: specPath)
        }
        var lowerings: [(Int, (inout ONNXEmitter, ONNXNodeContext) -> Void)] = []
        var refused: Set<String> = []
        for i in slice.steps {
            switch onnxRule(steps[i].op) {
            case .lower(let f): lowerings.append((i, f))
            case .refuse(let why):
                let o = steps[i].origin
                // One diagnostic per layer, however many of its ops are refused.
                guard refused.insert(o?.path ?? "\(i)").inserted else { continue }
                diagnostics.append(.export("onnx-unsupported-op", ExportMessage.unsupported(o, format: format, reason: why),
                                           origin: o, specPath: specPath))
            }
        }
        if !diagnostics.isEmpty { return ONNXExportResult(model: nil, diagnostics: diagnostics) }

        let names = ValueNames(g, logits: logits)
        var e = ONNXEmitter()
        for (i, lower) in lowerings {
            let s = steps[i]
            e.layer = s.origin?.path ?? ""
            e.doc = s.origin.map { o in "\(o.kind)" + (o.range.map { " \($0)" } ?? "") }
            lower(&e, ONNXNodeContext(inputs: s.inputs.map(names.name), inputTypes: s.inputs.map { g[$0] },
                                      output: names.name(s.output), outputType: g[s.output]))
        }
        var graph = ONNXGraph(name: g.name, nodes: e.nodes)
        for input in g.inputs where slice.inputs.contains(input.value) {
            if let p = input.param {
                graph.initializers.append(try initializer(p, g[input.value], weights))
            } else if input.kind == .data {
                graph.inputs.append(valueInfo(inputName, g[input.value]))
            }
        }
        graph.initializers += e.constants
        graph.outputs = [valueInfo(outputName, g[logits])]
        let model = ONNXModel(
            irVersion: irVersion, opsetImports: [ONNXOpset(version: opsetVersion)], producerName: "regula",
            producerVersion: producerVersion,
            docString: "\(g.name): the logits of `regula eval` (before the loss) for a batch of '\(inputName)' after data.normalize",
            graph: graph,
            metadata: metadata(g, producerVersion: producerVersion))
        return ONNXExportResult(model: model, diagnostics: [])
    }

    /// The spec's name and Regula's version; for float inputs also the scaling a caller must apply
    /// to raw data before feeding 'input' (the spec's `data.normalize`, which lives outside the graph).
    static func metadata(_ g: Graph, producerVersion: String) -> [(key: String, value: String)] {
        var m = [("model_name", g.name), ("regula_version", producerVersion), ("output", "logits before the loss")]
        if let x = g.input(.data), g[x].dtype == .float32 {
            let d = g.training.data
            func show(_ v: Double) -> String { v == v.rounded() && abs(v) < 1e15 ? String(Int(v)) : String(v) }
            m.append(("input_normalization", "input = (x / \(show(d.scale)) - \(show(d.mean))) / \(show(d.std))"))
        }
        return m
    }

    private static func valueInfo(_ name: String, _ t: TensorType) -> ONNXValueInfo {
        ONNXValueInfo(name: name, elemType: t.dtype == .int32 ? .int32 : .float,
                      shape: t.shape.map { d in d.value.map(ONNXDim.value) ?? .param(d.description) })
    }

    private static func initializer(_ p: ParamInfo, _ t: TensorType, _ weights: [String: SafeTensor]) throws -> ONNXTensor {
        guard let w = weights[p.name] else { throw ExportError("the checkpoint has no tensor '\(p.name)'") }
        let dims = t.fixedShape ?? p.shape
        guard w.elementCount == dims.reduce(1, *) else {
            throw ExportError("the checkpoint's '\(p.name)' has shape \(w.shape), the model expects \(dims)")
        }
        if let f = w.floats, t.dtype == .float32 { return .float(p.name, dims: dims, f) }
        if let i = w.int64s { return .int64(p.name, dims: dims, i) }
        throw ExportError("the checkpoint's '\(p.name)' has dtype \(w.dtype.rawValue), expected F32")
    }
}

/// ONNX names of IR values: the input and output by their public names, parameters by their
/// `state_dict` names, everything else by its IR number (`t32`).
struct ValueNames {
    var fixed: [ValueID: String] = [:]
    init(_ g: Graph, logits: ValueID) {
        for i in g.inputs {
            if let p = i.param { fixed[i.value] = p.name } else if i.kind == .data { fixed[i.value] = ONNXExport.inputName }
        }
        fixed[logits] = ONNXExport.outputName
    }
    func name(_ v: ValueID) -> String { fixed[v] ?? "t\(v.raw)" }
}

extension ONNXExport {
    /// The `state_dict` of a safetensors checkpoint (`regula train`'s `model.safetensors`).
    public static func readWeights(_ path: String) throws -> [String: SafeTensor] {
        do { return try SafeTensors.read(path).tensors } catch {
            throw ExportError("cannot read checkpoint '\(path)': \(error)")
        }
    }
}
