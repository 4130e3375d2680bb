import Diagnostics

/// Cross-entropy (PyTorch `CrossEntropyLoss`, Keras `from_logits=True`) applies log-softmax to the
/// model's output itself; a final softmax squashes the logits into [0, 1] first, which slows and
/// distorts training (a common port mistake from Keras models that end in `softmax`).
func lintSoftmaxBeforeCrossEntropy(_ nodes: [CheckedNode], output: Int, loss: LossConfig) -> [Diagnostic] {
    guard loss.kind == .crossEntropy, nodes.indices.contains(output),
          case .activation(let a, _, _) = nodes[output].op, a == .softmax || a == .logSoftmax else { return [] }
    return [Msg.softmaxBeforeCrossEntropy(a.rawValue).warning(nodes[output].range)]
}
