import ArgumentParser
import Foundation
import LanguageServer

struct LSP: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lsp",
        abstract: "Run the language server (LSP over standard input and output) for editors.",
        discussion: "Diagnostics as you type (the same as 'regula lint'), quick fixes, hover with shapes, regularization and parameter values, inlay hints with shapes, document symbols, definitions and references of blocks and parameters, completion of what the cursor's section allows (keys, kinds, attributes, values), request cancellation, and formatting, for .yaml/.yml and .regula specs. Editor setups: editors/ in the repository.")

    func run() throws {
        let code = serveStdio()
        if code != 0 { throw ExitCode(code) }
    }
}
