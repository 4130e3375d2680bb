import Foundation

/// The binary format of CIFAR-10 and CIFAR-100 (Krizhevsky 2009,
/// https://www.cs.toronto.edu/~kriz/cifar.html): fixed-size records, each one label byte (CIFAR-10)
/// or a coarse and a fine label byte (CIFAR-100), then 3,072 pixel bytes: the 1,024 red values of
/// the 32×32 image row by row, then green, then blue (channels first). Files may be gzipped.
public enum CIFAR {
    public enum Variant: String, Sendable, Hashable {
        /// `data_batch_1.bin` … `data_batch_5.bin`, `test_batch.bin`; 10 classes.
        case cifar10
        /// `train.bin`, `test.bin`; the fine label (100 classes) is the one used.
        case cifar100

        var labelBytes: Int { self == .cifar10 ? 1 : 2 }
        var classes: Int { self == .cifar10 ? 10 : 100 }
        public var recordBytes: Int { labelBytes + CIFAR.imageBytes }

        /// The standard file names of a split in the extracted `cifar-10-batches-bin` or
        /// `cifar-100-binary` folder.
        public func files(test: Bool) -> [String] {
            switch self {
            case .cifar10: return test ? ["test_batch.bin"] : (1...5).map { "data_batch_\($0).bin" }
            case .cifar100: return [test ? "test.bin" : "train.bin"]
            }
        }
    }

    public static let imageShape = [3, 32, 32]
    static let imageBytes = 3 * 32 * 32
}

extension Dataset {
    /// Loads CIFAR records from `paths` (in order) into one dataset of `uint8` images `[3, 32, 32]`
    /// with their labels (the fine label of CIFAR-100). `path` names the first file in messages.
    public static func loadCIFAR(_ paths: [String], variant: CIFAR.Variant) throws -> Dataset {
        guard let first = paths.first else { throw DataError.missingFile(path: "(no CIFAR file given)") }
        let record = variant.recordBytes
        var files: [ByteBuffer] = []
        var total = 0
        for path in paths {
            let b = try Gzip.readMaybeCompressed(path)
            if b.count == 0 || b.count % record != 0 {
                throw DataError.corrupt(path: path, reason: "\(b.count) bytes is not a whole number of \(variant.rawValue) records "
                    + "of \(record) bytes (\(variant.labelBytes) label byte\(variant.labelBytes == 1 ? "" : "s") and 3,072 pixels)")
            }
            files.append(b)
            total += b.count / record
        }
        let images = ByteBuffer(capacity: total * CIFAR.imageBytes)
        var labels: [Int32] = []
        labels.reserveCapacity(total)
        for (path, b) in zip(paths, files) {
            for r in 0..<(b.count / record) {
                let p = b.base + r * record
                let label = Int(p[variant.labelBytes - 1])
                guard label < variant.classes else {
                    throw DataError.invalidLabel(path: path, index: r, value: "\(label) (\(variant.rawValue) has \(variant.classes) classes)")
                }
                labels.append(Int32(label))
                images.append(UnsafeBufferPointer(start: p + variant.labelBytes, count: CIFAR.imageBytes))
            }
        }
        return Dataset(inputs: .uint8(images, offset: 0), labels: labels, exampleShape: CIFAR.imageShape, source: first)
    }
}
