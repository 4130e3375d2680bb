@testable import Codegen
import Check
import Driver
import Diagnostics
import Foundation
import XCTest

/// Spec content must never become code: identifiers, literals and comments are sanitized.
final class NamesTests: XCTestCase {
    func testIdentifiersFollowTheStateDictNames() {
        XCTAssertEqual(Names.identifier("0.weight"), "layer0Weight")
        XCTAssertEqual(Names.identifier("fc1.weight"), "fc1Weight")
        XCTAssertEqual(Names.identifier("2.body.0.running_mean"), "layer2Body0RunningMean")
        XCTAssertEqual(Names.identifier("class"), "class_")
        XCTAssertEqual(Names.identifier("…"), "value")
        XCTAssertEqual(Names.typeName("mnist_mlp"), "MnistMlp")
        XCTAssertEqual(Names.typeName("tensor"), "TensorNet")
        XCTAssertEqual(Names.typeName("recipe"), "RecipeNet")
    }

    func testInjectionBecomesHarmless() {
        let evil = "x\"); exit(1); //"
        XCTAssertEqual(Names.identifier(evil + ".weight"), "xExit1Weight")
        XCTAssertEqual(Names.stringLiteral(evil + ".weight"), #""x\"); exit(1); //.weight""#)
        XCTAssertEqual(Names.stringLiteral("a\nb\u{202E}"), #""a\u{a}b\u{202e}""#)
        XCTAssertEqual(Names.comment("a\nexit(1)"), "a?exit(1)")
    }

    func testInjectedLayerNameInASpec() throws {
        let text = """
        regula: 1
        model: evil
        input: [4]
        layers:
          - dense: {units: 3, name: "x\\"); exit(1); //"}
        loss: cross_entropy
        train: {optimizer: {kind: sgd, lr: 0.1}, batch_size: 2, epochs: 1}

        """
        let r = Frontend.run(source: SourceFile(path: "evil.yaml", text: text))
        guard let model = r.model else { throw XCTSkip("the checker rejects the name: \(r.diagnostics.map(\.message))") }
        let p = try compilePackage(model, source: SpecSource(path: "evil.yaml", text: text), options: CompileOptions(runtimePath: "R"))
        let swift = try XCTUnwrap(p.files["Sources/Evil/Model.swift"])
        XCTAssertTrue(swift.contains("let xExit1Weight = Tensor(shape: [3, 4])"), swift)
        XCTAssertTrue(swift.contains(#"StateTensor("x\"); exit(1); //.weight", xExit1Weight)"#), swift)
        // Every generated file is valid Swift: the injection closed no literal or comment.
        try assertParses(p)
        // No line carries the name unescaped outside a comment.
        for line in swift.split(separator: "\n") where line.contains("exit(1)") {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            XCTAssertTrue(trimmed.hasPrefix("//") || line.contains(#"\"); exit(1)"#), String(line))
        }
    }

    /// Runs `swiftc -parse` (syntax only, no modules needed) over every Swift file of `p`.
    private func assertParses(_ p: GeneratedPackage, file: StaticString = #filePath, line: UInt = #line) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("regula-parse-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        try p.write(to: dir.path)
        let swiftFiles = p.files.keys.filter { $0.hasSuffix(".swift") && $0 != "Package.swift" }.sorted().map { dir.path + "/" + $0 }
        let proc = Process()
        proc.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        proc.arguments = ["swiftc", "-parse"] + swiftFiles
        let pipe = Pipe()
        proc.standardError = pipe
        proc.standardOutput = pipe
        try proc.run()
        let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        proc.waitUntilExit()
        XCTAssertEqual(proc.terminationStatus, 0, out, file: file, line: line)
    }
}

/// The tokens block methods unify: slots and constants are found in code, never in comments.
final class TokenTests: XCTestCase {
    func testTokensSplitCodeNumbersAndComments() {
        let text = "for k in 0..<16 { t66[k] = 1e-05 * 0.875 } // spec.yaml:3 dense: {name: t62}\nx"
        let tokens = Token.split(text)
        XCTAssertEqual(tokens.map(\.text).joined(), text)
        XCTAssertEqual(tokens.filter { $0.kind == .number }.map(\.text), ["0", "16", "1e-05", "0.875"])
        XCTAssertEqual(tokens.filter { $0.kind == .identifier }.map(\.text), ["for", "k", "in", "t66", "k", "x"])
        XCTAssertTrue(tokens.contains(Token(kind: .other, text: "// spec.yaml:3 dense: {name: t62}")))
    }
}
