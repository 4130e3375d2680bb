import XCTest
import Runtime
@testable import Interpreter

/// The whole executor (lowering, autodiff, every kernel it calls, penalties) against central
/// finite differences of the objective it reports.
final class GradientCheckTests: XCTestCase {
    func testDenseTanhDropoutWithPenaltiesAndSmoothing() throws {
        try checkGradients("""
        regula: 1
        model: g1
        input: [6]
        defaults: {l1: 0.01, l2: 0.02}
        layers:
          - dense: {units: 5, activation: tanh}
          - dropout: 0.3
          - dense: {units: 4, activation: sigmoid}
          - dense: 3
        loss: {kind: cross_entropy, label_smoothing: 0.1}
        train: {optimizer: {kind: sgd, lr: 0.1}, batch_size: 4}
        """, batch: 4)
    }

    /// The multiplicative noise's backward regenerates the forward's factor (same key and step);
    /// the additive noise passes the gradient through.
    func testGaussianNoiseAndDropout() throws {
        try checkGradients("""
        regula: 1
        model: g5
        input: [6]
        layers:
          - dense: {units: 5, activation: selu}
          - alpha_dropout: 0.2
          - dense: 5
          - gaussian_dropout: 0.3
          - dense: 4
          - gaussian_noise: 0.2
          - dense: 3
        train: {optimizer: {kind: sgd, lr: 0.1}, batch_size: 4}
        """, batch: 4)
    }

    /// Locked dropout over a sequence, and spatial dropout on `[seq, features]` (the same op).
    func testLockedDropoutBeforeAnLSTM() throws {
        for layer in ["locked_dropout: 0.3", "spatial_dropout: 0.3"] {
            try checkGradients("""
            regula: 1
            model: g6
            input: [5, 4]
            layers:
              - \(layer)
              - lstm: {units: 3}
              - dense: 3
            train: {optimizer: {kind: sgd, lr: 0.1}, batch_size: 4}
            """, batch: 4)
        }
    }

    /// Positional encoding passes the gradient through; each sequence pooling routes it as its
    /// forward reads the steps (the mean to all, the max to the arg-max, first to step 0).
    func testPositionalEncodingAndSequencePooling() throws {
        for mode in ["mean", "max", "first"] {
            try checkGradients("""
            regula: 1
            model: g_pool
            input: [5, 4]
            layers:
              - dense: {units: 6, activation: tanh}
              - positional_encoding
              - sequence_pool: \(mode)
              - dense: 3
            train: {optimizer: {kind: sgd, lr: 0.1}, batch_size: 4}
            """, batch: 4)
        }
    }

    /// The option-A shortcut (He et al. 2016): the gradient reaches only the pixels and channels
    /// the subsampling kept; the padded channels take none.
    func testPadChannelsShortcut() throws {
        for placement in ["end", "both"] {
            try checkGradients("""
            regula: 1
            model: g_pad
            input: [2, 5, 5]
            layers:
              - conv2d: {filters: 2, kernel: 3, padding: 1, activation: tanh}
              - residual:
                  body:
                    - conv2d: {filters: 4, kernel: 3, stride: 2, padding: 1, activation: tanh}
                  shortcut:
                    - pad_channels: {channels: 4, stride: 2, placement: \(placement)}
              - flatten
              - dense: 3
            train: {optimizer: {kind: sgd, lr: 0.1}, batch_size: 4}
            """, batch: 4)
        }
    }

    /// Shake-Shake's one-pixel shift (Gastaldi 2017), a zero padding and a crop: each reads
    /// every kept input entry once, so the gradient is dy at that entry and 0 where it was dropped.
    func testShiftPadAndCrop() throws {
        try checkGradients("""
        regula: 1
        model: g_shift
        input: [2, 5, 5]
        layers:
          - conv2d: {filters: 2, kernel: 3, padding: 1, activation: tanh}
          - shift: {x: -1, y: 2}
          - pad: {top: 1, left: 2, right: 1}
          - conv2d: {filters: 2, kernel: 3, activation: tanh}
          - crop: {top: 1, bottom: 1, right: 2}
          - flatten
          - dense: 3
        train: {optimizer: {kind: sgd, lr: 0.1}, batch_size: 4}
        """, batch: 4)
    }

    /// permute's gradient is the inverse permutation: [C, H, W] → [H, W, C] and a sequence's
    /// [seq, features] → [features, seq] before a recurrent layer.
    func testPermute() throws {
        try checkGradients("""
        regula: 1
        model: g_permute
        input: [2, 3, 4]
        layers:
          - conv2d: {filters: 3, kernel: 3, padding: 1, activation: tanh}
          - permute: [1, 2, 0]
          - dense: {units: 2, activation: tanh}
          - reshape: [3, 8]
          - permute: [1, 0]
          - gru: {units: 3}
          - dense: 3
        train: {optimizer: {kind: sgd, lr: 0.1}, batch_size: 4}
        """, batch: 4)
    }

    /// DropBlock's backward regenerates the forward's blocks and batch scale (same key and step).
    func testDropBlockBetweenConvolutions() throws {
        try checkGradients("""
        regula: 1
        model: g7
        input: [2, 6, 6]
        layers:
          - conv2d: {filters: 3, kernel: 3, padding: 1, activation: tanh}
          - dropblock: {p: 0.3, block_size: 2}
          - conv2d: {filters: 2, kernel: 3}
          - flatten
          - dense: 3
        train: {optimizer: {kind: sgd, lr: 0.1}, batch_size: 4}
        """, batch: 4)
    }

    func testConvBatchnormPoolDense() throws {
        try checkGradients("""
        regula: 1
        model: g2
        input: [2, 6, 6]
        layers:
          - conv2d: {filters: 3, kernel: 3, padding: 1}
          - batchnorm
          - tanh
          - avgpool: 2
          - conv2d: {filters: 4, kernel: 2}
          - maxpool: 2
          - flatten
          - dense: 3
        loss: cross_entropy
        train: {optimizer: {kind: sgd, lr: 0.1}, batch_size: 3}
        """, batch: 3)
    }

    /// Max pooling is checked at a small batch: with many windows a finite-difference step flips
    /// some arg-max and the loss is not differentiable there.
    /// Same network with average pooling, a batch larger than the conv kernels' per-thread chunk, on two threads.
    func testConvBatchnormPoolDenseTwoThreads() throws {
        try checkGradients("""
        regula: 1
        model: g2
        input: [1, 8, 8]
        layers:
          - conv2d: {filters: 4, kernel: 3, padding: 1}
          - batchnorm
          - tanh
          - avgpool: 2
          - conv2d: {filters: 4, kernel: 3, padding: 1}
          - batchnorm
          - tanh
          - avgpool: 2
          - flatten
          - dense: 10
        loss: cross_entropy
        train: {optimizer: {kind: sgd, lr: 0.1}, batch_size: 19}
        """, batch: 19, threads: 2)
    }

    func testResidualWithPerSampleStochasticDepth() throws {
        try checkGradients("""
        regula: 1
        model: g3
        input: [2, 4, 4]
        layers:
          - conv2d: {filters: 3, kernel: 3, padding: 1}
          - residual:
              body:
                - conv2d: {filters: 3, kernel: 3, padding: 1}
                - tanh
              stochastic_depth: {survival: 0.7, mode: sample}
          - global_avgpool
          - dense: 3
        loss: cross_entropy
        train: {optimizer: {kind: sgd, lr: 0.1}, batch_size: 5}
        """, batch: 5)
    }
}
