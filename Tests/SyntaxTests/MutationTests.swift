import XCTest
import Diagnostics
import TestSupport
@testable import Syntax

/// Feeds thousands of deterministic corruptions of the good specs to the readers: none may
/// crash or hang, and every input that yields no spec must say why with an error at a line
/// that exists. A later stage (the checker) can be added by passing another `stage` to
/// `assertRobust`.
final class MutationTests: XCTestCase {
    /// Good specs: every file in specs/ (not specs/broken/) plus the test fixtures.
    static func corpus() -> [(name: String, text: String)] {
        let root = URL(fileURLWithPath: "\(#filePath)").deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let folder = root.appendingPathComponent("specs")
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [])
            .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".regula") }.sorted()
        var result = names.compactMap { n in
            (try? String(contentsOf: folder.appendingPathComponent(n), encoding: .utf8)).map { (n, $0) }
        }
        result += [("fixture.yaml", Fixtures.yaml), ("fixture.regula", Fixtures.dsl)]
        return result
    }

    /// Runs `stage` on `count` mutants of every corpus file and checks the rules above.
    /// `stage` returns whether it produced a result, and its diagnostics.
    static func assertRobust(total: Int = 2_400, maxSecondsPerInput: Double = 0.5,
                             stage: (SourceFile) -> (ok: Bool, diagnostics: [Diagnostic]),
                             file: StaticString = #filePath, line: UInt = #line) {
        let corpus = corpus()
        let perFile = max(50, total / corpus.count)
        var rng = SplitMix64(seed: 0x5EED)
        var failures = 0
        for (name, text) in corpus {
            for k in 0..<perFile {
                let bytes = mutate(Array(text.utf8), &rng)
                let (source, decodeErrors) = decodeSource(path: name, bytes: bytes)
                let start = Date()
                let (ok, diags) = stage(source)
                let elapsed = Date().timeIntervalSince(start)
                let all = decodeErrors + diags
                var problems: [String] = []
                if !ok && !all.contains(where: { $0.severity == .error }) { problems.append("no result and no error") }
                if let bad = all.first(where: { $0.range.start.line < 1 || $0.range.start.line > source.lines.count || $0.range.start.column < 1 }) {
                    problems.append("diagnostic outside the file: \(bad.range) \(bad.message)")
                }
                if elapsed > maxSecondsPerInput { problems.append("took \(elapsed) s") }
                if !problems.isEmpty {
                    failures += 1
                    if failures <= 5 {
                        XCTFail("\(name) mutant \(k): \(problems.joined(separator: "; "))\n\(String(decoding: bytes, as: UTF8.self))", file: file, line: line)
                    }
                }
            }
        }
        XCTAssertEqual(failures, 0, "mutants that broke a rule", file: file, line: line)
    }

    /// One random corruption: byte deletion, insertion of YAML/DSL punctuation or junk, a line
    /// swap, a truncation, a duplicated line, or invalid UTF-8.
    static func mutate(_ input: [UInt8], _ rng: inout SplitMix64) -> [UInt8] {
        var b = input
        let edits = 1 + Int(rng.next() % 3)
        for _ in 0..<edits {
            let at = b.isEmpty ? 0 : Int(rng.next() % UInt64(b.count))
            switch rng.next() % 7 {
            case 0: if !b.isEmpty { b.remove(at: at) }
            case 1:
                let inserts = Array(":[]{}-#\t\"'&*!|>%@`,?=()<".utf8)
                b.insert(inserts[Int(rng.next() % UInt64(inserts.count))], at: at)
            case 2:
                let junk = ["\n", "  ", "- ", ": ", "${", "99999999999999999999999", "1e999", "&a ", "*a", "\u{0}", "é", "\r", "repeat", "{{{{"]
                b.insert(contentsOf: Array(junk[Int(rng.next() % UInt64(junk.count))].utf8), at: at)
            case 3:
                var lines = b.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
                if lines.count > 1 {
                    let i = Int(rng.next() % UInt64(lines.count)), j = Int(rng.next() % UInt64(lines.count))
                    lines.swapAt(i, j)
                    b = Array(lines.joined(separator: [UInt8(ascii: "\n")]))
                }
            case 4: b = Array(b[..<at])
            case 5:
                var lines = b.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
                if !lines.isEmpty {
                    let i = Int(rng.next() % UInt64(lines.count))
                    lines.insert(lines[i], at: i)
                    b = Array(lines.joined(separator: [UInt8(ascii: "\n")]))
                }
            default:
                for _ in 0..<(1 + Int(rng.next() % 4)) { b.insert(UInt8(0x80 + rng.next() % 0x80), at: at) }
            }
        }
        return b
    }

    func testCorruptedSpecsNeverCrashAndAlwaysExplain() {
        let start = Date()
        Self.assertRobust { file in
            let (spec, diags) = parseSpec(file)
            return (spec != nil, diags)
        }
        XCTAssertLessThan(Date().timeIntervalSince(start), 30)
    }

    func testMutationsAreDeterministicAndVaried() {
        var a = SplitMix64(seed: 1), b = SplitMix64(seed: 1)
        let text = Array(Fixtures.yaml.utf8)
        let first = (0..<20).map { _ in Self.mutate(text, &a) }
        XCTAssertEqual(first, (0..<20).map { _ in Self.mutate(text, &b) })
        XCTAssertGreaterThan(Set(first).count, 15)
        XCTAssertFalse(first.contains(text))
    }
}
