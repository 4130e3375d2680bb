import Foundation
import XCTest

/// The outside tools that `scripts/test` installs for the tests that drive them (a Python with
/// onnx, onnxruntime and tensorboard; headless Chromium; Debian's python3 with torch). A test asks for one with `require`:
/// when the tool is missing it skips on a developer's machine and fails under CI, where
/// `scripts/test` must have installed it.
public enum TestTools {
    public enum Tool: String {
        case python = "REGULA_TEST_PYTHON"
        case chromium = "REGULA_TEST_CHROMIUM"
        /// Debian's python3 with python3-torch (1.13, CPU): the PyTorch export's round trips.
        case torchPython = "REGULA_TEST_TORCH_PYTHON"

        var purpose: String {
            switch self {
            case .python: return "a Python with the packages of scripts/test-requirements.txt"
            case .chromium: return "headless Chromium"
            case .torchPython: return "Debian's python3-torch"
            }
        }
    }

    /// The path of `tool`, from the environment `scripts/test` sets.
    ///
    /// - Throws: `XCTSkip` when the tool is missing outside CI; under `CI` a missing tool is a
    ///   test failure (`XCTFail` is recorded, then `XCTSkip` ends the test).
    public static func require(_ tool: Tool, file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let env = ProcessInfo.processInfo.environment
        if let path = env[tool.rawValue], FileManager.default.isExecutableFile(atPath: path) { return path }
        let message = "\(tool.rawValue) is not set: run the tests through scripts/test, which installs \(tool.purpose)"
        if env["CI"] != nil { XCTFail(message, file: file, line: line) }
        throw XCTSkip(message)
    }
}
