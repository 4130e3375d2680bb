import ArgumentParser
import Check

struct Schema: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the JSON Schema of the YAML spec format (for yaml-language-server).")

    func run() throws {
        Out.print(jsonSchema() + "\n")
    }
}
