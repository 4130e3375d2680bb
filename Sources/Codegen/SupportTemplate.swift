/// `Support.swift` of a generated package: command-line options, storage, data lookup,
/// checkpoints, metrics and evaluation. Spec-independent except for `MODEL`.
enum SupportTemplate {
    static let text = #"""
import Foundation
import Runtime

/// A failure the user can act on (exit 1), or a usage mistake (exit 2).
struct RunError: Error {
    var message: String
    var usage = false
    init(_ message: String, usage: Bool = false) {
        self.message = message
        self.usage = usage
    }
}

/// The options of `regula train` that a generated trainer accepts.
struct Options {
    var data: String?
    var epochs: Int?
    var seed: UInt64?
    var threads: Int?
    var out: String?
    var limit: Int?
    var maxSteps: Int?
    var checkpoint: String?
    /// Print every step's loss (conformance tests compare them with the interpreter's).
    var logSteps = false

    static let usage = """
        options: --data DIR  --epochs N  --seed N  --threads N  --out DIR  --limit N  --steps N
                 --checkpoint FILE  --log-steps
        """

    static func parse(_ args: [String]) throws -> Options {
        var o = Options()
        var i = 0
        func value() throws -> String {
            i += 1
            guard i < args.count else { throw RunError("\(args[i - 1]) needs a value\n\(usage)", usage: true) }
            return args[i]
        }
        func number<T: LosslessStringConvertible>(_ s: String) throws -> T {
            guard let v = T(s) else { throw RunError("'\(s)' is not a valid number for \(args[i - 1])", usage: true) }
            return v
        }
        while i < args.count {
            switch args[i] {
            case "--data": o.data = try value()
            case "--epochs": o.epochs = try number(try value())
            case "--seed": o.seed = try number(try value())
            case "--threads": o.threads = try number(try value())
            case "--out": o.out = try value()
            case "--limit": o.limit = try number(try value())
            case "--steps": o.maxSteps = try number(try value())
            case "--checkpoint": o.checkpoint = try value()
            case "--log-steps": o.logSteps = true
            case "-h", "--help": print(usage); exit(0)
            default: throw RunError("unknown option '\(args[i])'\n\(usage)", usage: true)
            }
            i += 1
        }
        return o
    }
}

/// 64-byte aligned float storage (the runtime's SIMD kernels want aligned rows), zeroed.
final class Arena {
    let floats: UnsafeMutablePointer<Float>

    init(floats count: Int) {
        floats = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * 4, alignment: 64)
            .bindMemory(to: Float.self, capacity: max(count, 1))
        floats.initialize(repeating: 0, count: max(count, 1))
    }

    deinit { floats.deallocate() }

    /// Int32 view at a float offset (class ids share the arena).
    func int32(at offset: Int) -> UnsafeMutablePointer<Int32> {
        UnsafeMutableRawPointer(floats + offset).assumingMemoryBound(to: Int32.self)
    }
}

/// Max-pooling arg-max indices, kept from the forward pass for the backward pass.
final class IndexBuffer {
    let pointer: UnsafeMutablePointer<Int32>

    init(count: Int) {
        pointer = .allocate(capacity: count)
        pointer.initialize(repeating: 0, count: count)
    }

    deinit { pointer.deallocate() }
}

/// The spec's data, found by base name in `--data` (default `Recipe.dataDirectory`), as `regula train`.
struct TrainingData {
    var train: Dataset
    var validation: Dataset?
    var test: Dataset?

    static func load(_ options: Options) throws -> TrainingData {
        let dir = options.data ?? Recipe.dataDirectory
        func resolve(_ name: String) -> String {
            let p = dir + "/" + name, fm = FileManager.default
            if fm.fileExists(atPath: p) { return p }
            if fm.fileExists(atPath: p + ".gz") { return p + ".gz" }
            if p.hasSuffix(".gz"), fm.fileExists(atPath: String(p.dropLast(3))) { return String(p.dropLast(3)) }
            return p
        }
        func load(_ inputs: String, _ labels: String) throws -> Dataset {
            do {
                let d: Dataset
                switch Recipe.format {
                case "npy": d = try Dataset.loadNPY(inputs: resolve(inputs), labels: resolve(labels), expectedShape: Recipe.storedShape)
                case "csv": d = try Dataset.loadCSV(resolve(inputs), labels: labels.isEmpty ? nil : resolve(labels))
                default: d = try Dataset.loadIDX(images: resolve(inputs), labels: resolve(labels), expectedShape: Recipe.storedShape)
                }
                try d.checkExampleShape(Recipe.storedShape)
                if Recipe.classes > 0 { try d.checkLabels(classes: Recipe.classes) }
                return Recipe.channelsLast ? d.channelsFirst(storedShape: Recipe.storedShape) : d
            } catch {
                throw RunError("\(error) (the spec's input is \(Recipe.storedShape))")
            }
        }
        var train = try load(Recipe.trainInputs, Recipe.trainLabels)
        if let limit = options.limit ?? Recipe.limit { train = train.prefix(limit) }
        var validation: Dataset?
        if Recipe.validationSplit > 0 {
            let s = train.split(validationFraction: Recipe.validationSplit)
            train = s.train
            validation = s.validation.count > 0 ? s.validation : nil
        }
        var test: Dataset?
        if let i = Recipe.testInputs, let l = Recipe.testLabels { test = try load(i, l) }
        return TrainingData(train: train, validation: validation, test: test)
    }
}

/// Mean loss and accuracy over a dataset with the evaluation pass.
func evaluate(_ model: MODEL, _ data: Dataset, seed: UInt64) -> (loss: Double, accuracy: Double, count: Int) {
    let loader = BatchLoader(dataset: data, batchSize: Recipe.batchSize, shuffle: false, seed: seed,
                             normalization: Recipe.normalization)
    var lossSum = 0.0, correct = 0.0, seen = 0
    for b in 0..<loader.batchesPerEpoch {
        let n = loader.fill(batch: b, inputs: model.evalInput, labels: model.evalLabels)
        let r = model.evaluate(n: n)
        lossSum += Double(r.loss) * Double(n)
        correct += Double(r.accuracy) * Double(n)
        seen += n
    }
    return (lossSum / Double(max(seen, 1)), correct / Double(max(seen, 1)), seen)
}

/// `model.safetensors` (the PyTorch state_dict) and `train_state.safetensors`, written atomically.
enum Checkpoint {
    static func writeModel(_ state: [(name: String, tensor: Tensor, counter: Bool)], to path: String) throws {
        var tensors: [String: SafeTensor] = [:]
        for s in state {
            tensors[s.name] = s.counter ? SafeTensor(int64s: s.tensor.array.map { Int64($0) }, shape: s.tensor.shape)
                : SafeTensor(floats: s.tensor.array, shape: s.tensor.shape)
        }
        try SafeTensors.write(tensors, metadata: ["format": "pt"], to: path)
    }

    static func readModel(_ state: [(name: String, tensor: Tensor, counter: Bool)], from path: String) throws {
        let (tensors, _) = try SafeTensors.read(path)
        for s in state {
            guard let t = tensors[s.name], t.elementCount == s.tensor.count else {
                throw RunError("\(path) has no \(s.name) of \(s.tensor.count) values")
            }
            if let f = t.floats { for i in 0..<f.count { s.tensor.data[i] = f[i] } }
            else if let v = t.int64s { for i in 0..<v.count { s.tensor.data[i] = Float(v[i]) } }
        }
    }

    static func writeState(_ optimizer: [String: SafeTensor], step: Int, epoch: Int, seed: UInt64,
                           history: [[String: Double]], learningRate: Double, to path: String) throws {
        let json = (try? JSONSerialization.data(withJSONObject: history, options: [.sortedKeys]))
            .flatMap { String(data: $0, encoding: .utf8) } ?? "[]"
        let meta = ["step": String(step), "epoch": String(epoch), "seed": String(seed), "history": json, "lr": String(learningRate)]
        try SafeTensors.write(optimizer, metadata: meta, to: path)
    }
}

/// The epoch's line on standard output, as `regula train` prints it.
func epochLine(_ m: EpochMetrics, epochs: Int, seconds: Double) -> String {
    var s = "epoch \(m.epoch)/\(epochs): loss \(String(format: "%.4f", m.trainLoss)), accuracy \(String(format: "%.2f", m.trainAccuracy * 100))%"
    if let v = m.valLoss { s += ", val_loss \(String(format: "%.4f", v))" }
    if let v = m.valAccuracy { s += ", val_accuracy \(String(format: "%.2f", v * 100))%" }
    return s + ", lr \(m.lr), \(String(format: "%.1f", seconds)) s, \(Int(m.samplesPerSecond.rounded())) samples/s"
}
"""#
}
