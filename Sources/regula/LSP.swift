import ArgumentParser
import Foundation
import LanguageServer

struct LSP: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lsp",
        abstract: "Run the language server (LSP over standard input and output) for editors.",
        discussion: "Diagnostics as you type (the same as 'regula lint'), quick fixes, hover with shapes and regularization, inlay hints with shapes, document symbols, block definitions and references, completion of kinds, attributes and values, and formatting, for .yaml/.yml and .regula specs.")

    func run() throws {
        let code = serveStdio()
        if code != 0 { throw ExitCode(code) }
    }
}
