import ArgumentParser
import Check

struct Kinds: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Describe the layer kinds and spec sections: arguments, defaults, ranges.",
        discussion: "Without a name, lists every kind and section. NAME is a kind or alias (dense, conv), "
            + "`regularization`, or a section (train, train.optimizer, data.normalize).")

    @Argument(help: "A layer kind, `regularization`, or a section path.")
    var name: String?

    @Flag(help: "Print the whole reference as Markdown (docs/reference.md).")
    var markdown = false

    func run() throws {
        if markdown { return Out.print(referenceMarkdown()) }
        guard let name else { return Out.print(referenceIndexText()) }
        guard let topic = referenceTopic(name) else {
            let hint = closestReferenceTopic(name).map { "; did you mean '\($0)'?" } ?? "; `regula kinds` lists them"
            Out.error("error: no layer kind or section named '\(name)'\(hint)\n")
            throw ExitCode.io
        }
        Out.print(referenceText(topic))
    }
}
