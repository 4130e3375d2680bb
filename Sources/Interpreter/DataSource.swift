import Check
import Foundation
import Runtime

extension Augmentation {
    /// The runtime form of a checked `data.augment` item.
    init(_ c: AugmentConfig) {
        switch c.kind {
        case .randomCrop(let p): self.init(.randomCrop(padding: p), epochs: c.epochs)
        case .flip(let h, let v, let p): self.init(.flip(horizontal: h, vertical: v, p: Float(p)), epochs: c.epochs)
        case .cutout(let s): self.init(.cutout(size: s), epochs: c.epochs)
        }
    }
}

/// The spec's data, loaded and checked against its `input:` before training starts.
struct DataSource {
    var train: Dataset
    var validation: Dataset?
    var test: Dataset?
    var normalization: Normalization

    /// Standard MNIST file names, used when the spec names no files (the bundled `data/mnist`).
    static let mnist = (trainImages: "train-images-idx3-ubyte", trainLabels: "train-labels-idx1-ubyte",
                        testImages: "t10k-images-idx3-ubyte", testLabels: "t10k-labels-idx1-ubyte")

    /// Loads train (and test, when given) data; errors name the file and what is wrong with it.
    static func load(_ model: CheckedModel, options: TrainOptions) throws -> DataSource {
        let cfg = model.training.data
        let channelsFirst = model.input.shape.compactMap(\.value)
        guard channelsFirst.count == model.input.shape.count else {
            throw TrainError.data("the model input \(model.input.shape) has symbolic dimensions; only fixed shapes can be trained")
        }
        // The files hold the layout the spec declares; the model runs channels first.
        let channelsLast = model.input.channelsLast && channelsFirst.count >= 2
        let expected = channelsLast ? Array(channelsFirst.dropFirst()) + [channelsFirst[0]] : channelsFirst
        func path(_ given: String?, _ fallback: String) -> String? {
            let name = given ?? fallback
            if let dir = options.dataDirectory {
                return resolve(dir + "/" + (name as NSString).lastPathComponent)
            }
            if given == nil { return resolve("data/mnist/" + fallback) }
            return resolve(name)
        }
        func load(_ inputs: String?, _ labels: String?, _ what: String) throws -> Dataset {
            guard let inputs, labels != nil || cfg.format == .csv else { throw TrainError.data("no \(what) files given in the spec's data section") }
            do {
                let d: Dataset
                switch cfg.format {
                case .idx: d = try Dataset.loadIDX(images: inputs, labels: labels ?? "", expectedShape: expected)
                case .npy: d = try Dataset.loadNPY(inputs: inputs, labels: labels ?? "", expectedShape: expected)
                case .csv: d = try Dataset.loadCSV(inputs, labels: labels)
                }
                try d.checkExampleShape(expected)
                if d.count == 0 { throw TrainError.data("\(inputs): the \(what) set is empty") }
                return channelsLast ? d.channelsFirst(storedShape: expected) : d
            } catch let e as DataError {
                throw TrainError.data("\(e) (the spec's input is \(expected)\(channelsLast ? ", channels last" : ""))")
            }
        }
        var train = try load(path(cfg.trainInputs, mnist.trainImages), path(cfg.trainLabels, mnist.trainLabels), "training")
        if let limit = options.limit ?? cfg.limit { train = train.prefix(limit) }
        var validation: Dataset?
        if cfg.validationSplit > 0 {
            let s = train.split(validationFraction: cfg.validationSplit)
            train = s.train
            validation = s.validation.count > 0 ? s.validation : nil
        }
        var test: Dataset?
        if cfg.testInputs != nil || cfg.trainInputs == nil {
            test = try load(path(cfg.testInputs, mnist.testImages), path(cfg.testLabels, mnist.testLabels), "test")
            if let t = options.testLimit, let d = test { test = d.prefix(t) }
        }
        if let classes = model.labelClasses {
            for d in [train, test].compactMap({ $0 }) {
                do { try d.checkLabels(classes: classes) } catch let e as DataError {
                    throw TrainError.data("\(e) (the model's labels are class ids in 0..<\(classes))")
                }
            }
        }
        if model.input.dtype == .int32 {
            // Token ids: checked against the vocabulary and never normalized.
            for d in [train, test].compactMap({ $0 }) { try checkTokens(d, model) }
            return DataSource(train: train, validation: validation, test: test, normalization: Normalization())
        }
        return DataSource(train: train, validation: validation, test: test,
                          normalization: Normalization(scale: Float(cfg.scale), mean: Float(cfg.mean), std: Float(cfg.std)))
    }

    /// The file, or its `.gz` twin when only that exists.
    static func resolve(_ p: String) -> String {
        let fm = FileManager.default
        if fm.fileExists(atPath: p) { return p }
        if fm.fileExists(atPath: p + ".gz") { return p + ".gz" }
        if p.hasSuffix(".gz"), fm.fileExists(atPath: String(p.dropLast(3))) { return String(p.dropLast(3)) }
        return p
    }

    /// Bytes the datasets hold in memory.
    var bytes: Int {
        func size(_ d: Dataset?) -> Int {
            guard let d else { return 0 }
            switch d.inputs {
            case .uint8(let b, _): return b.count
            case .float(let f): return f.count * 4
            }
        }
        return size(train) + size(test)
    }
}
