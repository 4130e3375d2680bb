import XCTest
@testable import Check

final class TrainingConfigTests: XCTestCase {
    func testTutorialMLPTrainingSections() throws {
        let (model, _) = try checkFile("specs/mnist_mlp.yaml")
        let t = try XCTUnwrap(model).training
        XCTAssertEqual(t.loss.kind, .crossEntropy)
        XCTAssertEqual(t.loss.labelSmoothing, 0.1)
        XCTAssertEqual(t.loss.smoothingVariant, .uniform)
        XCTAssertEqual(t.optimizer.kind, .adamw)
        XCTAssertEqual(t.optimizer.lr, 0.001)
        XCTAssertEqual(t.optimizer.weightDecay, 0.01)
        XCTAssertEqual(t.optimizer.decay, .decoupled)
        XCTAssertEqual(t.batchSize, 128)
        XCTAssertEqual(t.epochs, 3)
        XCTAssertEqual(t.data.format, .idx)
        // ../data/mnist resolved against the spec's folder.
        XCTAssertEqual(t.data.trainInputs, repoRoot + "/data/mnist/train-images-idx3-ubyte.gz")
        XCTAssertEqual(t.data.testLabels, repoRoot + "/data/mnist/t10k-labels-idx1-ubyte.gz")
        for path in [t.data.trainInputs, t.data.trainLabels, t.data.testInputs, t.data.testLabels] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: try XCTUnwrap(path)), path ?? "")
        }
    }

    func testTutorialCNNUsesCoupledSGDDecay() throws {
        let t = try XCTUnwrap(try checkFile("specs/mnist_cnn.yaml").model).training
        XCTAssertEqual(t.optimizer.kind, .sgd)
        XCTAssertEqual(t.optimizer.momentum, 0.9)
        XCTAssertEqual(t.optimizer.lr, 0.05)
        XCTAssertEqual(t.optimizer.weightDecay, 0.0005)
        XCTAssertEqual(t.optimizer.decay, .coupled)
        XCTAssertEqual(t.batchSize, 64)
    }

    /// Every augmentation argument reaches the configuration: each row is an item as written and
    /// what it must resolve to (defaults: flip horizontal with p 0.5, every epoch).
    func testEveryAugmentationArgumentReachesTheConfig() throws {
        let rows: [(String, AugmentConfig)] = [
            ("random_crop: 4", AugmentConfig(kind: .randomCrop(padding: 4), epochs: nil)),
            ("{random_crop: {padding: 3, epochs: 2}}", AugmentConfig(kind: .randomCrop(padding: 3), epochs: 2)),
            ("flip", AugmentConfig(kind: .flip(horizontal: true, vertical: false, p: 0.5), epochs: nil)),
            ("flip: vertical", AugmentConfig(kind: .flip(horizontal: false, vertical: true, p: 0.5), epochs: nil)),
            ("{flip: {mode: both, p: 0.25, epochs: 5}}", AugmentConfig(kind: .flip(horizontal: true, vertical: true, p: 0.25), epochs: 5)),
            ("cutout: 8", AugmentConfig(kind: .cutout(size: 8), epochs: nil)),
            ("{cutout: {size: 16, epochs: 1}}", AugmentConfig(kind: .cutout(size: 16), epochs: 1)),
            ("rotate: 15", AugmentConfig(kind: .rotate(degrees: 15), epochs: nil)),
            ("{rotate: {degrees: 36, epochs: 4}}", AugmentConfig(kind: .rotate(degrees: 36), epochs: 4)),
            ("translate: 0.1", AugmentConfig(kind: .translate(fraction: 0.1), epochs: nil)),
            ("{translate: {fraction: 0.2, epochs: 3}}", AugmentConfig(kind: .translate(fraction: 0.2), epochs: 3)),
            ("zoom: 0.1", AugmentConfig(kind: .zoom(fraction: 0.1), epochs: nil)),
            ("{zoom: {fraction: 0.3, epochs: 2}}", AugmentConfig(kind: .zoom(fraction: 0.3), epochs: 2)),
            ("{color_jitter: {brightness: 0.4, contrast: 0.3, saturation: 0.2, hue: 0.1, epochs: 2}}",
             AugmentConfig(kind: .colorJitter(brightness: 0.4, contrast: 0.3, saturation: 0.2, hue: 0.1), epochs: 2)),
            ("mixup: 0.2", AugmentConfig(kind: .mixup(alpha: 0.2, prob: 1), epochs: nil)),
            ("{mixup: {alpha: 0.4, prob: 0.5, epochs: 7}}", AugmentConfig(kind: .mixup(alpha: 0.4, prob: 0.5), epochs: 7)),
            ("cutmix", AugmentConfig(kind: .cutmix(alpha: 1, prob: 1), epochs: nil)),
            ("{cutmix: {alpha: 0.5, prob: 0.25, epochs: 3}}", AugmentConfig(kind: .cutmix(alpha: 0.5, prob: 0.25), epochs: 3)),
        ]
        for (item, want) in rows {
            let (model, d) = checkYAML(spec(input: "[3, 8, 8]", "- flatten\n- dense: 2", extra: "data:\n  dir: d\n  augment:\n    - \(item)\n"),
                                       file: "/tmp/specs/x.yaml")
            XCTAssertEqual(lines(d), [], item)
            XCTAssertEqual(try XCTUnwrap(model, item).training.data.augment, [want], item)
        }
        // Colour jitter wants RGB images.
        let (_, gray) = checkYAML(spec(input: "[1, 8, 8]", "- flatten\n- dense: 2", extra: "data:\n  dir: d\n  augment:\n    - color_jitter: {hue: 0.1}\n"),
                                  file: "/tmp/specs/x.yaml")
        XCTAssertEqual(gray.map(\.message), ["color_jitter needs RGB images [3, height, width]; the input has 1 channels"])
        // Mixup interpolates any real-valued input; CutMix, like the others, needs image planes;
        // token ids cannot be mixed.
        let flat = checkYAML(spec(input: "[64]", "- dense: 2", extra: "data:\n  dir: d\n  augment:\n    - mixup: 0.2\n"), file: "/tmp/specs/x.yaml")
        XCTAssertEqual(lines(flat.1), [])
        XCTAssertEqual(try XCTUnwrap(flat.0).training.data.augment.count, 1)
        let cut = checkYAML(spec(input: "[64]", "- dense: 2", extra: "data:\n  dir: d\n  augment:\n    - cutmix\n"), file: "/tmp/specs/x.yaml")
        XCTAssertEqual(cut.1.map(\.message), ["data augmentation needs image inputs [channels, height, width]; the input is [64]"])
        let tokens = checkYAML(spec(input: "{shape: [8], dtype: int32}", "- embedding: {vocab: 10, dim: 4}\n- flatten\n- dense: 2",
                                    extra: "data:\n  dir: d\n  augment:\n    - mixup: 0.2\n"), file: "/tmp/specs/x.yaml")
        XCTAssertEqual(tokens.1.map(\.message), ["mixup needs real-valued inputs; token ids cannot be interpolated"])
        // Every argument of every kind appears above.
        for k in augmentKinds {
            for a in k.args { XCTAssertTrue(rows.contains { $0.0.contains(k.name) && ($0.0.contains(a.name) || k.primary == a.name) }, "\(k.name).\(a.name)") }
        }
    }

    private func training(_ extra: String) throws -> TrainingConfig {
        let (model, d) = checkYAML(spec(input: "[4]", "- dense: 2", extra: extra), file: "/tmp/specs/x.yaml")
        XCTAssertEqual(lines(d), [])
        return try XCTUnwrap(model).training
    }

    func testEverySectionKey() throws {
        let t = try training("""
        loss: {kind: cross_entropy, label_smoothing: 0.2, smoothing_variant: off_target}
        train:
          optimizer: {kind: adam, lr: 0.01, betas: [0.8, 0.99], eps: 1e-6, weight_decay: 0.1, decay: decoupled}
          batch_size: 16
          epochs: 5
          seed: 42
          clip_grad_norm: 1.5
          schedule: {kind: one_cycle, max_lr: 0.1, pct_start: 0.25}
          early_stopping: {monitor: val_accuracy, patience: 3, min_delta: 0.001, restore_best: true}
        data:
          format: csv
          train: {inputs: train_x.csv, labels: ../labels/train_y.csv}
          test: {inputs: /abs/test_x.csv, labels: test_y.csv}
          validation_split: 0.1
          normalize: {scale: 1, mean: 0.1307, std: 0.3081}
          limit: 1000
        """)
        XCTAssertEqual(t.loss.smoothingVariant, .offTarget)
        XCTAssertEqual(t.loss.labelSmoothing, 0.2)
        XCTAssertEqual(t.optimizer.kind, .adam)
        XCTAssertEqual(t.optimizer.beta1, 0.8)
        XCTAssertEqual(t.optimizer.beta2, 0.99)
        XCTAssertEqual(t.optimizer.eps, 1e-6)
        XCTAssertEqual(t.optimizer.decay, .decoupled)
        XCTAssertEqual(t.seed, 42)
        XCTAssertEqual(t.clipGradNorm, 1.5)
        XCTAssertEqual(t.schedule, .oneCycle(maxLR: 0.1, pctStart: 0.25, divFactor: 25, finalDivFactor: 1e4, cycleMomentum: true))
        let e = try XCTUnwrap(t.earlyStopping)
        XCTAssertEqual(e.monitor, "val_accuracy")
        XCTAssertTrue(e.maximize)
        XCTAssertTrue(e.restoreBest)
        XCTAssertEqual(e.patience, 3)
        XCTAssertEqual(t.data.format, .csv)
        XCTAssertEqual(t.data.trainInputs, "/tmp/specs/train_x.csv")
        XCTAssertEqual(t.data.trainLabels, "/tmp/labels/train_y.csv")
        XCTAssertEqual(t.data.testInputs, "/abs/test_x.csv")
        XCTAssertEqual(t.data.validationSplit, 0.1)
        XCTAssertEqual(t.data.mean, 0.1307)
        XCTAssertEqual(t.data.std, 0.3081)
        XCTAssertEqual(t.data.scale, 1)
        XCTAssertEqual(t.data.limit, 1000)
    }

    func testSchedules() throws {
        XCTAssertEqual(try training("train: {schedule: {kind: step, step_size: 30}}\n").schedule, .step(stepSize: 30, gamma: 0.1))
        XCTAssertEqual(try training("train: {schedule: {kind: multistep, milestones: [3, 6], gamma: 0.5}}\n").schedule,
                       .multiStep(milestones: [3, 6], gamma: 0.5))
        XCTAssertEqual(try training("train: {schedule: {kind: cosine, warmup_steps: 10, min_lr: 0.0001}}\n").schedule,
                       .cosine(warmupSteps: 10, warmupStartFactor: 1.0 / 3, minLR: 0.0001))
        XCTAssertEqual(try training("train: {schedule: {kind: plateau, patience: 2}}\ndata: {dir: d, validation_split: 0.2}\n").schedule,
                       .reduceOnPlateau(monitor: "val_loss", factor: 0.1, patience: 2, threshold: 1e-4, cooldown: 0, minLR: 0))
        XCTAssertEqual(try training("train: {schedule: {kind: exponential, gamma: 0.9}}\n").schedule, .exponential(gamma: 0.9))
    }

    func testRMSpropAndLionDefaultsPerConvention() throws {
        let torch = try training("train: {optimizer: rmsprop}\n").optimizer
        XCTAssertEqual([torch.lr, torch.alpha, torch.eps], [0.01, 0.99, 1e-8])
        XCTAssertEqual(torch.decay, .coupled)
        let keras = try training("train: {optimizer: {kind: rmsprop, convention: keras, momentum: 0.5}}\n").optimizer
        XCTAssertEqual([keras.lr, keras.alpha, keras.eps, keras.momentum], [0.001, 0.9, 1e-7, 0.5])
        XCTAssertEqual(keras.decay, .decoupled)
        let lion = try training("train: {optimizer: {kind: lion, weight_decay: 0.1}}\n").optimizer
        XCTAssertEqual([lion.lr, lion.beta1, lion.beta2, lion.weightDecay], [1e-4, 0.9, 0.99, 0.1])
        XCTAssertEqual(lion.decay, .decoupled)
        // A key the chosen optimizer would ignore is refused at the key.
        let (_, d) = checkYAML(spec(input: "[4]", "- dense: 2", extra: "train: {optimizer: {kind: adam, momentum: 0.9}}\n"))
        XCTAssertEqual(lines(d), ["5:33: error: 'momentum' does nothing for optimizer 'adam'; it applies to sgd, rmsprop"])
    }

    func testPyTorchDefaults() throws {
        let sgd = try training("train: {optimizer: sgd}\n").optimizer
        XCTAssertEqual(sgd.decay, .coupled)
        XCTAssertEqual(sgd.weightDecay, 0)
        XCTAssertEqual(sgd.lr, 0.001)
        let adam = try training("train: {optimizer: {kind: adam}}\n").optimizer
        XCTAssertEqual(adam.decay, .coupled)
        XCTAssertEqual(adam.beta2, 0.999)
        XCTAssertEqual(try training("").batchSize, 32)
    }

    func testBadValuesAreDiagnosedAtTheValue() {
        let (_, d) = checkYAML(spec(input: "[4]", "- dense: 2", extra: """
        train:
          optimizer: {kind: sgd, nesterov: true, betas: [0.9]}
          epochs: 1.5
          schedule: {kind: step}
          early_stopping: {monitor: val_los}
        """))
        XCTAssertEqual(lines(d), [
            "6:26: error: nesterov momentum needs a positive momentum and zero dampening",
            "6:42: error: 'betas' does nothing for optimizer 'sgd'; it applies to adam, adamw, lion",
            "6:49: error: 'train.optimizer.betas' must be a list of two numbers",
            "7:11: error: 'train.epochs' must be an integer",
            "8:13: error: missing key 'step_size' in 'train.schedule'",
            "9:29: error: unknown train.early_stopping.monitor 'val_los'; did you mean 'val_loss'?",
        ])
    }
}

final class PathAndMemoryTests: XCTestCase {
    func testDataPathsResolveAgainstTheSpecFolder() {
        XCTAssertEqual(resolvePath("../data/mnist/a.gz", specFile: "specs/mnist_mlp.yaml"), "data/mnist/a.gz")
        XCTAssertEqual(resolvePath("../../x", specFile: "specs/mnist_mlp.yaml"), "../x")
        XCTAssertEqual(resolvePath("./d/x", specFile: "mnist.yaml"), "d/x")
        XCTAssertEqual(resolvePath("x", specFile: "/a/b/spec.yaml"), "/a/b/x")
        XCTAssertEqual(resolvePath("../../../x", specFile: "/a/spec.yaml"), "/x")
        XCTAssertEqual(resolvePath("/abs/x", specFile: "specs/s.yaml"), "/abs/x")
    }

    func testMemoryIsReadFromTheMachineAndFormatted() throws {
        let bytes = try XCTUnwrap(physicalMemory())
        XCTAssertGreaterThan(bytes, 1 << 26)
        XCTAssertEqual(formatBytes(512), "512 bytes")
        XCTAssertEqual(formatBytes(1536), "1.5 KB")
        XCTAssertEqual(formatBytes(3 << 30), "3.0 GB")
        XCTAssertEqual(formatBytes(300 << 20), "300 MB")
    }

    func testMemoryLintCountsValueGradientAndTwoMoments() {
        // 10·784 + 10 trainable floats × 16 bytes = 125,600 bytes.
        let text = spec(input: "[784]", "- dense: 10")
        XCTAssertEqual(lines(checkYAML(text, options: CheckOptions(physicalMemory: 125_600)).diagnostics), [])
        XCTAssertEqual(lines(checkYAML(text, options: CheckOptions(physicalMemory: 125_599)).diagnostics),
                       ["1:1: warning: parameters need 123 KB for training but the machine has 123 KB"])
        XCTAssertEqual(lines(checkYAML(text, options: CheckOptions(physicalMemory: nil)).diagnostics), [])
    }
}
