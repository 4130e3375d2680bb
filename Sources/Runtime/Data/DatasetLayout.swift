extension Dataset {
    /// The same examples with each one moved from channels-last `[d₁, …, dₖ, C]` (the stored
    /// layout, `input: {data_format: channels_last}`) to channels-first `[C, d₁, …, dₖ]`, the
    /// layout every kernel uses. The element type is kept; the result owns new storage.
    ///
    /// - Parameter storedShape: one example's shape as stored, channels last (its element count
    ///   must be `elementsPerExample`).
    public func channelsFirst(storedShape: [Int]) -> Dataset {
        precondition(storedShape.reduce(1, *) == elementsPerExample, "shape \(storedShape) does not fit \(exampleShape)")
        guard storedShape.count >= 2, let c = storedShape.last, c > 1 else {
            return Dataset(inputs: copy(), labels: Array(labels), exampleShape: shiftedChannels(storedShape),
                           source: source, labelSource: labelSource)
        }
        let e = elementsPerExample, plane = e / c
        // Element (p, ch) of a stored example (p the flat spatial index) goes to ch·plane + p.
        func permute<T>(_ read: (Int) -> T, _ write: (Int, T) -> Void) {
            for i in 0..<count {
                let base = i * e
                for p in 0..<plane {
                    for ch in 0..<c { write(base + ch * plane + p, read(base + p * c + ch)) }
                }
            }
        }
        let first = range.lowerBound * e
        let inputs: Inputs
        switch self.inputs {
        case let .uint8(bytes, offset):
            let out = ByteBuffer(capacity: count * e)
            out.count = count * e
            let src = bytes.base + offset + first
            permute({ src[$0] }, { out.base[$0] = $1 })
            inputs = .uint8(out, offset: 0)
        case let .float(values):
            var out = [Float](repeating: 0, count: count * e)
            values.withUnsafeBufferPointer { v in permute({ v[first + $0] }, { out[$0] = $1 }) }
            inputs = .float(out)
        }
        return Dataset(inputs: inputs, labels: Array(labels), exampleShape: shiftedChannels(storedShape),
                       source: source, labelSource: labelSource)
    }

    private func shiftedChannels(_ s: [Int]) -> [Int] {
        guard let c = s.last, s.count >= 2 else { return s }
        return [c] + s.dropLast()
    }

    /// This view's examples in storage of their own (for a layout that needs no permutation).
    private func copy() -> Inputs {
        let e = elementsPerExample, first = range.lowerBound * e
        switch inputs {
        case let .uint8(bytes, offset):
            let out = ByteBuffer(capacity: count * e)
            out.count = count * e
            out.base.update(from: bytes.base + offset + first, count: count * e)
            return .uint8(out, offset: 0)
        case let .float(values):
            return .float(Array(values[first..<(first + count * e)]))
        }
    }
}
