import Check
import Foundation
import IR

/// How `regula compile` writes the generated package's dependency on Regula's runtime.
public struct CompileOptions: Sendable {
    /// A local Regula checkout: the generated package depends on it by path (`--runtime-path`).
    public var runtimePath: String?
    /// Otherwise the Regula package URL and the release tag to depend on (pinned by `revision:`,
    /// because SwiftPM refuses version-range dependencies whose targets use unsafe flags).
    public var runtimeURL: String
    public var runtimeVersion: String
    /// Emit the inference graph only (batchnorm folded, dropout removed) and an evaluating main.
    public var inference: Bool
    /// The folder the generated program reads its data from when `--data` is not given
    /// (nil: `data/mnist`, relative to where it runs).
    public var dataDirectory: String?

    public static let defaultRuntimeURL = "https://github.com/regula-lang/regula.git"
    public static let defaultRuntimeVersion = "0.1.0"

    public init(runtimePath: String? = nil, runtimeURL: String = CompileOptions.defaultRuntimeURL,
                runtimeVersion: String = CompileOptions.defaultRuntimeVersion, inference: Bool = false,
                dataDirectory: String? = nil) {
        self.runtimePath = runtimePath
        self.runtimeURL = runtimeURL
        self.runtimeVersion = runtimeVersion
        self.inference = inference
        self.dataDirectory = dataDirectory
    }
}

/// A generated Swift package: relative path → file contents.
public struct GeneratedPackage: Equatable, Sendable {
    public var files: [String: String]

    /// Writes every file under `directory`, creating folders as needed.
    public func write(to directory: String) throws {
        let fm = FileManager.default
        for (path, text) in files.sorted(by: { $0.key < $1.key }) {
            let url = URL(fileURLWithPath: directory).appendingPathComponent(path)
            try fm.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url, options: .atomic)
        }
    }
}

/// Generates the Swift package for `model`: `Package.swift`, `Sources/<Model>/Model.swift`
/// (parameters, training step, evaluation), `Recipe.swift` (the spec's settings),
/// `Trainer.swift` (optimizer and loop, omitted with `inference`), `Support.swift` and
/// `main.swift`.
///
/// - Throws: `CodegenError.unsupported` naming the first op or training feature without an
///   emitter, before anything is generated.
public func compilePackage(_ model: CheckedModel, source: SpecSource, options: CompileOptions) throws -> GeneratedPackage {
    let batch = model.training.batchSize
    let inferPipeline = Pipeline(mode: .inference, batchSize: batch)
    let infer = try inferPipeline.run(model, print: { _ in })
    var train: Graph?
    if !options.inference {
        train = try Pipeline(mode: .train, batchSize: batch).run(model, print: { _ in })
        try TrainerEmitter.check(model.training)
    }
    for g in [train, infer].compactMap({ $0 }) {
        guard g.memory != nil else { throw CodegenError.unsupported("shapes that depend on symbols other than the batch size") }
        for n in g.nodes {
            try OpEmitter.check(n.op)
            for s in n.epilogue { try OpEmitter.check(s.op) }
        }
    }
    let models = ModelEmitter(model: model, train: train, infer: infer, source: source)
    let typeName = models.typeName
    let trainer = TrainerEmitter(model: model, typeName: typeName, propertyNames: models.propertyNames, source: source,
                                 dataDirectory: options.dataDirectory ?? "data/mnist") { name in
        let path = name.split(separator: ".").dropLast().joined(separator: ".")
        let origin = (train ?? infer).nodes.first { $0.origin?.path == path }?.origin
        return source.comment(for: origin)
    }
    let dir = "Sources/" + typeName + "/"
    var files: [String: String] = [
        "Package.swift": packageManifest(typeName, options),
        dir + "Model.swift": models.emit(),
        dir + "Recipe.swift": trainer.emitRecipe(),
        dir + "Support.swift": header(source) + SupportTemplate.text.replacingOccurrences(of: "MODEL", with: typeName) + "\n",
    ]
    let usesAttention = [train, infer].compactMap { $0 }.contains { g in
        g.nodes.contains { if case .attention = $0.op { return true }; return false }
    }
    if usesAttention {
        files[dir + "SelfAttention.swift"] = header(source) + AttentionTemplate.text + "\n"
    }
    if options.inference {
        files[dir + "Evaluate.swift"] = header(source) + "import Foundation\nimport Runtime\n\n"
            + TrainerTemplate.inference.replacingOccurrences(of: "MODEL", with: typeName) + "\n"
        files[dir + "main.swift"] = header(source) + TrainerTemplate.main.replacingOccurrences(of: "ENTRY", with: "evaluateCheckpoint") + "\n"
    } else {
        files[dir + "Trainer.swift"] = trainer.emit()
        files[dir + "main.swift"] = header(source) + TrainerTemplate.main.replacingOccurrences(of: "ENTRY", with: "train") + "\n"
    }
    return GeneratedPackage(files: files)
}

private func header(_ source: SpecSource) -> String {
    "// Generated by `regula compile` from \(Names.comment(source.fileName)). Regenerate instead of editing.\n"
}

/// `Package.swift`: one executable target depending only on `RegulaRuntime`, compiled for the
/// target CPU exactly as Regula's own numeric targets (`-O -target-cpu native`, or
/// `REGULA_TARGET_CPU`): the runtime's SIMD kernels are generic code specialized here, so they
/// run at full speed only with the CPU set. SwiftPM accepts `unsafeFlags` in a root package
/// (the generated one is always the root when built); Regula's own runtime target uses them too,
/// which SwiftPM allows for path, branch and revision dependencies but refuses for version
/// ranges, hence the tag is pinned by `revision:`.
func packageManifest(_ typeName: String, _ options: CompileOptions) -> String {
    let dependency: String
    if let path = options.runtimePath {
        dependency = ".package(name: \"Regula\", path: \(Names.stringLiteral(path)))"
    } else {
        // Pinned to the release tag by `revision:`, not a version range: SwiftPM refuses
        // dependencies resolved by version whose targets use unsafe flags, and Regula's runtime
        // sets `-target-cpu` (measured: "the target 'Runtime' in product 'RegulaRuntime' contains
        // unsafe build flags"); tags, branches and revisions are accepted.
        dependency = ".package(url: \(Names.stringLiteral(options.runtimeURL)), revision: \(Names.stringLiteral(options.runtimeVersion)))"
    }
    return """
    // swift-tools-version:6.0
    // Generated by `regula compile`. Regenerate instead of editing.
    import PackageDescription
    import Foundation

    // The target CPU of the numeric code, as in Regula's own Package.swift: `native` unless
    // REGULA_TARGET_CPU names another LLVM CPU (`x86-64` for a portable binary).
    let targetCPU = Context.environment["REGULA_TARGET_CPU"] ?? "native"

    let package = Package(
        name: \(Names.stringLiteral(typeName)),
        platforms: [.macOS(.v13)],
        dependencies: [
            \(dependency),
        ],
        targets: [
            .executableTarget(
                name: \(Names.stringLiteral(typeName)),
                dependencies: [.product(name: "RegulaRuntime", package: "Regula")],
                swiftSettings: [.unsafeFlags(["-O", "-target-cpu", targetCPU])]
            ),
        ],
        swiftLanguageModes: [.v5]
    )

    """
}
