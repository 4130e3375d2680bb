import Foundation
import Runtime

/// The spec's data, loaded and checked against its `input:` before training starts.
public struct TrainingData {
    public var train: Dataset
    public var validation: Dataset?
    public var test: Dataset?
    public var normalization: Normalization

    /// Standard MNIST file names, used when the spec names no files (the bundled `data/mnist`).
    static let mnist = (trainImages: "train-images-idx3-ubyte", trainLabels: "train-labels-idx1-ubyte",
                        testImages: "t10k-images-idx3-ubyte", testLabels: "t10k-labels-idx1-ubyte")

    /// Loads train (and test, when given) data; errors name the file and what is wrong with it.
    public static func load(_ cfg: DataRecipe, options: TrainOptions) throws -> TrainingData {
        // The files hold the layout the spec declares; the model runs channels first.
        let channelsLast = cfg.channelsLast && cfg.inputShape.count >= 2
        let expected = cfg.storedShape
        func path(_ given: String?, _ fallback: String) -> String? {
            let name = given ?? fallback
            if let dir = options.dataDirectory ?? cfg.directory {
                return resolve(dir + "/" + (name as NSString).lastPathComponent)
            }
            if given == nil { return resolve("data/mnist/" + fallback) }
            return resolve(name)
        }
        func load(_ inputs: String?, _ labels: String?, _ what: String) throws -> Dataset {
            guard let inputs, labels != nil || cfg.format.labelsInInputs else { throw TrainError.data("no \(what) files given in the spec's data section") }
            do {
                let d: Dataset
                switch cfg.format {
                case .idx: d = try Dataset.loadIDX(images: inputs, labels: labels ?? "", expectedShape: expected)
                case .npy: d = try Dataset.loadNPY(inputs: inputs, labels: labels ?? "", expectedShape: expected)
                case .csv: d = try Dataset.loadCSV(inputs, labels: labels)
                case .cifar10, .cifar100:
                    let variant: CIFAR.Variant = cfg.format == .cifar10 ? .cifar10 : .cifar100
                    d = try Dataset.loadCIFAR(cifarFiles(inputs, variant.files(test: what == "test")), variant: variant)
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
        if cfg.hasTest {
            test = try load(path(cfg.testInputs, mnist.testImages), path(cfg.testLabels, mnist.testLabels), "test")
            if let t = options.testLimit, let d = test { test = d.prefix(t) }
        }
        if let classes = cfg.classes {
            for d in [train, test].compactMap({ $0 }) {
                do { try d.checkLabels(classes: classes) } catch let e as DataError {
                    throw TrainError.data("\(e) (the model's labels are class ids in 0..<\(classes))")
                }
            }
        }
        if let vocabulary = cfg.tokenVocabulary {
            // Token ids: checked against the vocabulary and never normalized.
            for d in [train, test].compactMap({ $0 }) { try checkTokens(d, vocabulary: vocabulary) }
            return TrainingData(train: train, validation: validation, test: test, normalization: Normalization())
        }
        return TrainingData(train: train, validation: validation, test: test, normalization: cfg.normalization)
    }

    /// A CIFAR split's files: the standard names in the folder the spec names (or in `--data`,
    /// which may name that folder itself), else the one file given.
    static func cifarFiles(_ given: String, _ names: [String]) -> [String] {
        func isFolder(_ p: String) -> Bool {
            var folder: ObjCBool = false
            return FileManager.default.fileExists(atPath: p, isDirectory: &folder) && folder.boolValue
        }
        let parent = (given as NSString).deletingLastPathComponent
        for folder in [given, parent] where isFolder(folder) {
            let files = names.map { resolve(folder + "/" + $0) }
            if folder == given || FileManager.default.fileExists(atPath: files[0]) { return files }
        }
        return [given]
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
    public var bytes: Int {
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

extension TrainingData {
    /// Token ids must be whole numbers in 0..<vocabulary (checked up front, so a bad id is a data
    /// error, not a crash mid-training).
    static func checkTokens(_ d: Dataset, vocabulary: Int) throws {
        let per = d.elementsPerExample
        for i in d.range {
            for j in 0..<per {
                let x: Float
                switch d.inputs {
                case .float(let xs): x = xs[i * per + j]
                case .uint8(let b, let offset): x = Float(b.base[offset + i * per + j])
                }
                guard x >= 0, x < Float(vocabulary), x == x.rounded() else {
                    throw TrainError.data("\(d.source): example \(i - d.range.lowerBound) has token id \(x), outside 0..<\(vocabulary) (the model's embedding vocabulary)")
                }
            }
        }
    }
}
