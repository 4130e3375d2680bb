import Diagnostics
import IR

// The exporters' message catalog: every diagnostic `regula export` can produce, with its stable
// id. One lowercase phrase that names the layer and states the rule, no final period.
enum ExportMessage {
    /// A layer whose op has no ONNX rule (or one the exporter does not implement yet).
    static func unsupported(_ origin: Origin?, format: String, reason: String) -> String {
        "\(layerName(origin)) cannot be exported to \(format): \(reason)"
    }

    /// A training setting `train.py` does not reproduce (the spec's sections carry no line here).
    static func unsupportedTraining(_ what: String, format: String) -> String {
        "the \(format) train.py cannot reproduce \(what) yet"
    }

    static func noLogits(format: String) -> String {
        "the model has no logits output to export to \(format)"
    }

    static func secondaryOutput(_ origin: Origin?, format: String) -> String {
        "\(layerName(origin)) cannot be exported to \(format): the model reads an auxiliary output of it"
    }

    /// `layer '3' (lstm)` with the kind as the spec writes it; `an op outside any layer` without an origin.
    static func layerName(_ origin: Origin?) -> String {
        guard let o = origin else { return "an op outside any layer" }
        return "layer '\(o.path)' (\(o.kind))"
    }
}

/// Why an export could not even look at the graph: the checkpoint. Maps to exit 2 (I/O).
public struct ExportError: Error, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension Diagnostic {
    /// An export error at the layer's spec text; at the top of the spec file when the IR node
    /// has no source range.
    static func export(_ id: String, _ message: String, origin: Origin?, specPath: String) -> Diagnostic {
        let range = origin?.range ?? SourceRange(file: specPath, at: SourceLocation(line: 1, column: 1))
        return .error(id, message, at: range)
    }
}
