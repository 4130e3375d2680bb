/// `"; did you mean 'layers'?"` when one candidate is close to `word`, else `""`.
///
/// Close means a Levenshtein distance of at most a third of the word's length (at least 1),
/// the rule most compilers use for typo corrections.
func suggestion(for word: String, among candidates: some Sequence<String>) -> String {
    guard let best = closest(to: word, among: candidates) else { return "" }
    return "; did you mean '\(best)'?"
}

/// The candidate closest to `word`, if one is close enough to be a likely typo.
public func closest(to word: String, among candidates: some Sequence<String>) -> String? {
    let limit = max(1, word.count / 3)
    var best: (String, Int)?
    for c in candidates.sorted() {
        let d = editDistance(word.lowercased(), c.lowercased(), limit: limit)
        if d <= limit, d < (best?.1 ?? Int.max) { best = (c, d) }
    }
    return best?.0
}

/// Optimal string alignment distance (Levenshtein plus transposition of neighbours, so
/// `modle` is one edit from `model`), stopping early once it exceeds `limit`.
func editDistance(_ a: String, _ b: String, limit: Int) -> Int {
    let x = Array(a.unicodeScalars), y = Array(b.unicodeScalars)
    if abs(x.count - y.count) > limit { return limit + 1 }
    if x.isEmpty || y.isEmpty { return max(x.count, y.count) }
    var before = [Int](repeating: 0, count: y.count + 1)
    var previous = Array(0...y.count)
    var row = previous
    for i in 1...x.count {
        row[0] = i
        var rowMin = i
        for j in 1...y.count {
            let cost = x[i - 1] == y[j - 1] ? 0 : 1
            var d = min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + cost)
            if i > 1, j > 1, x[i - 1] == y[j - 2], x[i - 2] == y[j - 1] { d = min(d, before[j - 2] + 1) }
            row[j] = d
            rowMin = min(rowMin, d)
        }
        if rowMin > limit { return limit + 1 }
        (before, previous, row) = (previous, row, before)
    }
    return previous[y.count]
}
