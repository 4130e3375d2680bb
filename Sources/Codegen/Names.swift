/// Turns spec content into Swift identifiers, string literals and comments that cannot inject
/// code: a layer named `x"); exit(1); //` must produce valid, harmless Swift.
///
/// Identifiers keep only ASCII letters and digits (camel-cased at the separators the spec used),
/// string literals escape everything outside printable ASCII, and comments drop control
/// characters, so no spec text can end a literal, a comment or a line early.
enum Names {
    /// `0.weight` → `layer0Weight`, `fc1.weight` → `fc1Weight`, `2.body.0.running_mean` →
    /// `layer2Body0RunningMean`. Never empty, never a keyword, never starts with a digit.
    static func identifier(_ raw: String) -> String {
        var words: [String] = []
        var current = ""
        for ch in raw.unicodeScalars {
            if ch.isASCII, ch.properties.isAlphabetic || ("0"..."9").contains(ch) {
                current.unicodeScalars.append(ch)
            } else if !current.isEmpty {
                words.append(current)
                current = ""
            }
        }
        if !current.isEmpty { words.append(current) }
        var out = ""
        for (i, w) in words.enumerated() {
            out += i == 0 ? lowerFirst(w) : upperFirst(w)
        }
        if out.isEmpty { out = "value" }
        if let first = out.unicodeScalars.first, ("0"..."9").contains(first) { out = "layer" + out }
        if keywords.contains(out) { out += "_" }
        return out
    }

    /// `identifier`, capitalized: a type name (`mnist_mlp` → `MnistMlp`). A name that would
    /// shadow a type of the generated package, the runtime or the standard library gets `Net`.
    static func typeName(_ raw: String) -> String {
        let id = upperFirst(identifier(raw))
        return reservedTypes.contains(id) ? id + "Net" : id
    }

    /// Types a generated package declares or uses (its own, the runtime's, common Swift ones).
    static let reservedTypes: Set<String> = [
        "Model", "Recipe", "Arena", "IndexBuffer", "ValueSchedule", "SelfAttention", "Runtime", "Training", "Swift", "Foundation", "Float", "Double", "Int", "Int32", "Int64",
        "UInt64", "String", "Bool", "Array", "Data", "Date", "FileManager", "URL", "Error", "Never", "Void",
        "Activation", "Adam", "Attention", "Augmentation", "AvgPool2d", "BatchLoader", "BatchNorm", "Bias", "Conv2d", "Conv2dShape",
        "Dataset", "Dropout", "EarlyStopping", "Embedding", "EpochMetrics", "GRU", "Gemm", "GemmEpilogue", "GlobalAvgPool",
        "GradientClipping", "LRSchedule", "LSTM", "LabelSmoothing", "LayerNorm", "MaxNorm", "MaxPool2d", "MetricsWriter",
        "Normalization", "OneCycle", "Philox", "Pool2dShape", "RandomStream", "ReduceOnPlateau", "SGD", "SafeTensor",
        "BatchMix", "SafeTensors", "Softmax", "SoftmaxConsistency", "SpectralPenalty", "SequencePool", "PositionalEncoding", "SoftmaxCrossEntropy", "SpectralNorm", "Tensor", "ThreadPool", "UpsampleNearest",
        "MultiHeadSelfAttention", "RecurrentLayer", "RecurrentShape", "ScratchBuffers",
        "WeightDecay", "WeightNorm",
        // The training library's.
        "TrainableModel", "EvaluableModel", "StateTensor", "TrainableTensor", "StepOutput", "TrainingRecipe", "DataRecipe",
        "OptimizerRecipe", "ScheduleRecipe", "EarlyStoppingRecipe", "TrainingLoop", "TrainerCommand", "TrainingData",
        "TrainOptions", "TrainResult", "EvalResult", "TrainError", "Evaluation", "Signals", "CheckpointStore",
    ]

    /// A double-quoted Swift string literal holding exactly `s`.
    static func stringLiteral(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            default:
                if u.value >= 0x20 && u.value < 0x7F { out.unicodeScalars.append(u) } else { out += "\\u{\(String(u.value, radix: 16))}" }
            }
        }
        return out + "\""
    }

    /// Text safe to place after `//`: no line breaks or other control characters (they would end
    /// the comment), no non-ASCII (bidirectional overrides could hide code from a reader).
    static func comment(_ s: String) -> String {
        var out = ""
        for u in s.unicodeScalars {
            if u.value >= 0x20 && u.value < 0x7F { out.unicodeScalars.append(u) } else { out += "?" }
        }
        return out
    }

    private static func lowerFirst(_ s: String) -> String { s.prefix(1).lowercased() + s.dropFirst() }
    private static func upperFirst(_ s: String) -> String { s.prefix(1).uppercased() + s.dropFirst() }

    static let keywords: Set<String> = [
        "associatedtype", "class", "deinit", "enum", "extension", "fileprivate", "func", "import", "init", "inout",
        "internal", "let", "open", "operator", "private", "protocol", "public", "rethrows", "static", "struct",
        "subscript", "typealias", "var", "break", "case", "continue", "default", "defer", "do", "else", "fallthrough",
        "for", "guard", "if", "in", "repeat", "return", "switch", "where", "while", "as", "Any", "catch", "false", "is",
        "nil", "super", "self", "Self", "throw", "throws", "true", "try", "await", "async", "some", "any", "Type",
    ]
}
