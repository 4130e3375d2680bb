import Check
import IR
import Runtime

/// Fused nodes whose first epilogue steps the producing kernel can do itself: a dense matmul or
/// a conv2d followed by its bias add (and a pointwise activation) runs them in the GEMM epilogue,
/// on each tile while it is in cache (and records its output planes' statistics for a training
/// batch norm that reads them, as the plain conv2d does); training-mode batch norm applies a following ReLU in its
/// normalize pass and its backward sums the bias gradient of its dx; max pooling's backward
/// applies the backward of the ReLU it pooled. Each gives
/// the separate passes' result bit for bit (generated code runs them separately).
extension ExecutorOps {
    /// Runs `node`'s op together with its leading epilogue steps when a kernel can; returns how
    /// many epilogue steps it consumed (0 = nothing done, run the node normally).
    static func runFusedHead(_ node: Node, _ ptr: Ptr, _ e: Executor) -> Int {
        // Batch norm's backward with the bias gradient of its dx (over planes of more than one
        // element: a [N, C] dx is summed by columns): Σ dx per plane while it is in cache.
        if case .batchNormBackward(let eps) = node.op, case .biasGrad = node.epilogue[0].op, ncs(e.shape(node.inputs[1])).2 > 1 {
            runBatchNormBackward(node.inputs, node.outputs, eps: eps, ptr, e, dxSum: ptr(node.epilogue[0].result))
            return 1
        }
        guard let out = node.outputs.first, node.transient.contains(out), let first = node.epilogue.first else { return 0 }
        if case .batchNormTrain(let eps) = node.op, case .activation(.relu, _, _) = first.op {
            runBatchNormTrain(node.inputs, node.outputs, eps: eps, ptr, e, y: ptr(first.result), relu: true)
            return 1
        }
        // Max pooling's backward over a ReLU's output, then that ReLU's backward: one pass.
        if case .maxPool2dBackward(let a) = node.op, case .activationBackward(.relu, _, _) = first.op,
           first.operands == [node.inputs[1]], let idx = e.savedPoolIndices(for: node.inputs[1]) {
            MaxPool2d.backward(poolShape(a, e.shape(node.inputs[1])), dy: ptr(node.inputs[0]), indices: idx, dx: ptr(first.result),
                               reluOutput: ptr(node.inputs[1]), pool: e.pool)
            return 1
        }
        guard first.operands.count == 1 else { return 0 }
        let rank = e.fixedShape[out.raw].count + (e.batched[out.raw] ? 1 : 0)
        switch (node.op, first.op) {
        case (.matmul(false, let transB), .biasAdd(let axis)) where axis == rank - 1:
            let (act, used) = activationStep(node, after: first)
            let (ra, ca) = matrix(node.inputs[0], e), (rb, cb) = matrix(node.inputs[1], e)
            let m = ra, k = ca, n = transB ? rb : cb
            let result = node.epilogue[used - 1].result
            let pre: UnsafeMutablePointer<Float>? = used == 2 && !node.transient.contains(first.result) ? e.storage(first.result) : nil
            let epi = GemmEpilogue(bias: ptr(first.operands[0]), biasAxis: .columns, activation: act, preActivation: pre)
            Gemm.sgemm(transA: false, transB: transB, m: m, n: n, k: k, a: ptr(node.inputs[0]), lda: ca,
                       b: ptr(node.inputs[1]), ldb: cb, c: ptr(result), ldc: n, epilogue: epi, pool: e.pool,
                       aRows: e.takePendingInputRows(node.inputs[0]))
            return used
        case (.conv2d(let a), .biasAdd(let axis)) where axis == 1:
            let (act, used) = activationStep(node, after: first)
            if used == 2 && !node.transient.contains(first.result) { return 0 }   // the kernel cannot keep the pre-activation
            let result = node.epilogue[used - 1].result
            let s = convShape(a, x: e.shape(node.inputs[0]), w: e.shape(node.inputs[1]))
            Conv2d.forward(s, x: ptr(node.inputs[0]), weight: ptr(node.inputs[1]), bias: ptr(first.operands[0]), y: ptr(result),
                           activation: act, statistics: e.planeStatisticsBuffer(for: result, planes: s.batch * s.outChannels),
                           pool: e.pool)
            return used
        default:
            return 0
        }
    }

    /// The pointwise activation right after the bias step, if any: (activation, steps used).
    static func activationStep(_ node: Node, after first: EpilogueStep) -> (Runtime.Activation, Int) {
        guard node.epilogue.count > 1, case .activation(let f, let slope, _) = node.epilogue[1].op, f.isElementwise else {
            return (.identity, 1)
        }
        return (kernel(f, slope), 2)
    }
}
