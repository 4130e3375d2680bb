import Foundation
import XCTest

/// `regula train` as a user runs it: Ctrl-C keeps the work, and a finished run is not overwritten.
final class TrainCommandTests: XCTestCase {
    func temporaryFolder(_ tag: String) -> String {
        NSTemporaryDirectory() + "regula-cli-\(tag)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    }

    /// SIGINT mid-epoch: a checkpoint at the current step, a message saying how to resume, exit
    /// 130; resuming gives the weights of an uninterrupted run of the same length, byte for byte.
    func testSIGINTCheckpointsAndResumesBitIdentically() throws {
        let out = temporaryFolder("sigint")
        let process = Process()
        process.executableURL = CLI.binary
        process.arguments = ["train", "specs/mnist_mlp.yaml", "--out", out, "--epochs", "20", "--threads", "2"]
        process.currentDirectoryURL = CLI.root
        let stdout = Pipe(), stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        var seen = ""
        while !seen.contains("step 100/") {
            let chunk = stdout.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            seen += String(decoding: chunk, as: UTF8.self)
        }
        kill(process.processIdentifier, SIGINT)
        seen += String(decoding: stdout.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let errors = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 130, seen + errors)
        XCTAssertEqual(errors, "training stopped by a signal; continue with: regula train specs/mnist_mlp.yaml --resume --out \(out)\n")
        let line = try XCTUnwrap(seen.split(separator: "\n").first { $0.hasPrefix("interrupted at step ") }, seen)
        XCTAssertTrue(line.hasSuffix("; checkpoint written to \(out)/model.safetensors"), String(line))
        let step = try XCTUnwrap(Int(line.dropFirst("interrupted at step ".count).prefix { $0.isNumber }))
        XCTAssertGreaterThanOrEqual(step, 100)

        let total = String(step + 7)
        let resumed = try CLI.run(["train", "specs/mnist_mlp.yaml", "--out", out, "--epochs", "20", "--threads", "2", "--resume", "--steps", total])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        let fresh = temporaryFolder("fresh")
        let uninterrupted = try CLI.run(["train", "specs/mnist_mlp.yaml", "--out", fresh, "--epochs", "20", "--threads", "1", "--steps", total])
        XCTAssertEqual(uninterrupted.status, 0, uninterrupted.stderr)
        let a = try Data(contentsOf: URL(fileURLWithPath: out + "/model.safetensors"))
        let b = try Data(contentsOf: URL(fileURLWithPath: fresh + "/model.safetensors"))
        XCTAssertEqual(a, b)
    }

    func testAFinishedRunIsNotOverwritten() throws {
        let out = temporaryFolder("refuse")
        let args = ["train", "specs/mnist_mlp.yaml", "--out", out, "--steps", "2", "--limit", "256"]
        XCTAssertEqual(try CLI.run(args).status, 0)
        let again = try CLI.run(args)
        XCTAssertEqual(again.status, 2)
        XCTAssertEqual(again.stderr, "error: \(out) already holds a run (checkpoint or metrics); continue it with --resume, discard it with --force, or choose another --out\n")
        XCTAssertEqual(try CLI.run(args + ["--force"]).status, 0)
    }

    /// `regula eval --limit N` evaluates N test examples (it evaluated all 10,000).
    func testEvalLimitBoundsTheTestExamples() throws {
        let out = temporaryFolder("eval")
        XCTAssertEqual(try CLI.run(["train", "specs/mnist_mlp.yaml", "--out", out, "--steps", "2", "--limit", "256"]).status, 0)
        let r = try CLI.run(["eval", "specs/mnist_mlp.yaml", "--checkpoint", out + "/model.safetensors", "--limit", "100"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.hasPrefix("test: 100 examples, "), r.stdout)
    }
}
