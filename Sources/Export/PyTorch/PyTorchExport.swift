import Check
import Diagnostics
import Foundation
import IR

/// What the PyTorch exporter made of a spec: the package's files (name → text), or the
/// diagnostics that refused it.
public struct PyTorchExportResult {
    public var files: [String: String]
    public var diagnostics: [Diagnostic]
    public var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }
}

/// `regula export pytorch`: a readable Python package from the checked model: `model.py` (an
/// `nn.Module` with Regula's `state_dict` names), `train.py` (the spec's recipe under torchrun and
/// DistributedDataParallel) and `README.md`.
///
/// It works from the checked model rather than the IR: the checked model keeps the layer tree
/// (`body`, `branches`, `shortcut`) that PyTorch modules mirror, where the IR has flattened it.
public enum PyTorchExport {
    static let format = "PyTorch"

    /// `model.py` alone (the round trip loads checkpoints into it), or diagnostics at the refused layers.
    public static func modelSource(_ model: CheckedModel, specPath: String, version: String) -> (source: String?, diagnostics: [Diagnostic]) {
        var writer = PyTorchModelWriter(model: model, specName: displayPath(specPath), version: version)
        let source = writer.write()
        var seen: Set<String> = []
        let diagnostics = writer.refusals.compactMap { r -> Diagnostic? in
            guard seen.insert(r.node.path).inserted else { return nil }
            let origin = Origin(path: r.node.path, kind: r.node.displayKind, range: r.node.range)
            return .export("pytorch-unsupported-op", ExportMessage.unsupported(origin, format: format, reason: r.reason),
                           origin: origin, specPath: specPath)
        }
        return (diagnostics.isEmpty ? source : nil, diagnostics)
    }

    /// The whole package: model.py, train.py and README.md.
    public static func export(model: CheckedModel, specPath: String, version: String) -> PyTorchExportResult {
        let (source, diagnostics) = modelSource(model, specPath: specPath, version: version)
        let spec = displayPath(specPath)
        var train = PyTorchTrainWriter(model: model, className: Py.className(model.name), specName: spec)
        let trainSource = train.write()
        let refusals = train.refusals.map {
            Diagnostic.export("pytorch-unsupported-training", ExportMessage.unsupportedTraining($0, format: format),
                              origin: nil, specPath: specPath)
        }
        guard let modelText = source, let trainText = trainSource, diagnostics.isEmpty, refusals.isEmpty else {
            return PyTorchExportResult(files: [:], diagnostics: diagnostics + refusals)
        }
        return PyTorchExportResult(files: ["model.py": modelText, "train.py": trainText,
                                           "README.md": PyTorchReadme.text(model: model, spec: spec, version: version)],
                                   diagnostics: [])
    }

    /// The spec's file name as the generated files mention it (`mnist_mlp.yaml`): no machine paths.
    static func displayPath(_ path: String) -> String { (path as NSString).lastPathComponent }
}
