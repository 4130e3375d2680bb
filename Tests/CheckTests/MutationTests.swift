import XCTest
import Diagnostics
import TestSupport
@testable import Check

/// Feeds thousands of corrupted versions of the good specs to the parser and checker: none may
/// crash or hang, and a model comes back exactly when no error was reported.
final class MutationTests: XCTestCase {
    static let replacements = ["0", "-1", "1e308", "99999999999999999999", "2147483648", "0.5", "1.5", "abc", "[]", "{}",
                               "${i}", "${1/0}", "${2 ** 62}", "null", "true", "[1, 2, 3]", "none", "input", "same",
                               "dense", "residual", "repeat", "'${'", "-", ":", "[", "&a", "*a"]

    static func mutate(_ text: String, _ rng: inout SplitMix64) -> String {
        var lines = text.components(separatedBy: "\n")
        guard lines.count > 2 else { return text }
        let k = rng.below(lines.count)
        switch rng.below(6) {
        case 0:
            // Replace one token of a line.
            var words = lines[k].split(separator: " ", omittingEmptySubsequences: false).map(String.init)
            if !words.isEmpty {
                let w = rng.below(words.count)
                words[w] = replacements[rng.below(replacements.count)] + (words[w].hasSuffix(",") ? "," : "")
                lines[k] = words.joined(separator: " ")
            }
        case 1: lines.remove(at: k)
        case 2: lines.insert(lines[k], at: k)
        case 3: lines.swapAt(k, rng.below(lines.count))
        case 4:
            // Replace every digit run on a line with another number.
            let digits = ["0", "1", "3", "7", "100000", "4096"]
            var out = "", inNumber = false
            for c in lines[k] {
                if c.isNumber { if !inNumber { out += digits[rng.below(digits.count)] }; inNumber = true } else { out.append(c); inNumber = false }
            }
            lines[k] = out
        default:
            // Insert a character.
            var chars = Array(lines[k])
            let alphabet = Array("{}[],:#-&*!|>'\" \tx9")
            chars.insert(alphabet[rng.below(alphabet.count)], at: rng.below(chars.count + 1))
            lines[k] = String(chars)
        }
        return lines.joined(separator: "\n")
    }

    func testCorruptedSpecsNeverCrashAndModelsComeExactlyWithoutErrors() throws {
        let dir = repoRoot + "/specs"
        let files = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".yaml") }.sorted()
        var rng = SplitMix64(seed: 2026)
        var runs = 0, withErrors = 0
        for f in files {
            let original = try String(contentsOfFile: dir + "/" + f, encoding: .utf8)
            for _ in 0..<120 {
                var text = original
                for _ in 0...rng.below(3) { text = Self.mutate(text, &rng) }
                let (model, d) = checkYAML(text, file: dir + "/" + f)
                let hasErrors = d.contains { $0.severity == .error }
                XCTAssertEqual(model == nil, hasErrors, "\(f) mutated to:\n\(text)\n\(lines(d))")
                if hasErrors { withErrors += 1 }
                runs += 1
            }
        }
        XCTAssertGreaterThan(withErrors, runs / 4)
    }
}
