import Diagnostics
import Syntax

extension Msg {
    static func targetsNeedOneHot(_ loss: String) -> Message {
        Message(id: "loss-targets", text: "loss '\(loss)' compares the output with float targets, but the data's labels are class ids; "
            + "add 'targets: one_hot' or use cross_entropy")
    }
    static let crossEntropyTakesClassIds = Message(id: "loss-targets", text: "cross_entropy takes class ids as targets, not one-hot vectors")
    static func outputNotPerExample(_ layer: String, _ shape: String, _ loss: String) -> Message {
        Message(id: "loss-output-shape", text: "the model's output (layer \(layer)) is \(shape) per example, but \(loss) needs one vector "
            + "of class scores [K] per example: the data has one class id per example")
    }
}

/// The data Regula reads has one class id per example. Cross-entropy takes it as is; MSE and
/// BCE compare the output with float targets, which only `targets: one_hot` defines (otherwise
/// int32 ids would be read as floats).
func lintTargetEncoding(_ loss: LossConfig, loss value: Value) -> [Diagnostic] {
    let written = value.mapValue?.first { $0.key.value == "targets" }
    switch (loss.kind, loss.targets) {
    case (.crossEntropy, .oneHot):
        return [Msg.crossEntropyTakesClassIds.error(written?.value.range ?? value.range)]
    case (.mse, .classIds), (.binaryCrossEntropy, .classIds):
        let fix: FixIt?
        if value.stringValue != nil {
            fix = FixIt("write '{kind: \(loss.kind.rawValue), targets: one_hot}'", range: value.range,
                        replacement: "{kind: \(loss.kind.rawValue), targets: one_hot}")
        } else {
            fix = insertingEntry("targets", "one_hot", into: value, message: "add 'targets: one_hot'")
        }
        return [Msg.targetsNeedOneHot(loss.kind.rawValue).error(written?.value.range ?? value.range, fixIts: fix.map { [$0] } ?? [])]
    default:
        return []
    }
}

/// One class id per example means one row of K scores per example: an output of higher rank (a
/// missing `flatten` before the classifier, a convolution fed straight to the loss) would be
/// compared with labels of the wrong shape. Reported at the layer whose output it is.
func lintOutputPerExample(_ nodes: [CheckedNode], output: Int, loss: LossConfig) -> [Diagnostic] {
    guard nodes.indices.contains(output), output > 0, nodes[output].shape.count != 1 else { return [] }
    let node = nodes[output]
    var notes: [Note] = []
    if node.shape.count > 1 { notes.append(Note("add a flatten or global_avgpool before the classifier")) }
    let layer = "'\(node.name ?? node.path)' (\(node.displayKind))"
    return [Msg.outputNotPerExample(layer, show(node.shape), loss.kind.rawValue).error(node.range, notes: notes)]
}
