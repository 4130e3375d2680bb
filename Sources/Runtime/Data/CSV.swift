/// Numeric CSV: one example per line, comma-separated numbers, one column holding the integer class
/// label. A first line that does not parse as numbers is taken as a header. Blank lines are skipped.
extension Dataset {
    /// - Parameters:
    ///   - labelColumn: index of the label column; negative counts from the end (−1 = last).
    ///   - hasHeader: nil detects a header (a first line with a non-numeric field).
    ///   - expectedShape: the spec's input shape; each row must have its element count.
    public static func loadCSV(_ path: String, labelColumn: Int = -1, hasHeader: Bool? = nil,
                               expectedShape: [Int]? = nil) throws -> Dataset {
        let b = try Gzip.readMaybeCompressed(path)
        let text = String(decoding: UnsafeBufferPointer(start: b.base, count: b.count), as: UTF8.self)
        var values: [Float] = []
        var labels: [Int32] = []
        var width: Int?
        var lineNumber = 0
        for line in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            lineNumber += 1
            let row = line
            if row.allSatisfy({ $0 == " " || $0 == "\t" }) { continue }
            let fields = row.split(separator: ",", omittingEmptySubsequences: false)
            let numbers = fields.map { Float($0.trimmingSpaces) }
            if lineNumber == 1 && (hasHeader ?? numbers.contains(where: { $0 == nil })) { continue }
            if let w = width, fields.count != w {
                throw DataError.parse(path: path, line: lineNumber, reason: "\(fields.count) fields, expected \(w) as in the first row")
            }
            width = fields.count
            let lc = labelColumn < 0 ? fields.count + labelColumn : labelColumn
            guard lc >= 0 && lc < fields.count else {
                throw DataError.parse(path: path, line: lineNumber, reason: "label column \(labelColumn) does not exist in \(fields.count) fields")
            }
            for (k, v) in numbers.enumerated() {
                guard let v else {
                    throw DataError.parse(path: path, line: lineNumber, reason: "field \(k + 1) is not a number: '\(fields[k])'")
                }
                if k == lc {
                    guard v >= 0, v == v.rounded(), v <= 1e9 else {
                        throw DataError.invalidLabel(path: path, index: labels.count, value: String(fields[k]))
                    }
                    labels.append(Int32(v))
                } else {
                    values.append(v)
                }
            }
        }
        guard let w = width else { throw DataError.corrupt(path: path, reason: "CSV file has no data rows") }
        let d = Dataset(inputs: .float(values), labels: labels, exampleShape: [w - 1], source: path)
        if let expectedShape { try d.checkExampleShape(expectedShape) }
        return d
    }
}
