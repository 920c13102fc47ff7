import Foundation
import Testing

/// `orbrec schema` and `orbrec explain`, through the binary: both from the loader's field tables.
@Suite struct SchemaExplainTests {
    static let kinds = ["Provider", "Scheduler", "Template", "Fleet", "TaskPool", "Workflow", "Policy"]

    func object(_ text: String) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "JSON: \(text.prefix(200))")
    }

    func specProperties(_ schema: [String: Any]) -> Set<String> {
        let spec = (schema["properties"] as? [String: Any])?["spec"] as? [String: Any]
        return Set((spec?["properties"] as? [String: Any] ?? [:]).keys)
    }

    @Test func schemaPrintsAKindsJSONSchemaAndOneForEveryKind() throws {
        let h = try Harness()
        let fleet = try h.run(["schema", "Fleet"])
        #expect(fleet.status == 0, "\(fleet.stderr)")
        let schema = try object(fleet.stdout)
        #expect(schema["title"] as? String == "orbrec Fleet")
        #expect(specProperties(schema) == ["template", "count", "scaleIn", "replaceUnhealthy", "updateStrategy"])
        let any = try object(try h.run(["schema"]).stdout)
        #expect((any["definitions"] as? [String: Any])?["document"] != nil)
        let lower = try h.run(["schema", "taskpool"])
        #expect(lower.status == 0)
        #expect(try object(lower.stdout)["title"] as? String == "orbrec TaskPool")
    }

    @Test func schemaDirWritesAFilePerKindAndOneForAnyDocument() throws {
        let h = try Harness()
        let directory = h.directory + "/schemas"
        let result = try h.run(["schema", "--dir", directory])
        #expect(result.status == 0, "\(result.stderr)")
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        #expect(names == (["orbrec.schema.json"] + Self.kinds.map { "\($0).schema.json" }).sorted())
        for name in names {
            _ = try object(try String(contentsOfFile: directory + "/" + name, encoding: .utf8))
        }
    }

    @Test func anUnknownKindIsRefusedWithASuggestion() throws {
        let h = try Harness()
        let result = try h.run(["schema", "Flet"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("did you mean 'Fleet'?"), "\(result.stderr)")
    }

    @Test func explainShowsAFieldWithTheFieldsBelowIt() throws {
        let h = try Harness()
        let result = try h.run(["explain", "Fleet.spec.updateStrategy"])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "KIND:     Fleet")
        #expect(lines.contains("FIELD:    spec.updateStrategy <object>"))
        #expect(lines.contains("  maxSurge\t<integer>  (minimum 0)"))
        #expect(lines.contains("  maxUnavailable\t<integer>  (minimum 0)"))
        #expect(result.stdout.contains("Machines a rolling template change may add above count"))
    }

    /// The two commands read one table: every kind's spec fields in `explain` are the
    /// properties of its schema.
    @Test(arguments: kinds)
    func explainAndSchemaListTheSameFields(_ kind: String) throws {
        let h = try Harness()
        let explained = try h.run(["explain", "\(kind).spec"])
        #expect(explained.status == 0, "\(explained.stderr)")
        let fields = explained.stdout.split(separator: "\n").filter { $0.hasPrefix("  ") && !$0.hasPrefix("    ") }
            .map { String($0.dropFirst(2).prefix { $0 != "\t" }) }
        let schema = try object(try h.run(["schema", kind]).stdout)
        #expect(Set(fields) == specProperties(schema))
        #expect(!fields.isEmpty)
    }

    @Test func explainRefusesAFieldThatDoesNotExist() throws {
        let h = try Harness()
        let result = try h.run(["explain", "Fleet.spec.updateStratgy"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("Fleet.spec has no field 'updateStratgy'"), "\(result.stderr)")
        #expect(result.stderr.contains("did you mean 'updateStrategy'?"))
        #expect(result.stdout.isEmpty)
    }
}
