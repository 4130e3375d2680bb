import Check
import Foundation
import XCTest

/// The VS Code extension in editors/vscode: its manifest points at files that exist, its TextMate
/// grammar is valid JSON whose regexes compile (NSRegularExpression takes the Oniguruma subset
/// the grammar uses), and a small matcher over its `match` rules (TextMate's rule: at each
/// position the earliest match wins, ties to the first rule) scopes real specs as expected.
final class GrammarTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let vscode = root.appendingPathComponent("editors/vscode")

    struct Rule {
        var key: String
        var regex: NSRegularExpression
        var name: String?
        var captures: [Int: String]
    }

    struct Token: Equatable, CustomStringConvertible {
        var text: String
        var scope: String
        var description: String { "\(text)=\(scope)" }
    }

    private func json(_ path: String) throws -> [String: Any] {
        let data = try Data(contentsOf: Self.vscode.appendingPathComponent(path))
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any], path)
    }

    /// The grammar's top-level patterns, includes resolved, in order.
    private func rules() throws -> [Rule] {
        let grammar = try json("syntaxes/regula.tmLanguage.json")
        XCTAssertEqual(grammar["scopeName"] as? String, "source.regula")
        let repository = try XCTUnwrap(grammar["repository"] as? [String: [String: Any]])
        let patterns = try XCTUnwrap(grammar["patterns"] as? [[String: String]])
        return try patterns.map { pattern in
            let include = try XCTUnwrap(pattern["include"], "top-level patterns are includes")
            let key = String(include.dropFirst())
            let rule = try XCTUnwrap(repository[key], "include \(include) resolves")
            let match = try XCTUnwrap(rule["match"] as? String, "\(key) is a match rule")
            let regex = try NSRegularExpression(pattern: match)
            var captures: [Int: String] = [:]
            for (group, value) in rule["captures"] as? [String: [String: String]] ?? [:] {
                captures[try XCTUnwrap(Int(group))] = value["name"]
            }
            XCTAssertTrue(rule["name"] != nil || !captures.isEmpty, "\(key) gives a scope")
            for group in captures.keys { XCTAssertLessThanOrEqual(group, regex.numberOfCaptureGroups, key) }
            return Rule(key: key, regex: regex, name: rule["name"] as? String, captures: captures)
        }
    }

    private func tokenize(_ line: String, _ rules: [Rule]) -> [Token] {
        let ns = line as NSString
        var tokens: [Token] = []
        var position = 0
        while position < ns.length {
            let range = NSRange(location: position, length: ns.length - position)
            var best: (Rule, NSTextCheckingResult)?
            for rule in rules {
                guard let m = rule.regex.firstMatch(in: line, options: [.withTransparentBounds, .withoutAnchoringBounds], range: range),
                      m.range.length > 0 else { continue }
                if best == nil || m.range.location < best!.1.range.location { best = (rule, m) }
            }
            guard let (rule, m) = best else { break }
            if rule.captures.isEmpty {
                tokens.append(Token(text: ns.substring(with: m.range), scope: rule.name ?? ""))
            } else {
                for (group, scope) in rule.captures.sorted(by: { $0.key < $1.key }) where m.range(at: group).location != NSNotFound {
                    tokens.append(Token(text: ns.substring(with: m.range(at: group)), scope: scope))
                }
            }
            position = m.range.location + m.range.length
        }
        return tokens
    }

    func testManifestPointsAtItsFiles() throws {
        let manifest = try json("package.json")
        let contributes = try XCTUnwrap(manifest["contributes"] as? [String: Any])
        let language = try XCTUnwrap((contributes["languages"] as? [[String: Any]])?.first)
        XCTAssertEqual(language["id"] as? String, "regula")
        XCTAssertEqual(language["extensions"] as? [String], [".regula"])
        let configuration = try XCTUnwrap(language["configuration"] as? String)
        let languageConfiguration = try json(configuration)
        XCTAssertEqual((languageConfiguration["comments"] as? [String: String])?["lineComment"], "#")
        let grammar = try XCTUnwrap((contributes["grammars"] as? [[String: Any]])?.first)
        XCTAssertEqual(grammar["scopeName"] as? String, "source.regula")
        XCTAssertEqual(grammar["path"] as? String, "./syntaxes/regula.tmLanguage.json")
        let main = try XCTUnwrap(manifest["main"] as? String)
        let client = try String(contentsOf: Self.vscode.appendingPathComponent(main), encoding: .utf8)
        XCTAssertTrue(client.contains("vscode-languageclient/node") && client.contains("args: ['lsp']"), "the client starts `regula lsp`")
        XCTAssertNotNil((manifest["dependencies"] as? [String: String])?["vscode-languageclient"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: Self.vscode.appendingPathComponent("node_modules").path), "no node_modules committed")
    }

    func testTheKindRuleNamesEveryKindAndAlias() throws {
        let kind = try XCTUnwrap(try rules().first { $0.key == "kind" })
        let pattern = kind.regex.pattern
        let open = try XCTUnwrap(pattern.range(of: "(?:")), close = try XCTUnwrap(pattern.range(of: ")\\b"))
        let listed = Set(pattern[open.upperBound..<close.lowerBound].split(separator: "|").map(String.init))
        XCTAssertEqual(listed, Set(kindTable.flatMap { [$0.name] + $0.aliases }), "the grammar's kinds are `regula kinds`")
    }

    func testASpecFromSpecsIsScoped() throws {
        let rules = try rules()
        let text = try String(contentsOf: Self.root.appendingPathComponent("specs/resnet_stochastic_depth.regula"), encoding: .utf8)
        let lines = text.components(separatedBy: "\n")
        func tokens(_ line: String) throws -> [Token] {
            tokenize(try XCTUnwrap(lines.first { $0.hasPrefix(line) }, "no line starting \(line)"), rules)
        }
        XCTAssertEqual(tokenize(lines[0], rules), [Token(text: lines[0], scope: "comment.line.number-sign.regula")])
        XCTAssertEqual(try tokens("regula 1"), [Token(text: "regula", scope: "keyword.other.statement.regula"),
                                                Token(text: "1", scope: "constant.numeric.regula")])
        XCTAssertEqual(try tokens("block resblock").prefix(4), [
            Token(text: "block", scope: "keyword.other.block.regula"), Token(text: "resblock", scope: "entity.name.function.block.regula"),
            Token(text: "(", scope: "punctuation.regula"), Token(text: "filters", scope: "variable.other.definition.regula"),
        ])
        XCTAssertTrue(try tokens("block resblock").contains(Token(text: "1.0", scope: "constant.numeric.regula")))
        let conv = try tokens("    conv2d(filters: filters")
        XCTAssertEqual(conv.first, Token(text: "conv2d", scope: "support.type.kind.regula"))
        XCTAssertTrue(conv.contains(Token(text: "kernel", scope: "variable.other.property.regula")), "\(conv)")
        XCTAssertTrue(conv.contains(Token(text: "false", scope: "constant.language.regula")), "\(conv)")
        XCTAssertEqual(try tokens("  repeat 4 {").first, Token(text: "repeat", scope: "keyword.control.regula"))
        let use = try tokens("    resblock(filters: 16, survival")
        XCTAssertTrue(use.contains(Token(text: "0.5", scope: "constant.numeric.regula")) && use.contains(Token(text: "/", scope: "keyword.operator.regula")), "\(use)")
        XCTAssertEqual(try tokens("data {"), [Token(text: "data", scope: "keyword.other.statement.regula"), Token(text: "{", scope: "punctuation.regula"),
                                             Token(text: "dir", scope: "variable.other.property.regula"), Token(text: ":", scope: "punctuation.regula"),
                                             Token(text: "\"../data/mnist\"", scope: "string.quoted.double.regula"), Token(text: "}", scope: "punctuation.regula")])
        XCTAssertTrue(try tokens("  optimizer:").contains(Token(text: "0.0005", scope: "constant.numeric.regula")))
    }

    func testTheRestOfTheDSLSyntax() throws {
        let rules = try rules()
        let scopes = { (line: String) in Dictionary(self.tokenize(line, rules).map { ($0.text, $0.scope) }, uniquingKeysWith: { a, _ in a }) }
        let layer = scopes("  c1 = dense(1_000, l2: 5e-4, activation: relu) <- [a, b] expect [10]  # a \"note\"")
        XCTAssertEqual(layer["c1"], "variable.other.definition.regula")
        XCTAssertEqual(layer["1_000"], "constant.numeric.regula")
        XCTAssertEqual(layer["5e-4"], "constant.numeric.regula")
        XCTAssertEqual(layer["<-"], "keyword.operator.regula")
        XCTAssertEqual(layer["expect"], "keyword.control.regula")
        XCTAssertEqual(layer["# a \"note\""], "comment.line.number-sign.regula")
        let string = scopes(#"model "a \"quoted\" # not a comment""#)
        XCTAssertEqual(string[#""a \"quoted\" # not a comment""#], "string.quoted.double.regula")
        XCTAssertEqual(string["model"], "keyword.other.statement.regula")
        let repeatLine = scopes("  repeat n // 2 as i { dropout(max(0.1, i ** 2)) }")
        XCTAssertEqual(repeatLine["as"], "keyword.control.regula")
        XCTAssertEqual(repeatLine["//"], "keyword.operator.regula")
        XCTAssertEqual(repeatLine["**"], "keyword.operator.regula")
        XCTAssertEqual(repeatLine["max"], "support.function.builtin.regula")
        XCTAssertEqual(repeatLine["dropout"], "support.type.kind.regula")
        // A statement word used as a key or a layer name is not a statement.
        XCTAssertEqual(scopes("  data: 1")["data"], "variable.other.property.regula")
        XCTAssertEqual(scopes("  dense(input: 3)")["input"], "variable.other.property.regula")
    }

    /// Every `.regula` spec in specs/ tokenizes, and its comment lines are comments whole.
    func testEverySpecTokenizes() throws {
        let rules = try rules()
        let specs = try FileManager.default.contentsOfDirectory(atPath: Self.root.appendingPathComponent("specs").path).filter { $0.hasSuffix(".regula") }
        XCTAssertGreaterThan(specs.count, 10)
        for spec in specs {
            let text = try String(contentsOf: Self.root.appendingPathComponent("specs/" + spec), encoding: .utf8)
            for line in text.components(separatedBy: "\n") where line.trimmingCharacters(in: .whitespaces).hasPrefix("#") {
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                XCTAssertEqual(tokenize(line, rules), [Token(text: trimmed, scope: "comment.line.number-sign.regula")], spec)
            }
        }
    }
}
