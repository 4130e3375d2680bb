// swift-tools-version:6.0
import PackageDescription
import Foundation

// Target CPU for the runtime's kernels.
//
// Swift lowers `SIMD16<Float>` arithmetic to scalar code unless it knows the target CPU
// (measured on the reference machine: a packed 8×32 GEMM micro-kernel runs at ~1 GFLOP/s
// without it and ~110 GFLOP/s with it). Regula therefore compiles its numeric targets for
// the CPU of the machine that builds them (`native`), like `-march=native` builds of llm.c.
// A binary built this way may not run on an older CPU; set REGULA_TARGET_CPU to an LLVM CPU
// name (for example `haswell`, `skylake-avx512`, `znver4`, or `x86-64` for a portable build)
// to choose another target. The numeric targets are also always optimized (`-O`), so the
// kernels run at full speed in debug builds and in `swift test`.
let targetCPU = Context.environment["REGULA_TARGET_CPU"] ?? "native"
let numeric: [SwiftSetting] = [.unsafeFlags(["-O", "-target-cpu", targetCPU])]

let package = Package(
    name: "Regula",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "regula", targets: ["regula"]),
        .library(name: "RegulaRuntime", targets: ["Runtime"]),
        .library(name: "RegulaTraining", targets: ["Training"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // Diagnostics are plain values; every stage produces them, renderers live beside them.
        .target(name: "Diagnostics"),
        // Source text → AST (YAML through Yams' node tree, and the .regula DSL).
        .target(name: "Syntax", dependencies: ["Diagnostics", "Yams"]),
        // AST → checked model: kinds, arguments, blocks, shapes, lint rules.
        .target(name: "Check", dependencies: ["Syntax", "Diagnostics"]),
        // Checked model → IR graph and its passes (autodiff, inference, fusion, planning), and the
        // training recipe the loop runs.
        .target(name: "IR", dependencies: ["Check", "Runtime", "Training"]),
        // Tensors, kernels (each with a naive twin), RNG, optimizers, data, checkpoints.
        // Imports nothing from the compiler so generated code can depend on it alone.
        .target(name: "Runtime", dependencies: ["RuntimeIntrinsics"], swiftSettings: numeric),
        // Clang builtins the kernels need as single instructions (vector square root).
        .target(name: "RuntimeIntrinsics"),
        // The training loop (epochs, data, optimizer, schedules, checkpoints, metrics, progress)
        // over any `TrainableModel`: the interpreter's and every generated package's.
        .target(name: "Training", dependencies: ["Runtime"], swiftSettings: numeric),
        // IR → a Swift package that trains the model on the runtime alone.
        .target(name: "Codegen", dependencies: ["IR", "Check", "Training"]),
        // Runs IR graphs on the runtime.
        .target(name: "Interpreter", dependencies: ["IR", "Runtime", "Training"], swiftSettings: numeric),
        // Reports over finished runs and sweeps: HTML, SVG charts, the terminal's table.
        .target(name: "Report", dependencies: ["Runtime"]),
        // IR inference graph + trained weights → other frameworks' formats (ONNX).
        .target(name: "Export", dependencies: ["IR", "Check", "Runtime", "Diagnostics"]),
        // The one place that knows the order of the stages.
        .target(name: "Driver", dependencies: ["Syntax", "Check", "IR", "Interpreter", "Codegen", "Runtime", "Training", "Diagnostics"]),
        // The language server (`regula lsp`): JSON-RPC framing, open documents, and the editor
        // features over the front half's results.
        .target(name: "LanguageServer", dependencies: ["Driver", "Syntax", "Check", "Diagnostics"]),
        .executableTarget(name: "regula", dependencies: [
            "Check", "Codegen", "Diagnostics", "IR", "Interpreter", "Syntax", "Training",
            "Driver", "Export", "Report", "LanguageServer", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // Shared by the test targets: golden-file snapshots, deterministic test-input generators.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "DiagnosticsTests", dependencies: ["Diagnostics", "TestSupport"], exclude: ["Snapshots"]),
        .testTarget(name: "SyntaxTests", dependencies: ["Syntax", "TestSupport"], exclude: ["Snapshots"]),
        .testTarget(name: "CheckTests", dependencies: ["Check", "Syntax", "TestSupport"], exclude: ["Snapshots"]),
        .testTarget(name: "IRTests", dependencies: ["IR", "Check", "Syntax", "Runtime", "Training", "TestSupport"], exclude: ["Snapshots"]),
        .testTarget(name: "RuntimeTests", dependencies: ["Runtime", "TestSupport"], swiftSettings: numeric),
        .testTarget(name: "TrainingTests", dependencies: ["Training", "Runtime", "TestSupport"]),
        .testTarget(name: "InterpreterTests", dependencies: ["Interpreter", "IR", "Check", "Syntax", "Runtime", "Training"]),
        .testTarget(name: "CodegenTests", dependencies: ["Codegen", "Driver", "Interpreter", "IR", "Check", "Syntax", "Runtime", "Training", "TestSupport"], exclude: ["Snapshots"]),
        .testTarget(name: "ReportTests", dependencies: ["Report", "Runtime", "Training", "TestSupport"]),
        .testTarget(name: "ExportTests", dependencies: ["Export", "Driver", "Diagnostics", "Interpreter", "IR", "Check", "Runtime", "Training", "TestSupport"],
                    exclude: ["Snapshots"]),
        .testTarget(name: "LanguageServerTests", dependencies: ["LanguageServer", "Diagnostics", "Driver", "Check", "regula", "TestSupport"],
                    exclude: ["Snapshots"]),
        .testTarget(name: "DriverTests", dependencies: ["Driver", "regula", "TestSupport"], exclude: ["Snapshots"]),
    ],
    swiftLanguageModes: [.v5]
)
