import Diagnostics

extension Analysis {
    /// `textDocument/codeAction`: one quick fix per fix-it of each diagnostic whose range meets
    /// the requested range. Each is a WorkspaceEdit replacing the fix-it's range.
    func codeActions(in requested: JSONObject) throws -> [JSONObject] {
        let start = lines.location(of: try Position(json: try requested.object("start")))
        let end = lines.location(of: try Position(json: try requested.object("end")))
        var actions: [JSONObject] = []
        for d in result.diagnostics where !d.fixIts.isEmpty && d.range.start <= end && start <= d.range.end {
            for fix in d.fixIts {
                let edit: JSONObject = ["range": lines.range(of: fix.range), "newText": fix.replacement]
                actions.append(["title": fix.message, "kind": "quickfix", "diagnostics": [lspDiagnostic(d)],
                                "isPreferred": d.fixIts.count == 1,
                                "edit": ["changes": [document.uri: [edit]]]])
            }
        }
        return actions
    }
}
