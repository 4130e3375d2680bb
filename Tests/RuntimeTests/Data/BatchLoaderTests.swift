import Foundation
import XCTest
@testable import Runtime

final class BatchLoaderTests: XCTestCase {
    /// 10 examples of 3 bytes; example i holds (i, 2i, 255 − i); label = i.
    func tiny() -> Dataset {
        let bytes = ByteBuffer((0..<10).flatMap { [UInt8($0), UInt8(2 * $0), UInt8(255 - $0)] })
        return Dataset(inputs: .uint8(bytes, offset: 0), labels: (0..<10).map { Int32($0) }, exampleShape: [3])
    }

    func testNormalizationAndOrderWithoutShuffle() {
        let nz = Normalization(scale: 255, mean: 0.1307, std: 0.3081)
        let loader = BatchLoader(dataset: tiny(), batchSize: 4, shuffle: false, seed: 0, normalization: nz)
        XCTAssertEqual(loader.batchesPerEpoch, 3)
        var x = [Float](repeating: .nan, count: 12), y = [Int32](repeating: -1, count: 4)
        XCTAssertEqual(loader.fill(batch: 2, inputs: &x, labels: &y), 2)            // last batch is smaller
        XCTAssertEqual(Array(y[0..<2]), [8, 9])
        XCTAssertEqual(x[0], (8 / 255 - 0.1307) / 0.3081)
        XCTAssertEqual(x[5], (246 / 255 - 0.1307) / 0.3081)
        XCTAssertTrue(x[6].isNaN)                                                   // nothing written past the batch
        let drop = BatchLoader(dataset: tiny(), batchSize: 4, shuffle: false, seed: 0, dropLast: true)
        XCTAssertEqual(drop.batchesPerEpoch, 2)
    }

    /// Bytes become exactly `(v/scale − mean)/std` through the vector table lookup: all 256 values
    /// in every lane position, examples of 37 bytes (two vectors of 16 and a scalar tail).
    func testEveryByteValueIsNormalizedExactlyInEveryLane() {
        let e = 37, n = 300
        let values = (0..<(n * e)).map { UInt8(truncatingIfNeeded: $0 * 7 + $0 / 256) }
        let dataset = Dataset(inputs: .uint8(ByteBuffer(values), offset: 0), labels: [Int32](repeating: 0, count: n), exampleShape: [e])
        let nz = Normalization(scale: 255, mean: 0.1307, std: 0.3081)
        let loader = BatchLoader(dataset: dataset, batchSize: n, shuffle: false, seed: 0, normalization: nz)
        var x = [Float](repeating: .nan, count: n * e), y = [Int32](repeating: -1, count: n)
        XCTAssertEqual(loader.fill(batch: 0, inputs: &x, labels: &y), n)
        XCTAssertEqual(Set(values).count, 256)
        XCTAssertEqual((0..<(n * e)).first { x[$0].bitPattern != nz.apply(Float(values[$0])).bitPattern }, nil)
    }

    /// Runs of sixteen zero bytes take a shortcut in the lookup (one broadcast of the table's
    /// entry for 0); it must give that entry, which is not 0 when the mean is not, and leave
    /// the chunks around it exact: zero chunks at the start, middle and end of an example, and a
    /// chunk whose only nonzero byte is its first or its last.
    func testZeroRunsAreNormalizedExactly() {
        let e = 100, n = 7
        var values = [UInt8](repeating: 0, count: n * e)
        for x in 0..<n {
            for j in 40..<60 { values[x * e + j] = UInt8(truncatingIfNeeded: 3 * j + x) }
            values[x * e + 16 * (x % 6)] = 200                          // first byte of a chunk
            values[x * e + 16 * (x % 6) + 15] = 17                      // last byte of a chunk
        }
        values.replaceSubrange((3 * e)..<(4 * e), with: repeatElement(0, count: e))   // an all-zero example
        let dataset = Dataset(inputs: .uint8(ByteBuffer(values), offset: 0), labels: [Int32](repeating: 0, count: n), exampleShape: [e])
        for nz in [Normalization(scale: 255, mean: 0.1307, std: 0.3081), Normalization(scale: 255, mean: 0, std: 1)] {
            let loader = BatchLoader(dataset: dataset, batchSize: n, shuffle: false, seed: 0, normalization: nz)
            var x = [Float](repeating: .nan, count: n * e), y = [Int32](repeating: -1, count: n)
            loader.fill(batch: 0, inputs: &x, labels: &y)
            XCTAssertEqual((0..<(n * e)).first { x[$0].bitPattern != nz.apply(Float(values[$0])).bitPattern }, nil, "\(nz)")
        }
    }

    /// `fillDeferred` gives the labels at once, and its rows (uint8 examples: their bytes and
    /// the table) are written exactly as `fill` writes the batch (shuffled order, the last, smaller batch, blocks of any size); it declines
    /// while an augmentation is active.
    func testDeferredRowsEqualTheFilledBatch() throws {
        let e = 37, n = 50
        let values = (0..<(n * e)).map { UInt8(truncatingIfNeeded: $0 * 13 + $0 / 97) }
        let dataset = Dataset(inputs: .uint8(ByteBuffer(values), offset: 0), labels: (0..<n).map { Int32($0 % 10) }, exampleShape: [e])
        let nz = Normalization(scale: 255, mean: 0.5, std: 0.5)
        let loader = BatchLoader(dataset: dataset, batchSize: 16, shuffle: true, seed: 3, normalization: nz)
        loader.startEpoch(2)
        for b in 0..<loader.batchesPerEpoch {
            var x = [Float](repeating: .nan, count: 16 * e), y = [Int32](repeating: -1, count: 16)
            let size = loader.fill(batch: b, inputs: &x, labels: &y)
            var deferredLabels = [Int32](repeating: -1, count: 16)
            let (count, rows) = try XCTUnwrap(loader.fillDeferred(batch: b, labels: &deferredLabels))
            guard case .bytes = rows else { return XCTFail("uint8 examples are deferred as bytes") }
            XCTAssertEqual(count, size)
            XCTAssertEqual(Array(deferredLabels[0..<size]), Array(y[0..<size]))
            var written = [Float](repeating: .nan, count: 16 * e)
            for block in [0..<min(5, size), min(5, size)..<min(6, size), min(6, size)..<size] {
                written.withUnsafeMutableBufferPointer { rows.write(block, into: $0.baseAddress! + block.lowerBound * e, k: e) }
            }
            XCTAssertEqual((0..<(size * e)).first { written[$0].bitPattern != x[$0].bitPattern }, nil, "batch \(b)")
        }
        let augmented = BatchLoader(dataset: Dataset(inputs: .uint8(ByteBuffer(values), offset: 0), labels: (0..<n).map { _ in 0 },
                                                     exampleShape: [1, 1, e]),
                                    batchSize: 16, shuffle: false, seed: 0, augmentations: [Augmentation(.flip(horizontal: true, vertical: false, p: 0.5))],
                                    imageShape: [1, 1, e])
        var labels = [Int32](repeating: 0, count: 16)
        XCTAssertNil(augmented.fillDeferred(batch: 0, labels: &labels))
    }

    func testShuffleIsAPureFunctionOfSeedAndEpoch() {
        let a = BatchLoader(dataset: tiny(), batchSize: 3, shuffle: true, seed: 9)
        let b = BatchLoader(dataset: tiny(), batchSize: 3, shuffle: true, seed: 9)
        func epochLabels(_ l: BatchLoader, _ e: Int) -> [Int32] {
            l.startEpoch(e)
            var out: [Int32] = []
            var x = [Float](repeating: 0, count: 9), y = [Int32](repeating: 0, count: 3)
            for k in 0..<l.batchesPerEpoch {
                let n = l.fill(batch: k, inputs: &x, labels: &y)
                for j in 0..<n { XCTAssertEqual(x[j * 3], Float(y[j])) }          // inputs travel with labels
                out += y[0..<n]
            }
            return out
        }
        let e0 = epochLabels(a, 0), e1 = epochLabels(a, 1)
        XCTAssertEqual(e0.sorted(), (0..<10).map { Int32($0) })
        XCTAssertNotEqual(e0, e1)
        XCTAssertEqual(epochLabels(b, 1), e1)            // resume at epoch 1 reproduces the order
        XCTAssertEqual(epochLabels(b, 0), e0)
        XCTAssertEqual(e0, RandomStream(seed: 9, step: 0, stream: RandomStream.shuffle).permutation(count: 10))
    }

    func testSplitAndPrefixAreViews() {
        let d = tiny()
        let (train, val) = d.split(validationFraction: 0.2)
        XCTAssertEqual(train.count, 8); XCTAssertEqual(val.count, 2)
        XCTAssertEqual(Array(val.labels), [8, 9])
        let loader = BatchLoader(dataset: val, batchSize: 2, shuffle: false, seed: 0)
        var x = [Float](repeating: 0, count: 6), y = [Int32](repeating: 0, count: 2)
        loader.fill(batch: 0, inputs: &x, labels: &y)
        XCTAssertEqual(x, [8, 16, 247, 9, 18, 246])
        XCTAssertEqual(y, [8, 9])
        XCTAssertEqual(Array(d.prefix(3).labels), [0, 1, 2])
        let shuffled = BatchLoader(dataset: train, batchSize: 8, shuffle: true, seed: 1)
        var xs = [Float](repeating: 0, count: 24), ys = [Int32](repeating: 0, count: 8)
        shuffled.fill(batch: 0, inputs: &xs, labels: &ys)
        XCTAssertEqual(ys.sorted(), (0..<8).map { Int32($0) })      // never leaks validation examples
    }

    func testFloatInputs() {
        let d = Dataset(inputs: .float([0, 1, 2, 3, 4, 5]), labels: [1, 0, 1], exampleShape: [2])
        let l = BatchLoader(dataset: d, batchSize: 3, shuffle: false, seed: 0, normalization: Normalization(scale: 2, mean: 1, std: 0.5))
        var x = [Float](repeating: 0, count: 6), y = [Int32](repeating: 0, count: 3)
        l.fill(batch: 0, inputs: &x, labels: &y)
        XCTAssertEqual(x, [-2, -1, 0, 1, 2, 3])
    }

    /// On a pool the examples are gathered in parallel runs: every batch (a full one of 50 and the
    /// short last one) equals the serial gather bit for bit, for byte and float inputs.
    func testGatherOnAPoolEqualsTheSerialGather() {
        let codes: [Int] = (0..<450).map { ($0 * 37) % 256 }
        let bytes = ByteBuffer(codes.map { UInt8($0) })
        let floats: [Float] = codes.map { Float($0) * 0.25 - 3 }
        let nz = Normalization(scale: 255, mean: 0.1307, std: 0.3081)
        for inputs in [Dataset.Inputs.uint8(bytes, offset: 0), .float(floats)] {
            let d = Dataset(inputs: inputs, labels: (0..<90).map { Int32($0 % 10) }, exampleShape: [5])
            let serial = BatchLoader(dataset: d, batchSize: 50, shuffle: true, seed: 4, normalization: nz)
            let parallel = BatchLoader(dataset: d, batchSize: 50, shuffle: true, seed: 4, normalization: nz)
            parallel.pool = ThreadPool(threads: 2)
            for b in 0..<serial.batchesPerEpoch {
                var x1 = [Float](repeating: .nan, count: 250), x2 = x1
                var y1 = [Int32](repeating: -1, count: 50), y2 = y1
                XCTAssertEqual(serial.fill(batch: b, inputs: &x1, labels: &y1), parallel.fill(batch: b, inputs: &x2, labels: &y2))
                XCTAssertEqual(x1.map(\.bitPattern), x2.map(\.bitPattern))
                XCTAssertEqual(y1, y2)
            }
        }
    }

    /// Throughput figure on real MNIST (a measurement printed for the report, not a timing assertion).
    func testMNISTBatchThroughput() throws {
        let d = try Dataset.loadIDX(images: mnistFolder.appendingPathComponent("train-images-idx3-ubyte.gz").path,
                                    labels: mnistFolder.appendingPathComponent("train-labels-idx1-ubyte.gz").path)
        let l = BatchLoader(dataset: d, batchSize: 128, shuffle: true, seed: 3, normalization: Normalization(scale: 255, mean: 0.1307, std: 0.3081))
        var x = [Float](repeating: 0, count: 128 * 784), y = [Int32](repeating: 0, count: 128)
        let start = Date()
        l.startEpoch(1)
        for b in 0..<l.batchesPerEpoch { l.fill(batch: b, inputs: &x, labels: &y) }
        let s = Date().timeIntervalSince(start)
        print("batch loader: \(Int(60_000 / s)) samples/s (shuffle + uint8→float normalize, batch 128)")
        XCTAssertTrue(x.allSatisfy { $0.isFinite })
    }
}
