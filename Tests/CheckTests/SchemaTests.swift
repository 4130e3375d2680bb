import XCTest
@testable import Check

final class SchemaTests: XCTestCase {
    func testSchemaIsJSONAndNamesEveryKindAndArgument() throws {
        let text = jsonSchema()
        let root = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        XCTAssertEqual(root["$schema"] as? String, "http://json-schema.org/draft-07/schema#")
        let definitions = try XCTUnwrap(root["definitions"] as? [String: Any])
        let layer = try XCTUnwrap(definitions["layer"] as? [String: Any])
        let forms = try XCTUnwrap(layer["anyOf"] as? [[String: Any]])
        // Every kind and alias has an object form keyed by its name, listing its arguments.
        var keyed: [String: [String: Any]] = [:]
        for f in forms {
            if let props = f["properties"] as? [String: Any], let req = f["required"] as? [String], let k = req.first {
                keyed[k] = props
            }
        }
        for kind in kindTable {
            for name in [kind.name] + kind.aliases {
                let props = try XCTUnwrap(keyed[name], "schema lacks kind \(name)")
                XCTAssertNotNil(props["name"])
                XCTAssertNotNil(props["from"])
                guard !kind.args.isEmpty else { continue }
                let value = try XCTUnwrap(props[name] as? [String: Any])
                let alternatives = try XCTUnwrap(value["anyOf"] as? [[String: Any]])
                let argMap = try XCTUnwrap(alternatives.first { ($0["type"] as? String) == "object" }?["properties"] as? [String: Any])
                for a in kind.args { XCTAssertNotNil(argMap[a.name], "\(name).\(a.name)") }
            }
        }
        XCTAssertNotNil(keyed["repeat"])
        // The bare-kind enum lists every name too.
        let bare = try XCTUnwrap(forms.first { $0["enum"] != nil }?["enum"] as? [String])
        XCTAssertEqual(Set(bare), Set(allKindNames))
        let properties = try XCTUnwrap(root["properties"] as? [String: Any])
        XCTAssertEqual(Set(properties.keys), ["regula", "model", "input", "defaults", "regularize", "blocks", "layers", "loss", "train", "data"])
    }
}

final class ReferenceTests: XCTestCase {
    func testReferenceDocumentsEveryKindArgumentAliasAndSectionKey() {
        let md = referenceMarkdown()
        for k in kindTable {
            XCTAssertTrue(md.contains("### `\(k.name)`"), k.name)
            for a in k.aliases { XCTAssertTrue(md.contains("`\(a)`"), a) }
            for a in k.args { XCTAssertTrue(md.contains("| `\(a.name)` |"), "\(k.name).\(a.name)") }
        }
        for (section, _) in sectionDocs {
            let heading = section.isEmpty ? "### Top level" : "### `\(section)`"
            XCTAssertTrue(md.contains(heading), heading)
        }
        for key in sectionTable { XCTAssertTrue(md.contains("| `\(key.name)` |"), key.path) }
    }

    /// The schema (hand-shaped for editors) and the sections table (which the resolver accepts
    /// keys from) name the same keys in every section.
    func testSchemaAndSectionsTableAgree() throws {
        let root = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(jsonSchema().utf8)) as? [String: Any])
        func keys(_ node: Any?) -> Set<String> {
            guard let n = node as? [String: Any] else { return [] }
            if let p = n["properties"] as? [String: Any] { return Set(p.keys) }
            if let alternatives = n["anyOf"] as? [Any] { return alternatives.map(keys).reduce([], { $0.union($1) }) }
            return []
        }
        func node(_ path: String) -> Any? {
            var n: Any? = root
            for part in path.split(separator: ".") {
                guard let d = n as? [String: Any] else { return nil }
                if let p = d["properties"] as? [String: Any] { n = p[String(part)]; continue }
                let alternatives = d["anyOf"] as? [[String: Any]] ?? []
                n = alternatives.compactMap { ($0["properties"] as? [String: Any])?[String(part)] }.first
            }
            return n
        }
        for (section, _) in sectionDocs {
            let fromTable = Set(sectionTable.filter { $0.section == section }.map(\.name))
            XCTAssertEqual(keys(section.isEmpty ? root : node(section)), fromTable, "section '\(section)'")
        }
    }

    /// docs/reference.md is generated; `REGULA_RECORD=1` rewrites it.
    func testCheckedInReferenceIsUpToDate() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let url = root.appendingPathComponent("docs/reference.md")
        let generated = referenceMarkdown()
        if ProcessInfo.processInfo.environment["REGULA_RECORD"] == "1" {
            try generated.write(to: url, atomically: true, encoding: .utf8)
            return
        }
        let checkedIn = try String(contentsOf: url, encoding: .utf8)
        XCTAssertTrue(checkedIn == generated,
                      "docs/reference.md is out of date: run `swift run regula kinds --markdown > docs/reference.md` (or REGULA_RECORD=1 swift test)")
    }

    func testTopicsResolveKindsAliasesAndSections() {
        guard case .kind(let k)? = referenceTopic("conv") else { return XCTFail("alias conv") }
        XCTAssertEqual(k.name, "conv2d")
        guard case .section("train.optimizer")? = referenceTopic("train.optimizer") else { return XCTFail("section") }
        XCTAssertNil(referenceTopic(""))
        XCTAssertNil(referenceTopic("trian"))
        XCTAssertEqual(closestReferenceTopic("trian"), "train")
        XCTAssertEqual(closestReferenceTopic("dens"), "dense")
    }
}
