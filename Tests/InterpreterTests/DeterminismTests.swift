import XCTest
import Foundation
@testable import Interpreter

final class DeterminismTests: XCTestCase {
    func run(_ name: String, threads: Int, limit: Int, epochs: Int, dir: String? = nil, resume: Bool = false, maxSteps: Int? = nil) throws -> (losses: [Double], weights: Data, dir: String) {
        var o = testOptions("det")
        if let dir { o.outDirectory = dir }
        o.threads = threads
        o.limit = limit
        o.epochs = epochs
        o.resume = resume
        o.maxSteps = maxSteps
        o.evaluateTest = false
        var losses: [Double] = []
        o.stepCallback = { losses.append($0.loss) }
        let r = try train(model: try loadSpec(name), options: o) { _ in }
        let d = try XCTUnwrap(r.runDirectory)
        return (losses, try Data(contentsOf: URL(fileURLWithPath: d + "/model.safetensors")), d)
    }

    /// Same seed → the same loss at every step and bit-identical weights with 1 and 2 threads
    /// (dropout masks are keyed by (seed, step, op), kernels never split a sum by thread).
    func testMLPIsBitIdenticalAcrossThreadCounts() throws {
        let a = try run("mnist_mlp", threads: 1, limit: 1280, epochs: 2)
        let b = try run("mnist_mlp", threads: 2, limit: 1280, epochs: 2)
        XCTAssertEqual(a.losses.count, 20)
        XCTAssertEqual(a.losses, b.losses)
        XCTAssertEqual(a.weights, b.weights)
    }

    func testCNNIsBitIdenticalAcrossThreadCounts() throws {
        let a = try run("mnist_cnn", threads: 1, limit: 640, epochs: 1)
        let b = try run("mnist_cnn", threads: 2, limit: 640, epochs: 1)
        XCTAssertEqual(a.losses, b.losses)
        XCTAssertEqual(a.weights, b.weights)
    }

    /// Stopping after epoch 1 and resuming gives the same losses and bit-identical weights as an
    /// uninterrupted run (AdamW moments, step count and the data order are restored).
    func testResumeFromAnEpochCheckpointIsBitIdentical() throws {
        let full = try run("mnist_mlp", threads: 2, limit: 1280, epochs: 2)
        let first = try run("mnist_mlp", threads: 2, limit: 1280, epochs: 1)
        let second = try run("mnist_mlp", threads: 2, limit: 1280, epochs: 2, dir: first.dir, resume: true)
        XCTAssertEqual(first.losses + second.losses, full.losses)
        XCTAssertEqual(second.weights, full.weights)
        // A different seed gives different weights (the comparison above can fail).
        var o = testOptions("det-seed")
        o.limit = 1280; o.epochs = 2; o.seed = 1; o.evaluateTest = false
        let other = try train(model: try loadSpec("mnist_mlp"), options: o) { _ in }
        XCTAssertNotEqual(try Data(contentsOf: URL(fileURLWithPath: try XCTUnwrap(other.runDirectory) + "/model.safetensors")), full.weights)
    }

    /// RMSprop's and Lion's state (`square_avg`, `grad_avg`, `momentum_buffer`; `exp_avg`) goes
    /// through the checkpoint: a run resumed mid-epoch equals an uninterrupted one, and the
    /// loss falls.
    func testRMSpropAndLionResumeBitIdentically() throws {
        for spec in ["mlp_rmsprop", "mlp_lion"] {
            let full = try run(spec, threads: 2, limit: 1280, epochs: 2)
            let cut = try run(spec, threads: 1, limit: 1280, epochs: 2, maxSteps: 13)
            let rest = try run(spec, threads: 2, limit: 1280, epochs: 2, dir: cut.dir, resume: true)
            XCTAssertEqual(cut.losses + rest.losses, full.losses, spec)
            XCTAssertEqual(rest.weights, full.weights, spec)
            XCTAssertLessThan(full.losses.suffix(5).reduce(0, +), full.losses.prefix(5).reduce(0, +), spec)
        }
    }

    /// A run cut by `--steps` in the middle of an epoch resumes at the next batch, bit-identically.
    func testResumeFromAMidEpochStopIsBitIdentical() throws {
        let full = try run("mnist_mlp", threads: 2, limit: 1280, epochs: 2)
        let cut = try run("mnist_mlp", threads: 2, limit: 1280, epochs: 2, maxSteps: 15)
        XCTAssertEqual(cut.losses.count, 15)
        let rest = try run("mnist_mlp", threads: 2, limit: 1280, epochs: 2, dir: cut.dir, resume: true)
        XCTAssertEqual(cut.losses + rest.losses, full.losses)
        XCTAssertEqual(rest.weights, full.weights)
    }
}
