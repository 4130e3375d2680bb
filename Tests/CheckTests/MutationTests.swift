import XCTest
import Diagnostics
@testable import Check

/// Feeds thousands of corrupted versions of the good specs to the parser and checker: none may
/// crash or hang, and a model comes back exactly when no error was reported.
final class MutationTests: XCTestCase {
    /// A small deterministic generator (SplitMix64), so failures reproduce.
    struct Rng {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(n, 1))) }
    }

    static let replacements = ["0", "-1", "1e308", "99999999999999999999", "2147483648", "0.5", "1.5", "abc", "[]", "{}",
                               "${i}", "${1/0}", "${2 ** 62}", "null", "true", "[1, 2, 3]", "none", "input", "same",
                               "dense", "residual", "repeat", "'${'", "-", ":", "[", "&a", "*a"]

    static func mutate(_ text: String, _ rng: inout Rng) -> String {
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
        var rng = Rng(state: 2026)
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
