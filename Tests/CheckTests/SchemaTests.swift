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
        XCTAssertEqual(Set(properties.keys), ["regula", "model", "input", "defaults", "blocks", "layers", "loss", "train", "data"])
    }
}

final class KindsReferenceTests: XCTestCase {
    func testReferenceDocumentsEveryKindArgumentAndAlias() {
        let md = kindsReferenceMarkdown()
        for k in kindTable {
            XCTAssertTrue(md.contains("## `\(k.name)`"), k.name)
            for a in k.aliases { XCTAssertTrue(md.contains("`\(a)`"), a) }
            for a in k.args { XCTAssertTrue(md.contains("| `\(a.name)` |"), "\(k.name).\(a.name)") }
        }
    }
}
