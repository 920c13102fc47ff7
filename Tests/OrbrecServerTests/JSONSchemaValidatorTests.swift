import Foundation
import OrbrecTestSupport
import Testing

/// The validator the conformance tests judge answers with: what it must catch, so a test that
/// passes means the answers fit, not that nothing was checked.
@Suite("Server: the JSON Schema validator of the conformance tests")
struct JSONSchemaValidatorTests {
    static let document = try! JSONValue.parse(Data("""
        {"components": {"schemas": {
          "Machine": {"type": "object", "required": ["id", "state"], "properties": {
            "id": {"type": "string", "minLength": 1, "pattern": "^m-"},
            "state": {"$ref": "#/components/schemas/State"},
            "count": {"type": "integer", "minimum": 0, "maximum": 9},
            "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 2},
            "env": {"type": "object", "additionalProperties": {"type": "string"}},
            "note": {"type": ["string", "null"]}
          }},
          "State": {"type": "string", "enum": ["running", "returned"]},
          "Odd": {"type": "string", "nullable": true}
        }}}
        """.utf8))
    let validator = JSONSchemaValidator(document: Self.document)
    let machine = JSONValue.object(["$ref": .string("#/components/schemas/Machine")])

    func problems(_ json: String, _ schema: JSONValue? = nil) throws -> [String] {
        validator.problems(try JSONValue.parse(Data(json.utf8)), against: schema ?? machine)
    }

    @Test func aConformingValuePasses() throws {
        #expect(try problems(#"{"id": "m-1", "state": "running", "count": 3, "tags": ["a"], "env": {"A": "b"}, "note": null}"#) == [])
    }

    @Test(arguments: [
        (#"{"id": "m-1"}"#, "required member state"),
        (#"{"id": "m-1", "state": "gone"}"#, "is not one of"),
        (#"{"id": 1, "state": "running"}"#, "integer 1, but the schema says string"),
        (#"{"id": "x-1", "state": "running"}"#, "does not match"),
        (#"{"id": "", "state": "running"}"#, "under minLength"),
        (#"{"id": "m-1", "state": "running", "count": 1.5}"#, "number 1.5, but the schema says integer"),
        (#"{"id": "m-1", "state": "running", "count": 10}"#, "over maximum"),
        (#"{"id": "m-1", "state": "running", "count": true}"#, "boolean true"),
        (#"{"id": "m-1", "state": "running", "tags": ["a", "b", "c"]}"#, "over maxItems"),
        (#"{"id": "m-1", "state": "running", "tags": [1]}"#, "$.tags[0]"),
        (#"{"id": "m-1", "state": "running", "env": {"A": 1}}"#, "$.env.A"),
        (#"{"id": "m-1", "state": "running", "extra": 1}"#, "extra is not in the schema's properties"),
        (#"{"id": "m-1", "state": "running", "note": 1}"#, "string or null"),
    ])
    func aDriftIsCaught(_ json: String, _ expected: String) throws {
        let found = try problems(json)
        #expect(found.contains { $0.contains(expected) }, "\(found)")
    }

    @Test func anUnknownKeywordOrReferenceIsAProblemNotAPass() throws {
        #expect(try problems(#""x""#, .object(["$ref": .string("#/components/schemas/Odd")])).contains { $0.contains("nullable") })
        #expect(try problems(#""x""#, .object(["$ref": .string("#/components/schemas/Nothing")])).contains { $0.contains("names nothing") })
    }

    @Test func openObjectsAllowMembersTheSchemaDoesNotName() throws {
        let open = JSONSchemaValidator(document: Self.document, closedObjects: false)
        #expect(open.problems(try JSONValue.parse(Data(#"{"id": "m-1", "state": "running", "extra": 1}"#.utf8)), against: machine) == [])
    }
}
