import Check
import Foundation
import Interpreter
import Training
import XCTest

/// A few optimizer steps of `regula train` from the spec's initialization (batchnorm statistics
/// move off 0/1); returns the checkpoint.
func trainFewSteps(_ model: CheckedModel, steps: Int, data: String, run: String) throws -> String {
    var options = TrainOptions()
    options.threads = 2
    options.dataDirectory = data
    options.limit = model.training.batchSize * steps
    options.maxSteps = steps
    options.epochs = 1
    options.outDirectory = run
    options.evaluateTest = false
    options.writeMetrics = false
    options.progress = .quiet
    _ = try Interpreter.train(model: model, options: options, log: { _ in })
    return run + "/model.safetensors"
}

/// Runs `executable` with `arguments` (and extra environment); returns stdout, failing the test on
/// a non-zero exit with stderr in the message.
func runProcess(_ executable: String, _ arguments: [String], directory: String? = nil, environment: [String: String] = [:],
                file: StaticString = #filePath, line: UInt = #line) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let d = directory { process.currentDirectoryURL = URL(fileURLWithPath: d) }
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    // stderr goes to a file so a chatty child cannot block on a full pipe while stdout is read.
    let errPath = FileManager.default.temporaryDirectory.appendingPathComponent("regula-process-\(getpid())-\(UUID().uuidString).err")
    _ = FileManager.default.createFile(atPath: errPath.path, contents: nil)
    defer { try? FileManager.default.removeItem(at: errPath) }
    let out = Pipe()
    process.standardOutput = out
    process.standardError = try FileHandle(forWritingTo: errPath)
    try process.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let errors = (try? Data(contentsOf: errPath)) ?? Data()
    XCTAssertEqual(process.terminationStatus, 0, String(decoding: errors, as: UTF8.self), file: file, line: line)
    return String(decoding: data, as: UTF8.self)
}

/// Writes `manifest` and `script` into `work`, runs the script on the manifest, and returns each
/// JSON line it prints as (model name, result). A line that is not a result, or a result with an
/// `error`, fails the test; so does a count of results other than the manifest's.
func runRoundTrip(_ python: String, script: String, manifest: [[String: Any]], work: String, label: String,
                  environment: [String: String] = [:], file: StaticString = #filePath, line: UInt = #line) throws -> [(String, [String: Any])] {
    let manifestPath = "\(work)/manifest.json", scriptPath = "\(work)/roundtrip.py"
    try JSONSerialization.data(withJSONObject: manifest).write(to: URL(fileURLWithPath: manifestPath))
    try script.write(toFile: scriptPath, atomically: true, encoding: .utf8)
    let output = try runProcess(python, [scriptPath, manifestPath], environment: environment, file: file, line: line)
    var results: [(String, [String: Any])] = [], seen = 0
    for text in output.split(separator: "\n") {
        guard let r = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], let name = r["name"] as? String else {
            XCTFail("unexpected output from the \(label) script: \(text)", file: file, line: line)
            continue
        }
        seen += 1
        if let error = r["error"] as? String {
            XCTFail("\(name): \(error)", file: file, line: line)
            continue
        }
        results.append((name, r))
    }
    XCTAssertEqual(seen, manifest.count, file: file, line: line)
    return results
}

func rawFloats(_ values: [Float]) -> Data {
    values.withUnsafeBufferPointer { Data(buffer: $0) }
}
