/// A labelled dataset held in memory in its stored element type.
///
/// MNIST-style images stay `uint8` (47 MB for the 60,000 training images instead of 188 MB as
/// float); the batch loader converts and normalizes one batch at a time. Splits and prefixes are
/// views over the same storage (no copies).
public struct Dataset: @unchecked Sendable {
    public enum Inputs {
        /// `bytes.base[offset + i·elements + j]` is element `j` of example `i`.
        case uint8(ByteBuffer, offset: Int)
        case float([Float])
    }

    public let inputs: Inputs
    /// Class index per example of the underlying storage (indexed like the inputs).
    public let allLabels: [Int32]
    /// Shape of one example (e.g. `[1, 28, 28]` or `[784]`).
    public let exampleShape: [Int]
    /// The examples of the storage this dataset covers.
    public let range: Range<Int>
    /// Where the data came from (used in messages).
    public let source: String
    /// Where the labels came from (the labels file; the inputs file when they share one).
    public let labelSource: String

    public var count: Int { range.count }
    public var elementsPerExample: Int { exampleShape.reduce(1, *) }
    public var labels: ArraySlice<Int32> { allLabels[range] }
    /// Number of classes implied by the labels (max + 1).
    public var classCount: Int { Int(labels.max() ?? -1) + 1 }

    public init(inputs: Inputs, labels: [Int32], exampleShape: [Int], source: String = "dataset", labelSource: String? = nil) {
        self.inputs = inputs
        self.allLabels = labels
        self.exampleShape = exampleShape
        self.range = 0..<labels.count
        self.source = source
        self.labelSource = labelSource ?? source
        let e = exampleShape.reduce(1, *)
        switch inputs {
        case let .uint8(b, offset):
            precondition(offset + labels.count * e <= b.count, "dataset storage is smaller than \(labels.count) examples of \(exampleShape)")
        case let .float(f):
            precondition(labels.count * e <= f.count, "dataset storage is smaller than \(labels.count) examples of \(exampleShape)")
        }
    }

    init(_ base: Dataset, range: Range<Int>) {
        inputs = base.inputs; allLabels = base.allLabels; exampleShape = base.exampleShape
        source = base.source; labelSource = base.labelSource; self.range = range
    }

    /// The first `n` examples (`limit` in the spec's data section).
    public func prefix(_ n: Int) -> Dataset {
        Dataset(self, range: range.lowerBound..<(range.lowerBound + min(max(n, 0), count)))
    }

    /// Holds out the last `fraction` of the examples for validation, before any shuffling
    /// (Keras `validation_split` semantics).
    public func split(validationFraction fraction: Double) -> (train: Dataset, validation: Dataset) {
        precondition(fraction >= 0 && fraction < 1, "validation fraction must be in [0, 1), got \(fraction)")
        let nVal = Int((Double(count) * fraction).rounded(.down))
        let cut = range.upperBound - nVal
        return (Dataset(self, range: range.lowerBound..<cut), Dataset(self, range: cut..<range.upperBound))
    }

    /// Checks one example's shape against `expected` (the spec's `input:` shape as stored): the
    /// same shape but for unit axes (`[28, 28]` is `[1, 28, 28]`). Rank-1 data (CSV rows) or a
    /// rank-1 input only need the same element count: that is flattening, whose order is defined.
    /// Equal counts with different shapes (`[28, 28, 3]` data for a `[3, 28, 28]` input) are
    /// refused: reading one as the other would scramble every example.
    public func checkExampleShape(_ expected: [Int]) throws {
        let squeeze = { (s: [Int]) in s.filter { $0 != 1 } }
        let flattening = expected.count <= 1 || exampleShape.count <= 1
        if expected.reduce(1, *) != elementsPerExample || (!flattening && squeeze(expected) != squeeze(exampleShape)) {
            throw DataError.shapeMismatch(path: source, expected: expected, found: exampleShape)
        }
    }

    /// Element `j` of example `i` (relative to this view) as stored, converted to Float (tests, tools).
    public func element(_ i: Int, _ j: Int) -> Float {
        let k = (range.lowerBound + i) * elementsPerExample + j
        switch inputs {
        case let .uint8(b, offset): return Float(b.base[offset + k])
        case let .float(f): return f[k]
        }
    }

    /// Validates that every label is a class index in `0 ..< classes` (when given) and non-negative.
    public func checkLabels(classes: Int? = nil) throws {
        for i in range {
            let l = allLabels[i]
            if l < 0 || (classes.map { Int(l) >= $0 } ?? false) {
                throw DataError.invalidLabel(path: labelSource, index: i, value: String(l))
            }
        }
    }
}
