import Check
import IR
import Runtime

/// Convolution, pooling, normalization and sequence ops.
extension ExecutorOps {
    static func runSpatial(_ op: Op, _ i: [ValueID], _ o: [ValueID], _ ptr: Ptr, _ e: Executor) -> Bool {
        switch op {
        default:
            return false
        }
    }

    static func runNorm(_ op: Op, _ i: [ValueID], _ o: [ValueID], _ ptr: Ptr, _ e: Executor) -> Bool {
        switch op {
        default:
            return false
        }
    }

    /// Whether `run` has a kernel for `op`.
    static func isImplemented(_ op: Op) -> Bool {
        switch op {
        case .matmul, .biasAdd, .biasGrad, .activation, .activationBackward, .add, .scale, .reshape,
             .concat, .split,
             .dropout, .dropoutBackward, .spatialDropout, .spatialDropoutBackward,
             .stochasticDepth, .stochasticDepthBackward, .shakeShake, .shakeShakeBackward,
             .shakeDrop, .shakeDropBackward,
             .softmaxCrossEntropy, .softmaxCrossEntropyBackward, .accuracy, .mseLoss, .mseLossBackward,
             .bceLoss, .bceLossBackward, .l1Penalty, .l1PenaltyBackward, .l2Penalty, .l2PenaltyBackward:
            return true
        default:
            return false
        }
    }
}
