import Foundation
import XCTest

/// `regula sweep` as a user runs it: variants checked first, run folders and sweep files
/// written, a sweep killed with SIGKILL resumed without retraining its finished variants.
extension SweepTests {
    func sweepFolder(_ tag: String) -> String {
        NSTemporaryDirectory() + "regula-sweep-\(tag)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    }

    func json(_ path: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any], path)
    }

    func statuses(_ folder: String) -> [String] {
        guard let sweep = try? json(folder + "/sweep.json"), let variants = sweep["variants"] as? [[String: Any]] else { return [] }
        return variants.map { $0["status"] as? String ?? "" }
    }

    /// One bad value among good ones stops the sweep before anything is trained or written.
    func testEveryVariantIsCheckedBeforeTraining() throws {
        let out = sweepFolder("bad")
        let r = try CLI.run(["sweep", "specs/mnist_mlp.yaml", "--set", "layers.*.dropout=0,0.2,1.5", "--steps", "1", "--out", out])
        XCTAssertEqual(r.status, 1, r.stderr)
        XCTAssertEqual(r.stderr, """
            <command line>:1:30: error: argument 'p' of 'dropout' must be in [0, 1) but is 1.5
            --set layers.*.dropout=0,0.2,1.5
                                         ^~~

            """)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
    }

    func testASmallSweepWritesItsFolders() throws {
        let out = sweepFolder("small")
        let r = try CLI.run(["sweep", "specs/mnist_mlp.yaml", "--set", "layers.*.dropout=0,0.5", "--set", "defaults.weight_decay=1e-4",
                             "--steps", "2", "--limit", "256", "--jobs", "2", "--out", out])
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        XCTAssertTrue(r.stdout.hasPrefix("sweep mnist_mlp: 2 variants in \(out), 2 at a time, 1 threads each\n"), r.stdout)
        let table = r.stdout.components(separatedBy: "\n\n").last ?? ""
        XCTAssertTrue(table.hasPrefix("rank  variant"), r.stdout)
        XCTAssertEqual(table.split(separator: "\n").count, 4, table)
        XCTAssertFalse(r.stdout.contains("\u{1B}"), "plain lines when stdout is not a terminal")

        let sweep = try json(out + "/sweep.json")
        XCTAssertEqual(sweep["spec"] as? String, "specs/mnist_mlp.yaml")
        XCTAssertEqual(sweep["model"] as? String, "mnist_mlp")
        let variants = try XCTUnwrap(sweep["variants"] as? [[String: Any]])
        XCTAssertEqual(variants.map { $0["name"] as? String }, ["dropout=0_weight_decay=1e-4", "dropout=0.5_weight_decay=1e-4"])
        XCTAssertEqual(variants.map { $0["folder"] as? String }, ["dropout=0_weight_decay=1e-4", "dropout=0.5_weight_decay=1e-4"])
        XCTAssertEqual(variants.map { $0["status"] as? String }, ["done", "done"])
        XCTAssertEqual(variants[1]["overrides"] as? [String: String], ["layers.*.dropout": "0.5", "defaults.weight_decay": "1e-4"])
        for v in variants {
            let best = try XCTUnwrap(v["best_val"] as? Double)
            XCTAssertTrue(best > 0 && best <= 1)
            XCTAssertEqual(v["metric"] as? String, "test_acc", "mnist_mlp has no validation split")
        }
        let dir = out + "/dropout=0.5_weight_decay=1e-4"
        let variant = try json(dir + "/variant.json")
        XCTAssertEqual(variant["name"] as? String, "dropout=0.5_weight_decay=1e-4")
        XCTAssertEqual(variant["overrides"] as? [String: String], ["layers.*.dropout": "0.5", "defaults.weight_decay": "1e-4"])
        XCTAssertNil(variant["ablated"])
        for file in ["spec.yaml", "metrics.csv", "metrics.jsonl", "model.safetensors", "train.log"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/" + file), file)
        }
        let spec = try String(contentsOfFile: dir + "/spec.yaml", encoding: .utf8)
        XCTAssertTrue(spec.contains("defaults:\n  weight_decay: 0.0001\n"), spec)
        XCTAssertEqual(spec.components(separatedBy: "- dropout: 0.5").count, 3, spec)
        // The variant's spec trains alone, from its own folder (its data path was rewritten).
        let alone = try CLI.run(["train", dir + "/spec.yaml", "--steps", "2", "--limit", "256", "--out", sweepFolder("alone")])
        XCTAssertEqual(alone.status, 0, alone.stderr)

        // The same command again has nothing to do; other options or other variants are refused.
        let again = try CLI.run(["sweep", "specs/mnist_mlp.yaml", "--set", "layers.*.dropout=0,0.5", "--set", "defaults.weight_decay=1e-4",
                                 "--steps", "2", "--limit", "256", "--jobs", "2", "--out", out])
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertTrue(again.stdout.hasPrefix("sweep mnist_mlp: 2 variants in \(out), 2 already done, 2 at a time"), again.stdout)
        XCTAssertFalse(again.stdout.contains(": training"), again.stdout)
        let longer = try CLI.run(["sweep", "specs/mnist_mlp.yaml", "--set", "layers.*.dropout=0,0.5", "--set", "defaults.weight_decay=1e-4",
                                  "--steps", "3", "--limit", "256", "--out", out])
        XCTAssertEqual(longer.status, 2)
        XCTAssertEqual(longer.stderr, "error: \(out) holds this sweep run with other options (--steps 2 --limit 256); repeat them to continue it, or choose another --out\n")
        let other = try CLI.run(["sweep", "specs/mnist_mlp.yaml", "--set", "layers.*.dropout=0,0.4", "--steps", "2", "--limit", "256", "--out", out])
        XCTAssertEqual(other.status, 2)
        XCTAssertEqual(other.stderr, "error: \(out) holds another sweep (its variants differ from these); choose another --out or delete it\n")
    }

    /// SIGKILL while the second of three variants trains: the first keeps its files untouched,
    /// the second continues from its checkpoint, the third trains once.
    func testASweepKilledWithSIGKILLResumes() throws {
        let out = sweepFolder("kill")
        let args = ["sweep", "specs/mnist_mlp.yaml", "--set", "layers.*.dropout=0,0.2,0.5", "--limit", "2048", "--epochs", "8",
                    "--jobs", "1", "--out", out]
        let process = Process()
        process.executableURL = CLI.binary
        process.arguments = args
        process.currentDirectoryURL = CLI.root
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let second = out + "/dropout=0.2"
        let deadline = Date().addingTimeInterval(60)
        while !(statuses(out) == ["done", "running", "pending"] && FileManager.default.fileExists(atPath: second + "/train_state.safetensors")) {
            XCTAssertTrue(process.isRunning && Date() < deadline, "the sweep ended before the second variant checkpointed")
            if !process.isRunning || Date() > deadline { return }
            usleep(10_000)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let first = out + "/dropout=0"
        let before = try ["model.safetensors", "metrics.csv", "spec.yaml", "variant.json", "train.log"].map {
            (try Data(contentsOf: URL(fileURLWithPath: first + "/" + $0)), try FileManager.default.attributesOfItem(atPath: first + "/" + $0)[.modificationDate] as? Date)
        }
        // The orphaned trainer notices, checkpoints and leaves; the restarted sweep waits for it if needed.
        let again = try CLI.run(args)
        XCTAssertEqual(again.status, 0, again.stdout + again.stderr)
        XCTAssertTrue(again.stdout.contains("2 already done") == false && again.stdout.contains("1 already done"), again.stdout)
        XCTAssertTrue(again.stdout.contains("[2/3] dropout=0.2: resuming"), again.stdout)
        XCTAssertTrue(again.stdout.contains("[3/3] dropout=0.5: training"), again.stdout)
        XCTAssertFalse(again.stdout.contains("[1/3] dropout=0:"), again.stdout)
        XCTAssertEqual(statuses(out), ["done", "done", "done"])
        let after = try ["model.safetensors", "metrics.csv", "spec.yaml", "variant.json", "train.log"].map {
            (try Data(contentsOf: URL(fileURLWithPath: first + "/" + $0)), try FileManager.default.attributesOfItem(atPath: first + "/" + $0)[.modificationDate] as? Date)
        }
        XCTAssertTrue(zip(before, after).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }, "the finished variant's files are untouched")
        // The resumed variant has every epoch once: it continued rather than restarted.
        let csv = try String(contentsOfFile: second + "/metrics.csv", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(csv.dropFirst().map { $0.prefix { $0 != "," } }, ["1", "2", "3", "4", "5", "6", "7", "8"])
        let log = try String(contentsOfFile: second + "/train.log", encoding: .utf8)
        XCTAssertTrue(log.contains("checkpoint written"), log)
    }
}
