import Foundation
import OrbrecCore
import OrbrecSpec
import Testing

/// The JSON Schema and `explain` come from the decoders' field tables.
@Suite struct SchemaTests {
    func json(_ text: String) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    func properties(_ object: [String: Any]) -> [String: Any] { object["properties"] as? [String: Any] ?? [:] }

    @Test(arguments: ConfigurationSchema.kinds)
    func eachKindsSchemaListsTheDecodersFieldsWithDescriptions(_ kind: ResourceKind) throws {
        let schema = try json(ConfigurationSchema.jsonSchema(for: kind))
        #expect(schema["$schema"] as? String == "http://json-schema.org/draft-07/schema#")
        #expect(schema["additionalProperties"] as? Bool == false)
        #expect(Set(schema["required"] as? [String] ?? []) == ["apiVersion", "kind", "metadata", "spec"])
        let spec = try #require(properties(schema)["spec"] as? [String: Any])
        let fields = ConfigurationSchema.specFields(of: kind)
        #expect(Set(properties(spec).keys) == Set(fields.names))
        #expect(spec["additionalProperties"] as? Bool == false)
        for field in fields.fields {
            let property = try #require(properties(spec)[field.name] as? [String: Any])
            #expect((property["description"] as? String)?.isEmpty == false, "\(kind.rawValue).spec.\(field.name) has a description")
        }
        #expect(Set(spec["required"] as? [String] ?? []) == Set(fields.fields.filter(\.required).map(\.name)))
    }

    @Test func everyFieldOfEveryTableHasADescription() {
        func walk(_ object: ObjectSchema, _ path: String) -> [String] {
            object.fields.flatMap { field -> [String] in
                let here = path + "." + field.name
                return (field.description.isEmpty ? [here] : []) + (field.value.object.map { walk($0, here) } ?? [])
            }
        }
        let missing = ConfigurationSchema.kinds.flatMap { walk(ConfigurationSchema.documentFields(of: $0), $0.rawValue) }
        #expect(missing.isEmpty, "fields without a description: \(missing)")
    }

    @Test func theFleetSchemaStatesRangesChoicesDurationsAndNullForOptionalFields() throws {
        let schema = try json(ConfigurationSchema.jsonSchema(for: .fleet))
        let spec = try #require(properties(schema)["spec"] as? [String: Any])
        let count = try #require(properties(spec)["count"] as? [String: Any])
        #expect(count["type"] as? String == "integer")
        #expect(count["minimum"] as? Int == 0)
        let scaleIn = try #require(properties(spec)["scaleIn"] as? [String: Any])
        #expect((scaleIn["enum"] as? [Any])?.compactMap { $0 as? String } == FleetSpec.ScaleIn.allCases.map(\.rawValue))
        #expect(scaleIn["type"] as? [String] == ["string", "null"], "optional fields accept null, read as absent")
        let update = try #require(properties(spec)["updateStrategy"] as? [String: Any])
        let surge = try #require(properties(update)["maxSurge"] as? [String: Any])
        #expect((surge["description"] as? String)?.contains("above count") == true)
        let metadata = try #require(properties(schema)["metadata"] as? [String: Any])
        let name = try #require(properties(metadata)["name"] as? [String: Any])
        #expect(name["pattern"] as? String == "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
        let pool = try json(ConfigurationSchema.jsonSchema(for: .taskPool))
        let poolSpec = try #require(properties(pool)["spec"] as? [String: Any])
        let deadline = try #require(properties(poolSpec)["deadline"] as? [String: Any])
        #expect(deadline["pattern"] as? String == "^([0-9]+(ms|s|m|h|d))+$")
        #expect((poolSpec["oneOf"] as? [Any])?.count == 4, "exactly one of items, range, matrix, source")
    }

    @Test func theSchemaOfAnyKindChoosesTheSpecByKindAndTakesAJSONList() throws {
        let schema = try json(ConfigurationSchema.jsonSchema(for: nil))
        let document = try #require((schema["definitions"] as? [String: Any])?["document"] as? [String: Any])
        let branches = try #require(document["allOf"] as? [[String: Any]])
        #expect(branches.count == ConfigurationSchema.kinds.count)
        #expect((schema["anyOf"] as? [Any])?.count == 2)
    }

    @Test func theDurationPatternAgreesWithTheParser() throws {
        let pattern = try Regex("^([0-9]+(ms|s|m|h|d))+$")
        for text in ["90s", "1h30m", "500ms", "2d", "0s", "90", "1.5h", "10 seconds", "", "5M", "s"] {
            #expect((text.wholeMatch(of: pattern) != nil) == (ConfigDuration(parsing: text) != nil), "\(text)")
        }
    }

    @Test func explainShowsAFieldItsConstraintsAndTheFieldsBelowIt() throws {
        let text = try FieldExplanation("Fleet.spec.updateStrategy").rendered
        #expect(text.contains("KIND:     Fleet"))
        #expect(text.contains("FIELD:    spec.updateStrategy <object>"))
        #expect(text.contains("maxSurge\t<integer>  (minimum 0)"))
        #expect(text.contains("maxUnavailable"))
        let count = try FieldExplanation("fleets.spec.count").rendered
        #expect(count.contains("FIELD:    spec.count <integer> -required-"))
        #expect(count.contains("minimum 0"))
        let steps = try FieldExplanation("Workflow.spec.steps[0].retry").rendered
        #expect(steps.contains("maxAttempts"))
        let kind = try FieldExplanation("TaskPool").rendered
        #expect(kind.contains("FIELDS:") && kind.contains("apiVersion") && kind.contains("spec\t<object> -required-"))
    }

    @Test func explainRefusesAPathThatNamesNoFieldWithASuggestion() {
        #expect(throws: FieldExplanation.Failure.self) { try FieldExplanation("Fleet.spec.updateStratgy") }
        do {
            _ = try FieldExplanation("Fleet.spec.updateStratgy")
        } catch {
            #expect(error.message.contains("did you mean 'updateStrategy'?"), "\(error.message)")
        }
        do {
            _ = try FieldExplanation("Flet.spec")
        } catch {
            #expect(error.message.contains("did you mean 'Fleet'?"), "\(error.message)")
        }
        do {
            _ = try FieldExplanation("Fleet.spec.count.value")
        } catch {
            #expect(error.message.contains("has no fields below it"), "\(error.message)")
        }
    }
}
