import RuntimeIntrinsics

/// Input normalization applied per batch: `x ← (x/scale − mean)/std` (for uint8 images scale is 255,
/// e.g. torchvision `ToTensor()` then `Normalize(mean, std)`).
public struct Normalization: Sendable, Hashable {
    public var scale: Float
    public var mean: Float
    public var std: Float

    public init(scale: Float = 1, mean: Float = 0, std: Float = 1) {
        precondition(scale != 0 && std != 0, "normalization scale and std must be nonzero")
        self.scale = scale; self.mean = mean; self.std = std
    }

    public static let identity = Normalization()

    @inline(__always) public func apply(_ x: Float) -> Float { (x / scale - mean) / std }
}

/// Fills float batch buffers from a `Dataset`, one batch at a time, with per-epoch shuffling.
///
/// The order of epoch `e` is the Fisher–Yates permutation of the stream
/// `(seed, step: e, stream: RandomStream.shuffle)`, so it is a pure function of (seed, epoch):
/// `--resume` at an epoch boundary reproduces it, and thread count does not matter. uint8 inputs go
/// through a 256-entry table holding exactly `(v/scale − mean)/std` for every byte value, looked up
/// 16 bytes at a time from registers (`regula_lookup_bytes`), and no float dataset is ever materialized.
public final class BatchLoader {
    public let dataset: Dataset
    public let batchSize: Int
    public let shuffle: Bool
    public let seed: UInt64
    /// Drop the last incomplete batch (PyTorch `drop_last`); otherwise it is returned smaller.
    public let dropLast: Bool
    public let normalization: Normalization
    /// Applied to every example of a batch, in order, after normalization (training only).
    public let augmentations: [Augmentation]
    /// Mixes of the batch's examples and target rows (mixup, CutMix), in order, after the
    /// augmentations; only `fill(batch:inputs:targetRows:classes:)` applies them.
    public let mixes: [BatchMix]
    /// [C, H, W] of an example, which augmentations and CutMix need.
    public let imageShape: [Int]
    /// Gathers and augments a batch's examples in parallel on this pool (each example is its own
    /// copy and its draws are its own, so the result does not depend on it); nil: on the calling
    /// thread.
    public var pool: ThreadPool?
    public private(set) var epoch = 0
    /// Example order of the current epoch (relative to the dataset view).
    public private(set) var order: [Int32]
    /// `normalization.apply` of every byte value (stable storage: deferred batches point into it).
    private let table: UnsafeMutablePointer<Float>

    public init(dataset: Dataset, batchSize: Int, shuffle: Bool, seed: UInt64,
                normalization: Normalization = .identity, dropLast: Bool = false,
                augmentations: [Augmentation] = [], mixes: [BatchMix] = [], imageShape: [Int] = []) {
        precondition(batchSize > 0, "batch size must be positive, got \(batchSize)")
        precondition(augmentations.isEmpty || (imageShape.count == 3 && imageShape.reduce(1, *) == dataset.elementsPerExample),
                     "augmentation needs [C, H, W] examples, got \(imageShape)")
        precondition(augmentations.count <= Augmentation.slots, "at most \(Augmentation.slots) augmentations")
        precondition(mixes.count <= BatchMix.maxSlots, "at most \(BatchMix.maxSlots) batch mixes")
        precondition(!mixes.contains { if case .cutmix = $0.kind { return true }; return false } || imageShape.count == 3,
                     "CutMix needs [C, H, W] examples, got \(imageShape)")
        self.dataset = dataset; self.batchSize = batchSize; self.shuffle = shuffle; self.seed = seed
        self.dropLast = dropLast; self.normalization = normalization
        self.augmentations = augmentations; self.mixes = mixes; self.imageShape = imageShape
        self.table = .allocate(capacity: 256)
        for v in 0..<256 { table[v] = normalization.apply(Float(v)) }
        self.order = []
        startEpoch(0)
    }

    deinit { table.deallocate() }

    public var batchesPerEpoch: Int {
        dropLast ? dataset.count / batchSize : (dataset.count + batchSize - 1) / batchSize
    }

    /// Number of examples in batch `b` of an epoch.
    public func size(ofBatch b: Int) -> Int { min(batchSize, dataset.count - b * batchSize) }

    /// Sets the epoch and computes its order (identity when not shuffling).
    public func startEpoch(_ e: Int) {
        epoch = e
        if shuffle {
            order = RandomStream(seed: seed, step: UInt64(e), stream: RandomStream.shuffle).permutation(count: dataset.count)
        } else if order.count != dataset.count {
            order = (0..<Int32(dataset.count)).map { $0 }
        }
    }

    /// Writes batch `b` of the current epoch: `inputs` gets `size·elementsPerExample` normalized
    /// floats (example-major, in the stored layout), `labels` gets `size` class indices.
    /// Returns the batch size (the last batch may be smaller).
    @discardableResult
    public func fill(batch b: Int, inputs: UnsafeMutablePointer<Float>, labels: UnsafeMutablePointer<Int32>) -> Int {
        let slots = positions(ofBatch: b)
        order.withUnsafeBufferPointer { gather(UnsafeBufferPointer(rebasing: $0[slots]), inputs: inputs, labels: labels) }
        return slots.count
    }

    /// Where batch `b` of the epoch lies in `order`.
    private func positions(ofBatch b: Int) -> Range<Int> {
        precondition(b >= 0 && b < batchesPerEpoch, "batch \(b) out of range 0..<\(batchesPerEpoch)")
        return (b * batchSize)..<(b * batchSize + size(ofBatch: b))
    }

    /// The augmentations active in this epoch (their `epochs` limit not reached), with their slots.
    private var activeAugmentations: [(offset: Int, element: Augmentation)] {
        augmentations.enumerated().filter { $0.element.epochs.map { epoch < $0 } ?? true }
    }

    /// Writes batch `b` with float target rows: `targetRows` gets `size·classes` floats, the
    /// one-hot row of each class id (or the id itself, 0 or 1, when `classes` is 1: binary
    /// labels), then the mixes active in this epoch mix the examples and their rows. Until it is
    /// overwritten, `targetRows` holds the ids as int32, so it needs no second buffer.
    @discardableResult
    public func fill(batch b: Int, inputs: UnsafeMutablePointer<Float>, targetRows: UnsafeMutableRawPointer, classes: Int) -> Int {
        let n = fill(batch: b, inputs: inputs, labels: targetRows.assumingMemoryBound(to: Int32.self))
        OneHot.encodeInPlace(targetRows, count: n, classes: classes)
        let rows = targetRows.assumingMemoryBound(to: Float.self)
        let (c, h, w) = imageShape.count == 3 ? (imageShape[0], imageShape[1], imageShape[2]) : (1, 1, dataset.elementsPerExample)
        for (slot, mix) in mixes.enumerated() where mix.epochs.map({ epoch < $0 }) ?? true {
            let d = mix.draw(seed: seed, epoch: epoch, batch: b, slot: slot, n: n, height: h, width: w, stepsPerEpoch: batchesPerEpoch)
            mix.apply(d, inputs: inputs, targets: rows, n: n, channels: c, height: h, width: w, classes: classes)
        }
        return n
    }

    /// Writes the examples `indices` (relative to the dataset view) normalized into `inputs`.
    public func gather(_ indices: UnsafeBufferPointer<Int32>, inputs: UnsafeMutablePointer<Float>,
                       labels: UnsafeMutablePointer<Int32>) {
        gatherLabels(indices, into: labels)
        // Examples in parallel runs of 16 on `pool` (each is its own copy, so the thread count
        // cannot change a value): a serial gather left the second core idle for 8 % of an MLP step.
        let e = dataset.elementsPerExample, write = exampleWriter()
        inParallel((indices.count + 15) / 16) { r in
            for k in (r * 16)..<min(r * 16 + 16, indices.count) { write(Int(indices[k]), inputs + k * e) }
        }
        augment(indices, inputs: inputs)
    }

    /// Batch `b`'s labels now and its inputs later, for one reader that takes them a block of
    /// rows at a time (an evaluation batch's first dense layer, `Gemm.sgemm`'s `aRows`): uint8
    /// examples as their bytes and this loader's table, float ones written on request. Nil when
    /// an augmentation is active (it works on whole batches); use `fill` then. The source is
    /// valid while this loader is.
    public func fillDeferred(batch b: Int, labels: UnsafeMutablePointer<Int32>) -> (count: Int, rows: GemmRowSource)? {
        let slots = positions(ofBatch: b)
        guard activeAugmentations.isEmpty else { return nil }
        let n = slots.count, indices = Array(order[slots])
        indices.withUnsafeBufferPointer { gatherLabels($0, into: labels) }
        let e = dataset.elementsPerExample, first = dataset.range.lowerBound
        if case let .uint8(bytes, offset) = dataset.inputs {
            return (n, .bytes(table: UnsafePointer(table), row: { r in UnsafePointer(bytes.base + offset + (first + Int(indices[r])) * e) }))
        }
        let write = exampleWriter()
        return (n, .floats({ rows, into in
            for r in rows { write(Int(indices[r]), into + (r - rows.lowerBound) * e) }
        }))
    }

    private func gatherLabels(_ indices: UnsafeBufferPointer<Int32>, into labels: UnsafeMutablePointer<Int32>) {
        let first = dataset.range.lowerBound
        dataset.allLabels.withUnsafeBufferPointer { lab in
            for (k, i) in indices.enumerated() { labels[k] = lab[first + Int(i)] }
        }
    }

    /// Writes example `i` (relative to the dataset view), normalized, to `into`.
    private func exampleWriter() -> (_ i: Int, _ into: UnsafeMutablePointer<Float>) -> Void {
        let e = dataset.elementsPerExample, first = dataset.range.lowerBound
        switch dataset.inputs {
        case let .uint8(bytes, offset):
            let table = UnsafePointer(self.table)
            return { i, into in regula_lookup_bytes(bytes.base + offset + (first + i) * e, table, into, e) }
        case let .float(values):
            let nz = normalization
            return { i, into in
                values.withUnsafeBufferPointer { vb in
                    let src = vb.baseAddress.unsafelyUnwrapped + (first + i) * e
                    if nz == .identity {
                        into.update(from: src, count: e)
                    } else {
                        for j in 0..<e { into[j] = (src[j] / nz.scale - nz.mean) / nz.std }
                    }
                }
            }
        }
    }

    /// `body(0..<count)` on `pool` if there is one, else in order on this thread.
    private func inParallel(_ count: Int, _ body: (Int) -> Void) {
        if let pool { pool.parallelFor(count, body) } else { for i in 0..<count { body(i) } }
    }

    /// Applies the augmentations active in this epoch to the gathered examples.
    private func augment(_ indices: UnsafeBufferPointer<Int32>, inputs: UnsafeMutablePointer<Float>) {
        let active = activeAugmentations
        guard !active.isEmpty else { return }
        let e = dataset.elementsPerExample, first = dataset.range.lowerBound
        let random = RandomStream(seed: seed, step: UInt64(epoch), stream: RandomStream.augment)
        let (c, h, w) = (imageShape[0], imageShape[1], imageShape[2]), nz = normalization
        // Chunks of examples, each with its own scratch image.
        let chunk = 8, chunks = (indices.count + chunk - 1) / chunk
        let body = { (b: Int) in
            let scratch = UnsafeMutablePointer<Float>.allocate(capacity: e)
            defer { scratch.deallocate() }
            for k in (b * chunk)..<min((b + 1) * chunk, indices.count) {
                for (slot, a) in active {
                    a.apply(inputs + k * e, channels: c, height: h, width: w, normalization: nz,
                            random: random, index: first + Int(indices[k]), slot: slot, scratch: scratch)
                }
            }
        }
        inParallel(chunks, body)
    }
}
