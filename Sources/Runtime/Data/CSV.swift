/// Numeric CSV: one example per line, comma-separated numbers. The integer class labels are a
/// column of the inputs file (the last by default) or, when a labels file is given, that file's
/// only column. A first line that does not parse as numbers is taken as a header. Blank lines are
/// skipped.
extension Dataset {
    /// - Parameters:
    ///   - labels: a separate labels file (one class id per line); the inputs then have no label column.
    ///   - labelColumn: index of the label column; negative counts from the end (−1 = last).
    ///   - hasHeader: nil detects a header (a first line with a non-numeric field).
    ///   - expectedShape: the spec's input shape; each row must have its element count.
    public static func loadCSV(_ path: String, labels labelsPath: String? = nil, labelColumn: Int = -1, hasHeader: Bool? = nil,
                               expectedShape: [Int]? = nil) throws -> Dataset {
        if let labelsPath {
            let x = try loadCSVColumns(path, labelColumn: nil, hasHeader: hasHeader)
            let y = try loadCSVColumns(labelsPath, labelColumn: 0, hasHeader: hasHeader)
            guard y.width == 1 else {
                throw DataError.parse(path: labelsPath, line: 1, reason: "a labels file has one column, found \(y.width)")
            }
            guard y.labels.count == x.rows else {
                throw DataError.labelCountMismatch(inputs: path, labels: labelsPath, examples: x.rows, labelCount: y.labels.count)
            }
            let d = Dataset(inputs: .float(x.values), labels: y.labels, exampleShape: [x.width], source: path, labelSource: labelsPath)
            if let expectedShape { try d.checkExampleShape(expectedShape) }
            return d
        }
        let x = try loadCSVColumns(path, labelColumn: labelColumn, hasHeader: hasHeader)
        let d = Dataset(inputs: .float(x.values), labels: x.labels, exampleShape: [x.width - 1], source: path)
        if let expectedShape { try d.checkExampleShape(expectedShape) }
        return d
    }

    /// The rows of a numeric CSV file: values of every column but `labelColumn` (nil: all of
    /// them), and that column as class ids.
    static func loadCSVColumns(_ path: String, labelColumn: Int?, hasHeader: Bool?)
        throws -> (values: [Float], labels: [Int32], width: Int, rows: Int) {
        let b = try Gzip.readMaybeCompressed(path)
        let text = String(decoding: UnsafeBufferPointer(start: b.base, count: b.count), as: UTF8.self)
        var values: [Float] = []
        var labels: [Int32] = []
        var width: Int?
        var lineNumber = 0, rows = 0
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
            rows += 1
            let lc = labelColumn.map { $0 < 0 ? fields.count + $0 : $0 } ?? -1
            if let labelColumn, !(lc >= 0 && lc < fields.count) {
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
        return (values, labels, w, rows)
    }
}
