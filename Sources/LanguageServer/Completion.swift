import Check
import Foundation
import Syntax

extension Analysis {
    /// `textDocument/completion`: what the tables allow at the cursor's place
    /// (`CompletionContext`). A key: the section's keys inside `train`, `train.optimizer`, `data`
    /// and the other sections, regularization attributes in `defaults`, layer kinds and the spec's
    /// blocks at the start of a layer, that kind's attributes (or that block's parameters) inside
    /// a layer, augmentations in `data.augment` and their arguments inside one. After `key:`,
    /// the key's enumerated values (choices, booleans). Elsewhere nothing, rather than noise.
    /// Read from the text before the cursor, so it works while the document does not parse.
    func completions(at position: Position) -> [JSONObject] {
        let dsl = document.path.hasSuffix(".regula")
        guard let context = CompletionContext.of(lines.text[..<lines.index(of: position)], dsl: dsl) else { return [] }
        switch context.slot {
        case .key: return keys(at: context, dsl: dsl)
        case .value(let key): return values(of: key, at: context.place)
        }
    }

    private func keys(at context: CompletionContext, dsl: Bool) -> [JSONObject] {
        switch context.place {
        case .topLevel:
            // The DSL's statements are the top-level keys, but for `block NAME(...)`.
            return sectionTable.filter { $0.section.isEmpty }.map { key in
                dsl && key.name == "blocks" ? keyword("block", detail: "block statement", doc: key.doc) : sectionKeyItem(key)
            }
        case .section(let section):
            return sectionTable.filter { $0.section == section }.map(sectionKeyItem)
        case .defaults:
            return regularizationArgs.map { argumentItem($0, detail: "regularization attribute") }
        case .rules:
            return [keyword("match", detail: "rule selector", doc: "the tensors the rule applies to: {kind, layer, role}")]
                + regularizationArgs.map { argumentItem($0, detail: "regularization attribute") }
        case .blockDefinition:
            return ["params", "layers"].map { keyword($0, detail: "block", doc: "") }
        case .repeatItem:
            return ["count", "as", "layers"].map { keyword($0, detail: "repeat", doc: "") }
        case .layerList:
            guard context.listItem else { return [] }
            var items: [JSONObject] = kindTable.map { kind in
                ["label": kind.name, "kind": 7, "detail": kind.parametric ? "layer with parameters" : "layer",
                 "documentation": ["kind": "markdown", "value": kindDoc(kind)]]
            }
            for block in result.spec?.blocks ?? [] {
                items.append(["label": block.name.value, "kind": 3, "detail": "block"])
            }
            items.append(keyword("repeat", detail: "repeat a layer list", doc: ""))
            return items
        case .layerArguments(let kind):
            if let spec = kindsByAnyName[kind] {
                return spec.args.map { argumentItem($0, detail: "\(spec.name) attribute") }
            }
            if let block = result.spec?.blocks.first(where: { $0.name.value == kind }) {
                return block.parameters.map { p in
                    ["label": p.name.value, "kind": 6, "detail": "\(kind) parameter", "insertText": p.name.value + ": "]
                }
            }
            return []
        case .augmentList:
            guard context.listItem else { return [] }
            return augmentKinds.map { ["label": $0.name, "kind": 12, "detail": "augmentation", "documentation": $0.doc] }
        case .augmentArguments(let name):
            guard let kind = augmentKinds.first(where: { $0.name == name }) else { return [] }
            return kind.args.map { argumentItem($0, detail: "\(name) argument") }
        case .blocks, .unknown:
            return []
        }
    }

    /// The enumerated values of `key` at `place`.
    private func values(of key: String, at place: Place) -> [JSONObject] {
        let type: ArgType?
        switch place {
        case .topLevel, .section:
            let section: String
            if case .section(let s) = place { section = s } else { section = "" }
            guard case .value(let t)? = sectionTable.first(where: { $0.section == section && $0.name == key })?.type else { return [] }
            type = t
        case .layerArguments(let kind): type = kindsByAnyName[kind]?.arg(key)?.type
        case .augmentArguments(let name): type = augmentKinds.first { $0.name == name }?.args.first { $0.name == key }?.type
        case .defaults, .rules: type = regularizationArgs.first { $0.name == key }?.type
        default: type = nil
        }
        switch type {
        case .choice(let values)?: return values.map { ["label": $0, "kind": 20, "detail": "\(key) value"] }
        case .bool?: return ["true", "false"].map { ["label": $0, "kind": 21, "detail": "\(key) value"] }
        default: return []
        }
    }

    private func sectionKeyItem(_ key: SectionKey) -> JSONObject {
        var doc = key.doc
        if let d = key.defaultText { doc += " (default: \(d))" }
        return ["label": key.name, "kind": 10, "detail": (key.section.isEmpty ? "" : key.section + " ") + "key: " + key.type.phrase,
                "documentation": doc]
    }

    private func argumentItem(_ arg: ArgSpec, detail: String) -> JSONObject {
        ["label": arg.name, "kind": 5, "detail": detail, "documentation": arg.doc, "insertText": arg.name + ": "]
    }

    private func keyword(_ label: String, detail: String, doc: String) -> JSONObject {
        ["label": label, "kind": 14, "detail": detail, "documentation": doc]
    }
}
