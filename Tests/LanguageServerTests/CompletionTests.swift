import Foundation
@testable import LanguageServer
import XCTest

/// Completion offers what is valid at the cursor's place, in both formats: `‸` marks the
/// cursor in each text (removed before the document is analysed).
final class CompletionTests: XCTestCase {
    private func labels(_ marked: String, _ file: String, line: UInt = #line) throws -> [String] {
        // Split on the scalar: "\r\n" is one Character, so a Character split would miss it.
        let lines = marked.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).map { String($0) }
        guard let row = lines.firstIndex(where: { $0.contains("‸") }), let cursor = lines[row].range(of: "‸") else {
            throw XCTSkip("no cursor marker")
        }
        let character = lines[row].utf16.distance(from: lines[row].startIndex, to: cursor.lowerBound)
        let text = marked.replacingOccurrences(of: "‸", with: "")
        let analysis = Analysis(Document(uri: "file:///tmp/regula-lsp-test/\(file)", version: 1, text: text))
        return analysis.completions(at: Position(line: row, character: character)).compactMap { $0["label"] as? String }
    }

    private func dsl(_ body: String) throws -> [String] {
        try labels("regula 1\nmodel c\ninput [1, 8, 8]\n\nblock twice(units = 4) {\n  dense(units)\n}\n\n" + body, "c.regula")
    }

    private func yaml(_ body: String) throws -> [String] {
        try labels("regula: 1\ninput: [1, 8, 8]\nblocks:\n  twice:\n    params: {units: 4}\n    layers: [{dense: \"${units}\"}]\n" + body, "c.yaml")
    }

    func testDSLSections() throws {
        let train = try dsl("train {\n  epochs: 2\n  ‸\n}\n")
        XCTAssertTrue(train.contains("optimizer") && train.contains("batch_size") && train.contains("early_stopping"), "\(train)")
        XCTAssertFalse(train.contains("conv2d") || train.contains("lr") || train.contains("units"), "\(train)")

        let optimizer = try dsl("train {\n  optimizer: {kind: sgd, ‸}\n}\n")
        XCTAssertTrue(optimizer.contains("lr") && optimizer.contains("momentum") && optimizer.contains("nesterov"), "\(optimizer)")
        XCTAssertFalse(optimizer.contains("epochs"), "\(optimizer)")
        XCTAssertEqual(try dsl("train {\n  optimizer: {kind: ‸}\n}\n"), ["sgd", "adam", "adamw", "rmsprop", "lion"])
        XCTAssertEqual(try dsl("train {\n  optimizer: {kind: sgd, nesterov: ‸}\n}\n"), ["true", "false"])
        XCTAssertTrue(try dsl("train {\n  schedule: ‸\n}\n").contains("cosine"))

        let augment = try dsl("data {\n  augment: [{random_crop: 4}, ‸]\n}\n")
        XCTAssertTrue(augment.contains("flip") && augment.contains("cutout") && augment.contains("mixup"), "\(augment)")
        XCTAssertFalse(augment.contains("dense") || augment.contains("dir"), "\(augment)")
        XCTAssertEqual(try dsl("data {\n  augment: [{flip: {‸}}]\n}\n"), ["mode", "p", "epochs"])
        XCTAssertEqual(try dsl("data {\n  augment: [{flip: {mode: ‸}}]\n}\n"), ["horizontal", "vertical", "both"])
        XCTAssertTrue(try dsl("data {\n  normalize: {‸}\n}\n").contains("scale"))

        let top = try dsl("‸")
        XCTAssertTrue(top.contains("train") && top.contains("block") && top.contains("layers"), "\(top)")
        XCTAssertFalse(top.contains("blocks") || top.contains("dense"), "\(top)")
        XCTAssertEqual(try dsl("loss ‸"), ["cross_entropy", "mse", "binary_cross_entropy"])
        XCTAssertTrue(try dsl("defaults {‸}").contains("weight_decay"))
        let crlf = try labels("regula 1\r\ntrain {\r\n  epochs: 2\r\n  ‸\r\n}\r\n", "crlf.regula")
        XCTAssertTrue(crlf.contains("optimizer") && !crlf.contains("lr"), "\\r\\n line breaks: \(crlf)")
        XCTAssertTrue(try labels("regula 1\ninput [1, 8, 8](‸)\n", "i.regula").contains("dtype"))
        XCTAssertEqual(try labels("regula 1\ninput [‸]\n", "i.regula"), [], "a dimension is not a key")
    }

    func testDSLLayers() throws {
        let kinds = try dsl("layers {\n  conv2d(filters: 4)\n  ‸\n}\n")
        XCTAssertTrue(kinds.contains("conv2d") && kinds.contains("twice") && kinds.contains("repeat"), "\(kinds)")
        // A multi-line argument list: the kind is on an earlier line.
        let conv = try dsl("layers {\n  conv2d(filters: 4,\n         ‸\n}\n")
        XCTAssertTrue(conv.contains("kernel") && conv.contains("padding"), "\(conv)")
        XCTAssertFalse(conv.contains("units") || conv.contains("conv2d"), "no `units` inside conv2d: \(conv)")
        let dense = try dsl("layers {\n  d = dense(4, ‸)\n}\n")
        XCTAssertTrue(dense.contains("units") && dense.contains("activation"), "\(dense)")
        XCTAssertFalse(dense.contains("filters"), "no `filters` inside dense: \(dense)")
        XCTAssertEqual(try dsl("layers {\n  twice(‸)\n}\n"), ["units"], "a block's parameters")
        // Inside a residual body, after it, and inside a repeat.
        XCTAssertTrue(try dsl("layers {\n  residual(body: {\n    ‸\n  })\n}\n").contains("batchnorm"))
        let residual = try dsl("layers {\n  residual(body: {\n    relu\n  }, ‸)\n}\n")
        XCTAssertTrue(residual.contains("stochastic_depth") && !residual.contains("relu"), "\(residual)")
        XCTAssertTrue(try dsl("layers {\n  repeat 2 as i {\n    ‸\n  }\n}\n").contains("dropout"))
        XCTAssertEqual(try dsl("layers {\n  conv2d(4, padding: ‸)\n}\n"), [], "padding takes numbers or same/valid, not an enumeration")
        XCTAssertEqual(try dsl("layers {\n  dense(4, expect: [‸])\n}\n"), [])
        XCTAssertEqual(try dsl("layers {\n  # a comment ‸\n}\n"), [], "nothing inside a comment")
        XCTAssertEqual(try yaml("layers:\n  - dense: {units: 4, name: \"a ‸\"}\n"), [], "nothing inside a string")
    }

    func testYAMLSections() throws {
        let train = try yaml("train:\n  epochs: 2\n  ‸\n")
        XCTAssertTrue(train.contains("optimizer") && train.contains("seed"), "\(train)")
        XCTAssertFalse(train.contains("lr") || train.contains("dense"), "\(train)")
        let optimizer = try yaml("train:\n  optimizer:\n    kind: adam\n    ‸\n")
        XCTAssertTrue(optimizer.contains("betas") && optimizer.contains("eps"), "\(optimizer)")
        XCTAssertFalse(optimizer.contains("epochs"), "\(optimizer)")
        XCTAssertEqual(try yaml("train:\n  optimizer: {kind: ‸}\n"), ["sgd", "adam", "adamw", "rmsprop", "lion"])
        XCTAssertEqual(try yaml("train:\n  early_stopping:\n    monitor: ‸\n"), ["val_loss", "val_accuracy", "loss", "accuracy"])
        XCTAssertTrue(try yaml("train:\n  epochs: 2\n‸\n").contains("data"), "back at the top level")

        let augment = try yaml("data:\n  augment:\n    - random_crop: 4\n    - ‸\n")
        XCTAssertTrue(augment.contains("cutout") && !augment.contains("dense"), "\(augment)")
        XCTAssertEqual(try yaml("data:\n  augment:\n    - cutout:\n        ‸\n"), ["size", "epochs"])
        XCTAssertEqual(try yaml("data:\n  augment: [{cutout: {‸}}]\n"), ["size", "epochs"])
        XCTAssertTrue(try yaml("data:\n  dir: x\n  ‸\n").contains("validation_split"))
        XCTAssertTrue(try labels("train:\r\n  optimizer:\r\n    ‸\r\n", "crlf.yaml").contains("momentum"), "\\r\\n line breaks")
    }

    func testYAMLLayers() throws {
        let conv = try yaml("layers:\n  - conv2d:\n      filters: 4\n      ‸\n")
        XCTAssertTrue(conv.contains("kernel") && !conv.contains("units"), "\(conv)")
        let kinds = try yaml("layers:\n  - conv2d:\n      filters: 4\n  - tw‸\n")
        XCTAssertTrue(kinds.contains("dense") && kinds.contains("twice"), "\(kinds)")
        XCTAssertEqual(try yaml("layers:\n  - dense: 4\n    ‸\n"), [], "beside a kind, not a new layer")
        XCTAssertEqual(try yaml("layers:\n  - twice: {‸}\n"), ["units"])
        let body = try yaml("layers:\n  - residual:\n      body:\n        - ‸\n")
        XCTAssertTrue(body.contains("conv2d"), "\(body)")
        XCTAssertTrue(try yaml("layers:\n  - residual:\n      body: [relu, ‸]\n").contains("batchnorm"))
        XCTAssertTrue(try yaml("layers:\n  - repeat:\n      count: 2\n      layers:\n        - ‸\n").contains("dropout"))
        XCTAssertEqual(try yaml("layers:\n  - dense: {units: 4, activation: ‸}\n").contains("relu"), true)
        XCTAssertTrue(try yaml("defaults:\n  ‸\n").contains("l2"))
    }
}
